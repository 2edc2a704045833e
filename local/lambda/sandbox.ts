/**
 * One Lambda execution environment, run by ./runtime (./environment) as a worker thread of
 * the server or as a child process on another Node.js: the same script either way,
 * talking to the host through `parentPort ?? process`. It loads the function's
 * handler once (its init phase), then runs one event at a time, as the Node.js
 * runtime does: the payload parsed into the event, a context object, async or
 * callback handlers, results and errors serialised the way Lambda serialises them,
 * and console output written as Lambda files it (its TEXT or JSON log format).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { FromSandbox, LambdaErrorObject, SandboxConfig, ToSandbox } from './protocol';

type Handler = (event: unknown, context: unknown, callback: (error?: unknown, result?: unknown) => void) => unknown;

/** Lambda's limit on a synchronous invocation's response. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

function post(message: FromSandbox): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send!(message);
}

// A child process whose server is gone has nothing left to serve.
if (!parentPort) process.on('disconnect', () => process.exit(0));

/** The invocation running now; console lines carry its request id, as Lambda's do. */
let currentRequestId: string | undefined;

/**
 * Console output since the last message to the host: it goes with the invocation's
 * reply (one message, and its lines always before its result), or, written outside
 * an invocation, at the end of this turn of the event loop.
 */
let logLines: string[] = [];
function takeLogs(): string | undefined {
  if (logLines.length === 0) return undefined;
  const text = logLines.join('');
  logLines = [];
  return text;
}
function flushLogs(): void {
  const text = takeLogs();
  if (text !== undefined) post({ kind: 'log', text });
}
function writeLog(line: string): void {
  if (logLines.length === 0) setImmediate(flushLogs);
  logLines.push(`${line}\n`);
}

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 } as const;
type Level = keyof typeof LEVELS;

/**
 * Replaces console's methods as Lambda's Node.js runtime does: each writes one
 * record at its level (console.log is INFO). In the JSON format a record is
 * `{timestamp, level, requestId, message}`, and lines below the application log
 * level are dropped; in the TEXT format it is the tab-separated classic line.
 */
