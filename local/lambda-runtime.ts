/**
 * Runs a function of the stack the way Lambda does, in this process: its packaged
 * code (the zip Terraform uploads, or the directory it zips) in worker threads
 * that stand for execution environments, with the function's environment from the
 * stack and its timeout. The handler stays loaded between invocations (a warm
 * environment); a timeout or a crash discards the environment and the next
 * invocation gets a fresh one, as in Lambda.
 *
 * Like Lambda, concurrent requests scale out to more environments, here up to one
 * per core: the handler's own work (the AWS SDK above all) then uses every core.
 * Unlike Lambda, each environment also takes several invocations at once (as one
 * Node.js event loop can) rather than one at a time.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import { LocalError } from './errors';
import type { FunctionModel } from './stack-model';
import { extractZip } from './zip';

/** What Lambda answers for a function error: the body of a response with `X-Amz-Function-Error: Unhandled`. */
export interface LambdaErrorObject {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

export type InvocationResult =
  /** The handler's result, serialised as Lambda serialises it. */
  | { readonly kind: 'result'; readonly payload: string }
  /** A function error; `payload` is the error object as JSON. */
  | { readonly kind: 'error'; readonly error: LambdaErrorObject; readonly payload: string }
  /** Lambda refused the invocation before the handler ran (InvalidRequestContentException, RequestEntityTooLargeException). */
  | { readonly kind: 'rejected'; readonly status: number; readonly errorType: string; readonly message: string };

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/** Given to each sandbox worker as its workerData. */
export interface SandboxConfig {
  readonly codeDir: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
  readonly logGroup: string;
  readonly logStream: string;
}

export type ToSandbox = { readonly id: number; readonly payload: string; readonly requestId: string; readonly deadline: number };

/** What a sandbox reports; an invocation's reply carries the console output gathered since the last message. */
export type FromSandbox =
  | { readonly kind: 'ready'; readonly initError: LambdaErrorObject | undefined }
  | { readonly kind: 'result'; readonly id: number; readonly payload: string; readonly logs?: string }
  | { readonly kind: 'error'; readonly id: number; readonly error: LambdaErrorObject; readonly logs?: string }
  | { readonly kind: 'invalid-payload'; readonly id: number; readonly message: string; readonly logs?: string }
  | { readonly kind: 'log'; readonly text: string };

export interface RuntimeOptions {
  /** Environment variables added to the function's own, e.g. AWS_ENDPOINT_URL_DYNAMODB. */
  readonly extraEnvironment: Readonly<Record<string, string>>;
  readonly region: string;
  /** Where the function's console output goes. */
  readonly logTo: NodeJS.WritableStream;
}

interface Pending {
  readonly resolve: (result: InvocationResult) => void;
  readonly requestId: string;
  timer?: NodeJS.Timeout;
}

let sandboxScript: string | undefined;

/**
 * ./lambda-worker, as JavaScript: transpiled once here, so that no TypeScript
 * loader is installed in the function's environment (its code sees what it would
 * see in Lambda) and each environment starts without a compiler of its own.
 */
function sandboxSource(): string {
  sandboxScript ??= transformSync(fs.readFileSync(path.join(__dirname, 'lambda-worker.ts'), 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
  }).code;
  return sandboxScript;
}

class Sandbox {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly ready: Promise<LambdaErrorObject | undefined>;
  /** Set once a timeout or crash condemned it: it takes no new invocation and ends when its last one does. */
  retired = false;
  /** Set once init has finished; until then, invocations go to environments already warm. */
  warm = false;
  /** Invocations to send at the end of this turn of the event loop, as one message. */
  private outbox: ToSandbox[] = [];

