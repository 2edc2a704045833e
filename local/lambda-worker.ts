/**
 * One Lambda execution environment, run as a worker thread by ./lambda-runtime:
 * loads the function's handler once (its init phase), then runs each event it is
 * sent, as the Node.js runtime does: the payload parsed into the event, a context
 * object, async or callback handlers, and results and errors serialised the way
 * Lambda serialises them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import type { LambdaErrorObject, SandboxConfig, ToSandbox, FromSandbox } from './lambda-runtime';

type Handler = (event: unknown, context: unknown, callback: (error?: unknown, result?: unknown) => void) => unknown;

const config = workerData as SandboxConfig;
const port = parentPort!;

/** Lambda's limit on a synchronous invocation's response. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * The function's console output, gathered and sent to the host with the next
 * result, or at the end of this turn of the event loop: one message per
 * invocation rather than one more per line, and an invocation's lines always
 * arrive before its result. (Lambda's runtime replaces console too.)
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
  if (text !== undefined) send({ kind: 'log', text });
}

/**
 * Messages for the host, posted together at the end of this turn of the event
 * loop: invocations that finish in one turn cost the host one message, and this
 * thread one postMessage. Kept in order, so log lines still precede their result.
 */
let outbox: FromSandbox[] = [];
function send(message: FromSandbox): void {
  if (outbox.length === 0) setImmediate(flushOutbox);
  outbox.push(message);
}
function flushOutbox(): void {
  const batch = outbox;
  outbox = [];
  if (batch.length > 0) port.postMessage(batch.length === 1 ? batch[0] : batch);
}
// A handler that ends the environment (process.exit, an uncaught error) must not take finished invocations' answers with it.
process.on('exit', flushOutbox);
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => {
    if (logLines.length === 0) setImmediate(flushLogs);
    logLines.push(`${format(...args)}\n`);
  };
}

const handlerLoaded: Promise<Handler | LambdaErrorObject> = loadHandler().then(
  (handler) => handler,
  (error: unknown) => toErrorObject(error),
);

handlerLoaded.then((loaded) => {
  const message: FromSandbox = { kind: 'ready', initError: typeof loaded === 'function' ? undefined : loaded };
  port.postMessage(message);
});

port.on('message', (message: ToSandbox | readonly ToSandbox[]) => {
  for (const invocation of Array.isArray(message) ? message : [message]) {
    handlerLoaded.then((loaded) => run(loaded, invocation)).then((reply) => send({ ...reply, logs: takeLogs() }));
  }
});

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
  const handler = exports[exportName];
  if (typeof handler !== 'function') {
    throw namedError('Runtime.HandlerNotFound', `${config.handler} is undefined or not exported`);
  }
  return handler as Handler;
}

type Reply = Exclude<FromSandbox, { kind: 'ready' } | { kind: 'log' }>;

async function run(loaded: Handler | LambdaErrorObject, message: ToSandbox): Promise<Reply> {
  const { id, requestId, deadline } = message;
  if (typeof loaded !== 'function') return { kind: 'error', id, error: loaded };
  let event: unknown;
  try {
    event = JSON.parse(message.payload === '' ? '{}' : message.payload);
  } catch (error) {
    return { kind: 'invalid-payload', id, message: (error as Error).message };
  }
  try {
    const result = await callHandler(loaded, event, context(requestId, deadline));
    const payload = JSON.stringify(result) ?? 'null';
    if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
      return {
        kind: 'error',
        id,
        error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).` },
      };
    }
    return { kind: 'result', id, payload };
  } catch (error) {
    return { kind: 'error', id, error: toErrorObject(error) };
  }
}

/** Calls the handler as Lambda does: its promise, or its callback, whichever settles first. */
function callHandler(handler: Handler, event: unknown, lambdaContext: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error === undefined || error === null ? resolve(result) : reject(error));
    try {
      const returned = handler(event, lambdaContext, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
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
