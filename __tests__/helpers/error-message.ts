import { ERROR_CLASSES, type ErrorClass } from '../../function/error-contract';

/** Reads the class and client message back out of an `errorMessage`, if it has the format. */
export function parseErrorMessage(errorMessage: string): { errorClass: ErrorClass; message: string } | undefined {
  const match = /^([A-Za-z]+): (\{.*\})$/s.exec(errorMessage);
  if (!match || !Object.hasOwn(ERROR_CLASSES, match[1])) return undefined;
  try {
    const body = JSON.parse(match[2]) as { message?: unknown };
    if (typeof body.message !== 'string') return undefined;
    return { errorClass: match[1] as ErrorClass, message: body.message };
  } catch {
    return undefined;
  }
}
