/** One invocation of a function: what it carries, and how it ends. */
import type { LambdaErrorObject } from './protocol';

export type InvocationResult =
  /** The handler's result, serialised as Lambda serialises it; `log` is the invocation's log, as CloudWatch files it (./invocation-log). */
  | { readonly kind: 'result'; readonly payload: string; readonly log?: string }
  /** A function error; `payload` is the error object as JSON. */
  | { readonly kind: 'error'; readonly error: LambdaErrorObject; readonly payload: string; readonly log?: string }
  /**
   * Lambda refused the invocation before the handler ran (InvalidRequestContentException,
   * RequestEntityTooLargeException, TooManyRequestsException with the throttle's `reason`).
   */
  | { readonly kind: 'rejected'; readonly status: number; readonly errorType: string; readonly message: string; readonly reason?: string };

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/** An invocation admitted by the runtime; `resolve` answers it, once. */
export interface Invocation {
  readonly payload: string;
  readonly requestId: string;
  readonly resolve: (result: InvocationResult) => void;
}

export function functionError(error: LambdaErrorObject, log?: string): InvocationResult {
  return { kind: 'error', error, payload: JSON.stringify(error), ...(log !== undefined && { log }) };
}