  constructor(config: SandboxConfig, env: Record<string, string>, memoryMb: number, logTo: NodeJS.WritableStream) {
    this.worker = new Worker(sandboxSource(), {
      eval: true,
      workerData: config,
      env,
      stdout: true,
      stderr: true,
      // Lambda gives Node.js most of the function's memory as its heap limit.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, Math.floor(memoryMb * 0.9)) },
    });
    this.worker.stdout.pipe(logTo, { end: false });
    this.worker.stderr.pipe(logTo, { end: false });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromSandbox) => {
        if (message.kind !== 'ready') return;
        this.worker.off('message', onMessage);
        this.warm = true;
        resolve(message.initError);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the sandbox exited with code ${code} during init`)));
    });
    // Reported through each invocation; this keeps an unhandled rejection from ending the process.
    this.ready.catch(() => undefined);
  }

  /** Sends an invocation, with the others sent in this turn of the event loop: one message, and one wake-up of the worker. */
  post(message: ToSandbox): void {
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push(message);
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0) this.worker.postMessage(batch.length === 1 ? batch[0] : batch);
  }
}

/**
 * One environment per core, less the one the gateway and DynamoDB share: on a
 * 2-core machine a second environment measured more CPU per request and no more
 * throughput, as five busy threads took turns on two cores.
 */
const MAX_SANDBOXES = Math.max(1, os.availableParallelism() - 1);

export class FunctionRuntime {
  /** Live environments, none retired. */
  private sandboxes: Sandbox[] = [];
  /** Every environment whose worker still runs, retired ones included. */
  private readonly workers = new Set<Sandbox>();
  private readonly env: Record<string, string>;
  private readonly config: SandboxConfig;
  private nextId = 1;
  private codeDir: string | undefined;
  private tempDir: string | undefined;
  private stopped = false;

  constructor(
    readonly fn: FunctionModel,
    private readonly options: RuntimeOptions,
  ) {
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    this.config = {
      codeDir: '',
      handler: fn.handler,
      functionName: fn.name,
      functionArn: fn.arn,
      memoryMb: fn.memoryMb,
      logGroup: fn.logGroup,
      logStream,
    };
    this.env = {
      // The stack's variables first: Lambda reserves the AWS_* and LAMBDA_* names below, so they win.
      ...fn.environment,
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      // Credentials of no account: the local services take any, and no real account is ever reached with them.
      AWS_ACCESS_KEY_ID: 'LOCALFAKEACCESSKEY',
      AWS_SECRET_ACCESS_KEY: 'local-fake-secret-access-key',
      AWS_SESSION_TOKEN: 'local-fake-session-token',
      // The SDK would warn at each environment's start that this machine's Node.js is older than
      // the runtime's; the server's startup notes say so once.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.extraEnvironment,
    };
  }

  /** Unpacks the code if it is a zip and starts a warm environment; resolves with the init error, if init failed. */
  async start(): Promise<LambdaErrorObject | undefined> {
    this.codeDir = this.prepareCode();
    this.env.LAMBDA_TASK_ROOT = this.codeDir;
    return this.spawn().ready;
  }

  private prepareCode(): string {
    const { code } = this.fn;
    if (code.kind === 'directory') return code.dir;
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `lambda-${this.fn.name}-`));
    extractZip(code.file, this.tempDir);
    return this.tempDir;
  }

  private spawn(): Sandbox {
    if (!this.codeDir) throw new LocalError(`FunctionRuntime.start() must run before invoking ${this.fn.name}.`);
    const sandbox = new Sandbox({ ...this.config, codeDir: this.codeDir }, this.env, this.fn.memoryMb, this.options.logTo);
    sandbox.worker.on('message', (message: FromSandbox | readonly FromSandbox[]) => {
      if (!Array.isArray(message)) return this.settle(sandbox, message as FromSandbox);
      for (const one of message as readonly FromSandbox[]) this.settle(sandbox, one);
    });
    sandbox.worker.on('error', (error) => this.crash(sandbox, error));
    sandbox.worker.on('exit', (code) => {
      this.workers.delete(sandbox);
      this.crash(sandbox, new Error(`Runtime exited with error: exit status ${code}`));
    });
    this.sandboxes.push(sandbox);
    this.workers.add(sandbox);
    return sandbox;
  }

  /**
   * The warm environment with the fewest invocations in flight. When every one is
   * busy, another starts (as Lambda scales out), to take requests once it is warm.
   */
  private pick(): Sandbox {
    let best: Sandbox | undefined;
    for (const sandbox of this.sandboxes) {
      if (sandbox.warm && (!best || sandbox.pending.size < best.pending.size)) best = sandbox;
    }
    if ((!best || best.pending.size > 0) && this.sandboxes.length < MAX_SANDBOXES) {
      const fresh = this.spawn();
      best ??= fresh;
    }
    return best ?? this.sandboxes[0];
  }

  private retire(sandbox: Sandbox): void {
    sandbox.retired = true;
    this.sandboxes = this.sandboxes.filter((s) => s !== sandbox);
  }

  /**
   * Runs one synchronous invocation (RequestResponse). `payload` is the request
   * body as sent: Lambda, not the caller, parses it into the event.
   */
  invoke(payload: string, requestId: string = randomUUID()): Promise<InvocationResult> {
    if (Buffer.byteLength(payload) > MAX_REQUEST_BYTES) {
      return Promise.resolve({
        kind: 'rejected',
        status: 413,
        errorType: 'RequestEntityTooLargeException',
        message: `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
      });
    }
    if (this.stopped) {
      // Spawning now would start an environment nothing stops, on code stop() may have removed.
      return Promise.resolve(
        functionError({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited: the function's environment was stopped` }),
      );
    }
    const sandbox = this.pick();
    const id = this.nextId++;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const pending: Pending = { resolve, requestId };
      sandbox.pending.set(id, pending);
      const send = () => {
        // The clock starts once the environment is initialised: init has a budget of its own in Lambda.
        pending.timer = setTimeout(() => this.timeOut(sandbox, id), timeoutMs);
        sandbox.post({ id, payload, requestId, deadline: Date.now() + timeoutMs });
      };
      sandbox.ready.then(send, () => undefined);
    });
  }

  private settle(sandbox: Sandbox, message: FromSandbox): void {
    if (message.kind === 'ready') return;
    if (message.kind === 'log') {
      this.options.logTo.write(message.text);
      return;
    }
    if (message.logs !== undefined) this.options.logTo.write(message.logs);
    const pending = sandbox.pending.get(message.id);
    if (!pending) return; // Timed out already.
    sandbox.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.kind === 'result') pending.resolve({ kind: 'result', payload: message.payload });
    else if (message.kind === 'error') pending.resolve(functionError(message.error));
    else {
      pending.resolve({
        kind: 'rejected',
        status: 400,
        errorType: 'InvalidRequestContentException',
        message: `Could not parse request body into json: ${message.message}`,
      });
    }
    this.endIfDrained(sandbox);
  }

  private timeOut(sandbox: Sandbox, id: number): void {
    const pending = sandbox.pending.get(id);
    if (!pending) return;
    sandbox.pending.delete(id);
    pending.resolve(
      functionError({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`,
      }),
    );
    // Lambda stops a timed-out environment; whatever the handler still does must not leak into later invocations.
    this.retire(sandbox);
    this.endIfDrained(sandbox);
  }

  private crash(sandbox: Sandbox, error: Error): void {
    this.retire(sandbox);
    const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    for (const [id, pending] of sandbox.pending) {
      sandbox.pending.delete(id);
      clearTimeout(pending.timer);
      pending.resolve(
        functionError({
          errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
          errorMessage: `RequestId: ${pending.requestId} Error: ${outOfMemory ? 'Runtime exited with error: signal: killed' : error.message}`,
        }),
      );
    }
  }

  private endIfDrained(sandbox: Sandbox): void {
    if (sandbox.retired && sandbox.pending.size === 0) void sandbox.worker.terminate();
  }

  /** Ends the environment (answering what is still running with an error) and removes unpacked code. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sandboxes = [];
    await Promise.all([...this.workers].map((sandbox) => sandbox.worker.terminate()));
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}

function functionError(error: LambdaErrorObject): InvocationResult {
  return { kind: 'error', error, payload: JSON.stringify(error) };
}
