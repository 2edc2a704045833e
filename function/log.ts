/**
 * One record per invocation. It names what was asked and how it ended, never what
 * an item holds: items may be personal data, and logs outlive the table.
 *
 * The function runs with Lambda's JSON log format, in which the Node.js runtime
 * files each line at the level of the console method that wrote it, and puts a
 * lone object argument, as it is, into the line's `message`. So each record goes
 * through the method of its level, as one object: CloudWatch then has it at that
 * level, as structured data, and the function's application log level filters it.
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
  const record = {
    requestId: requestId ?? null,
    operation: operation ?? null,
    table: table ?? null,
    outcome,
    durationMs: Math.round(durationMs * 100) / 100,
    // The client was told only "Internal server error"; this is where the reason goes.
    ...(outcome === 'Internal' && { error: describeCause(failure?.cause) }),
  };
  if (outcome === 'Success') console.info(record);
  else if (outcome === 'Internal') console.error(record);
  else console.warn(record);
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
