/**
 * What the Lambda runtime (./runtime, the host) and each execution environment
 * (./sandbox) say to each other.
 */
import type { LogLevel } from '../stack/model';

/** What Lambda answers for a function error: the body of a response with `X-Amz-Function-Error: Unhandled`. */
export interface LambdaErrorObject {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** What an environment is told at its start. */
export interface SandboxConfig {
  readonly codeDir: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
  readonly logGroup: string;
  readonly logStream: string;
  readonly logFormat: 'Text' | 'JSON';
  /** Records below it are dropped (JSON format only, as in Lambda). */
  readonly applicationLogLevel: LogLevel;
}

export type ToSandbox =
  | { readonly kind: 'init'; readonly config: SandboxConfig }
  | { readonly kind: 'invoke'; readonly payload: string; readonly requestId: string; readonly deadline: number };

/**
 * What an environment reports; a reply carries the console output written since the last message,
 * and the environment's peak memory so far (for Lambda's report).
 */
export type FromSandbox =
  | { readonly kind: 'ready'; readonly initError: LambdaErrorObject | undefined; readonly logs?: string }
  | { readonly kind: 'result'; readonly payload: string; readonly logs?: string; readonly maxMemoryUsedMb?: number }
  | { readonly kind: 'error'; readonly error: LambdaErrorObject; readonly logs?: string; readonly maxMemoryUsedMb?: number }
  | { readonly kind: 'invalid-payload'; readonly message: string; readonly logs?: string }
  | { readonly kind: 'log'; readonly text: string };