function patchConsole(config: SandboxConfig): void {
  const methods: [keyof Console & ('trace' | 'debug' | 'info' | 'log' | 'warn' | 'error'), Level][] = [
    ['trace', 'TRACE'],
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['log', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
  ];
  const threshold = config.logFormat === 'JSON' ? LEVELS[config.applicationLogLevel] : LEVELS.TRACE;
  for (const [method, level] of methods) {
    console[method] =
      LEVELS[level] < threshold
        ? () => undefined
        : config.logFormat === 'JSON'
          ? (...args: unknown[]) => writeLog(jsonRecord(level, args))
          : (...args: unknown[]) => writeLog(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}`);
  }
}

/**
 * One argument is the message as it is (an object stays an object, an Error becomes
 * {errorType, errorMessage, stackTrace}); several are formatted into one string, as
 * console.log would print them, with the first Error among the rest described beside it.
 */
function jsonRecord(level: Level, args: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length <= 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, (_key, value: unknown) => (value instanceof Error ? { ...describeError(value), ...value } : value));
    } catch {
      // Circular or BigInt: what console.log would print instead.
      record.message = format(args[0]);
      return JSON.stringify(record);
    }
  }
  record.message = format(...args);
  const error = args.slice(1).find((arg): arg is Error => arg instanceof Error);
  return JSON.stringify(error ? { ...record, ...describeError(error) } : record);
}

function describeError(error: Error): { errorType: string; errorMessage: string; stackTrace: string[] } {
  return { errorType: error.constructor?.name ?? 'UnknownError', errorMessage: error.message, stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [] };
}

let handler: Handler | LambdaErrorObject | undefined;
let config: SandboxConfig;

(parentPort ?? process).on('message', (message: ToSandbox) => {
  if (message.kind === 'init') void init(message.config);
  else void invoke(message);
});

async function init(received: SandboxConfig): Promise<void> {
  config = received;
  patchConsole(config);
  handler = await loadHandler().catch((error: unknown) => toErrorObject(error));
  post({ kind: 'ready', initError: typeof handler === 'function' ? undefined : handler, logs: takeLogs() });
}

async function invoke(message: Extract<ToSandbox, { kind: 'invoke' }>): Promise<void> {
  currentRequestId = message.requestId;
  const reply = await run(handler!, message);
  post(reply.kind === 'invalid-payload' ? { ...reply, logs: takeLogs() } : { ...reply, logs: takeLogs(), maxMemoryUsedMb: peakMemoryMb() });
}

let peakMb = 0;
/**
 * The environment's peak memory so far, for Lambda's report: a child process's resident set; a worker
 * thread shares the server's process, so its own isolate's heap and the memory it holds outside the heap.
 */
function peakMemoryMb(): number {
  let bytes: number;
  if (parentPort) {
    const heap = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
    bytes = heap.total_physical_size + heap.malloced_memory + (heap.external_memory ?? 0);
  } else bytes = process.memoryUsage.rss();
  peakMb = Math.max(peakMb, Math.ceil(bytes / 2 ** 20));
  return peakMb;
}

async function loadHandler(): Promise<Handler> {
  const dot = config.handler.lastIndexOf('.');
  const modulePath = config.handler.slice(0, dot);
  const exportName = config.handler.slice(dot + 1);
  if (dot <= 0 || exportName === '') {
    throw namedError('Runtime.MalformedHandlerName', `Bad handler ${config.handler}: expected <module>.<export>, such as index.handler`);
  }
  const base = path.join(config.codeDir, modulePath);
  let exports: Record<string, unknown>;
  if (fs.existsSync(`${base}.mjs`)) {
    exports = await import(pathToFileURL(`${base}.mjs`).href);
  } else {
    let file: string;
    try {
      file = require.resolve(base);
    } catch {
      throw namedError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}' in ${config.codeDir}`);
    }
    try {
      exports = require(file);
    } catch (error) {
      // A .js file in a package of "type": "module" is an ES module.
      if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
      exports = await import(pathToFileURL(file).href);
    }
  }
  const loaded = exports[exportName];
  if (typeof loaded !== 'function') {
    throw namedError('Runtime.HandlerNotFound', `${config.handler} is undefined or not exported`);
  }
  return loaded as Handler;
}

type Reply = Extract<FromSandbox, { kind: 'result' | 'error' | 'invalid-payload' }>;

async function run(loaded: Handler | LambdaErrorObject, message: Extract<ToSandbox, { kind: 'invoke' }>): Promise<Reply> {
  if (typeof loaded !== 'function') return { kind: 'error', error: loaded };
  let event: unknown;
  try {
    event = JSON.parse(message.payload === '' ? '{}' : message.payload);
  } catch (error) {
    return { kind: 'invalid-payload', message: (error as Error).message };
  }
  try {
    const result = await callHandler(loaded, event, context(message.requestId, message.deadline));
    const payload = JSON.stringify(result) ?? 'null';
    if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
      return {
        kind: 'error',
        error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).` },
      };
    }
    return { kind: 'result', payload };
  } catch (error) {
    return { kind: 'error', error: toErrorObject(error) };
  }
}

/** Calls the handler as Lambda does: its promise, or its callback, whichever settles first. */
function callHandler(loaded: Handler, event: unknown, lambdaContext: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error === undefined || error === null ? resolve(result) : reject(error));
    try {
      const returned = loaded(event, lambdaContext, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
      else if (loaded.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

function context(awsRequestId: string, deadline: number) {
  return {
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId,
    logGroupName: config.logGroup,
    logStreamName: config.logStream,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** The error object Lambda's Node.js runtime reports for `error`. */
function toErrorObject(error: unknown): LambdaErrorObject {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error && 'name' in error)) {
    const { name, message, stack } = error as Error;
    return { errorType: String(name), errorMessage: String(message), trace: typeof stack === 'string' ? stack.split('\n') : [] };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
