/**
 * The handler's errors, and the one place that decides which class a failure is.
 *
 * Each error's `message` is already in the format of ./error-contract (the class,
 * then the client's JSON body), because a non-proxy integration sees nothing but
 * `errorMessage`: whoever throws one of these need not remember to format it.
 */
import { type ErrorClass, formatErrorMessage, INTERNAL_ERROR_MESSAGE, unicodeEscape } from './error-contract';

export abstract class HandlerError extends Error {
  protected constructor(readonly errorClass: ErrorClass, clientMessage: string, options?: ErrorOptions) {
    super(formatErrorMessage(errorClass, clientMessage), options);
  }
}

// Each `name` is a literal because the bundle is minified: `constructor.name` would
// be mangled, and `name` becomes the `errorType` Lambda reports.

/** The request is malformed; the client must change it. */
export class BadRequestError extends HandlerError {
  constructor(message: string, options?: ErrorOptions) {
    super('BadRequest', message, options);
    this.name = 'BadRequestError';
  }
}

/** The request asks for something this function will not do, such as another table. */
export class ForbiddenError extends HandlerError {
  constructor(message: string, options?: ErrorOptions) {
    super('Forbidden', message, options);
    this.name = 'ForbiddenError';
  }
}

/** A condition the request set does not hold; nothing was written. */
export class ConflictError extends HandlerError {
  constructor(message: string, options?: ErrorOptions) {
    super('Conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** DynamoDB refused for load; the same request may succeed later. */
export class ThrottledError extends HandlerError {
  constructor(message: string, options?: ErrorOptions) {
    super('Throttled', message, options);
    this.name = 'ThrottledError';
  }
}

/** Anything unforeseen. The client gets a fixed message; `cause` is for the log only. */
export class InternalError extends HandlerError {
  constructor(options?: ErrorOptions) {
    super('Internal', INTERNAL_ERROR_MESSAGE, options);
    this.name = 'InternalError';
  }
}

const THROTTLED_MESSAGE =
  'DynamoDB is throttling requests to the table and nothing was done; retry the request after a short, growing delay.';

/**
 * DynamoDB's exception names (SDK v3 sets `err.name` to them) that are the client's
 * concern. Every other exception, ResourceNotFoundException included (a missing
 * table is this deployment's fault, not the caller's), is Internal.
 */
const DYNAMODB_ERRORS = new Map<string, (error: NamedError) => HandlerError>([
  [
    'ValidationException',
    (error) => new BadRequestError(`DynamoDB rejected the request: ${clip(error.message, 300)}`, { cause: error }),
  ],
  [
    'ConditionalCheckFailedException',
    (error) =>
      new ConflictError(
        'The ConditionExpression is not met by the item as it is now, so nothing was written. Read the item and retry with a condition that holds, or without one.',
        { cause: error }
      ),
  ],
  ['ProvisionedThroughputExceededException', (error) => new ThrottledError(THROTTLED_MESSAGE, { cause: error })],
  ['ThrottlingException', (error) => new ThrottledError(THROTTLED_MESSAGE, { cause: error })],
  ['RequestLimitExceeded', (error) => new ThrottledError(THROTTLED_MESSAGE, { cause: error })],
]);

interface NamedError {
  readonly name: string;
  readonly message: string;
}

/**
 * Classifies any failure. Errors already classified pass through unchanged.
 * Duck-typed rather than `instanceof Error`, because an error made in another
 * realm (Node's internals under jest, for one) is not an instance of this realm's Error.
 */
export function toHandlerError(error: unknown): HandlerError {
  if (error instanceof HandlerError) return error;
  if (isNamedError(error)) {
    const translate = DYNAMODB_ERRORS.get(error.name);
    if (translate) return translate(error);
  }
  return new InternalError({ cause: error });
}

function isNamedError(value: unknown): value is NamedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

const PREVIEW_LENGTH = 60;

/**
 * A short, JSON-encoded rendering of a client's value for an error message:
 * enough to recognise it, never the whole of a large payload.
 */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // BigInt or a cycle: only direct invocations can send these.
  }
  return clip(text ?? `a value of type ${typeof value}`, PREVIEW_LENGTH);
}

/**
 * Shortens `text` and escapes control and line-separator characters, so that a
 * caller's value shown in a message or a log line cannot break it across lines
 * or hide in it.
 */
export function clip(text: string, maxLength: number): string {
  let clipped = text;
  if (text.length > maxLength) {
    // Cutting between the halves of a surrogate pair would leave half a character.
    const end = isHighSurrogate(text.charCodeAt(maxLength - 1)) ? maxLength - 1 : maxLength;
    clipped = `${text.slice(0, end)}…`;
  }
  return clipped.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, unicodeEscape);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
