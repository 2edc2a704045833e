/**
 * One JSON line per invocation. It names what was asked and how it ended, never
 * what an item holds: items may be personal data, and logs outlive the table.
 */
import { clip, type HandlerError } from './errors';

export interface Invocation {
  readonly requestId: string | undefined;
  /** Undefined when the event named no known operation. */
  readonly operation: string | undefined;
  /** The table the operation works on; undefined for echo, ping and refused events. */
  readonly table: string | undefined;
  readonly durationMs: number;
  readonly failure: HandlerError | undefined;
}

export function logInvocation({ requestId, operation, table, durationMs, failure }: Invocation): void {
  const outcome = failure ? failure.errorClass : 'Success';
  console.log(
    JSON.stringify({
      level: outcome === 'Success' ? 'INFO' : outcome === 'Internal' ? 'ERROR' : 'WARN',
      requestId: requestId ?? null,
      operation: operation ?? null,
      table: table ?? null,
      outcome,
      durationMs: Math.round(durationMs * 100) / 100,
      // The client was told only "Internal server error"; this is where the reason goes.
      error: outcome === 'Internal' ? describeCause(failure?.cause) : undefined,
    })
  );
}

const STACK_FRAMES = 6;

/**
 * What an operator needs to find an unexpected failure: the error's name, message
 * and top frames. DynamoDB's and the SDK's messages name parameters and types, not
 * the values of an item.
 */
function describeCause(cause: unknown): { name: string; message: string; stack?: string } {
  if (typeof cause === 'object' && cause !== null) {
    const { name, message, stack } = cause as Partial<Record<'name' | 'message' | 'stack', unknown>>;
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: clip(typeof message === 'string' ? message : '', 500),
      stack:
        typeof stack === 'string'
          ? stack
              .split('\n')
              .filter((line) => line.startsWith('    at '))
              .slice(0, STACK_FRAMES)
              .map((line) => line.trim())
              .join(' | ')
          : undefined,
    };
  }
  return { name: typeof cause, message: clip(String(cause), 500) };
}
