/**
 * Runs a function of the stack with Lambda's execution model, on this machine: its
 * packaged code (the zip Terraform uploads, or the directory it zips), with the
 * function's environment, memory and timeout from the stack.
 *
 * As in Lambda, an execution environment serves one invocation at a time, with a
 * heap limit of its own; environments are added on demand, up to the function's
 * reserved concurrency (else DEFAULT_CONCURRENCY), and reused while warm; beyond
 * the limit an invocation is throttled (429 TooManyRequestsException).
 *
 * "On demand", locally: an invocation that finds every environment busy gets a new
 * one if none has come free within the time a cold start takes here (measured).
 * Lambda starts one at once, on hardware of its own; on a laptop's few cores each
 * environment is another V8 isolate compiling the same code, and 32 of them serve
 * fewer requests than a handful, so a warm environment that frees up sooner takes
 * the invocation instead. Either way it runs alone in its environment. Each
 * environment loads the handler once, so module-scope state is its own. The
 * timeout clock starts when the invocation starts in its environment; a timeout, a
 * crash or running out of memory discards that environment only.
 *
 * An environment is a worker thread of this process when this Node.js is of the
 * runtime's major version, else a child process of a Node.js that is
 * (./function-node); both run ./sandbox (./environment).
 *
 * Why this file is long: scheduling (waiting, scale-out, release, timeouts,
 * crashes, idle reaping, retirement) is one state machine over the same fields;
 * split, each part would reach into the other's.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalError } from '../shared/local-error';
import { workerScript } from '../shared/worker-script';
import type { FunctionModel } from '../stack/model';
import { linkSourceMap, prepareCode, type SourceMapLink } from './code';
import { childTransport, Environment, type ExitReason, workerTransport } from './environment';
import { lambdaEnvironment } from './environment-variables';
import type { FunctionNode } from './function-node';
import { functionError, type Invocation, type InvocationResult, MAX_REQUEST_BYTES } from './invocation';
import { epochNow, invocationLog, type InvocationStatus } from './invocation-log';
import type { FromSandbox, LambdaErrorObject, SandboxConfig } from './protocol';

/**
 * How many environments a function without reserved concurrency may have at once
 * here. AWS's default account limit is 1,000; this one keeps a burst from starting
 * more environments than a laptop holds, and is well above the concurrency a
 * client of the local server needs (64 concurrent requests are tested).
 */
export const DEFAULT_CONCURRENCY = 100;

/** How long an environment stays warm without an invocation before it is stopped, as Lambda reclaims idle ones. */
const DEFAULT_IDLE_MS = 10 * 60 * 1000;

export interface RuntimeOptions {
  /** Environment variables added to the function's own, e.g. AWS_ENDPOINT_URL_DYNAMODB. */
  readonly extraEnvironment: Readonly<Record<string, string>>;
  readonly region: string;
  /** Where the function's logs go. */
  readonly logTo: NodeJS.WritableStream;
  /** The Node.js that runs the function (./function-node); default: this process's own. */
  readonly node?: FunctionNode;
  /**
   * How long an idle environment is kept warm.
   * @default 10 minutes
   */
  readonly idleMs?: number;
  /**
   * Debug mode: one environment at a time, whose invocations wait for it rather than
   * start others, no timeout (a breakpoint may hold an invocation as long as it takes),
   * and the handler's module linked to its source map, resolved against `projectDir`.
   * Child-process environments open an inspector of their own on a free port.
   * @default undefined: Lambda's execution model
   */
  readonly debug?: { readonly projectDir: string };
}

/** An invocation no environment has taken yet, since `since` (performance.now()). */
interface Waiting {
  readonly invocation: Invocation;
  readonly since: number;
}

/** The script every environment runs. */
const SANDBOX = path.join(__dirname, 'sandbox.ts');

/** What an invocation gets when its function stops before it runs or ends, as Lambda reports an environment that exited. */
const stoppedError = (requestId: string): InvocationResult =>
  functionError({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited: the function's environment was stopped` });

export class FunctionRuntime {
  /** Every environment not yet discarded: starting, idle or busy. */
  private readonly environments = new Set<Environment>();
  /** Invocations admitted and not yet answered: the function's concurrency. */
  private inFlight = 0;
  /** Admitted invocations that no environment has taken yet, oldest first. */
  private readonly waiting: Waiting[] = [];
  /** Environments spawned and not yet ready. */
  private starting = 0;
  /** How long the last cold start took (spawn to ready): how long an invocation waits for a warm environment before it gets a new one. */
  private coldStartMs = 0;
  private scaleTimer: NodeJS.Timeout | undefined;
  private readonly env: Record<string, string>;
  private config: SandboxConfig;
  private readonly limit: number;
  private readonly idleMs: number;
  private reaper: NodeJS.Timeout | undefined;
  private script: string | undefined;
  private tempDir: string | undefined;
  private stopped = false;
  /** How many environments may run at once: the concurrency limit, or one in debug mode. */
  private readonly maxEnvironments: number;
  /** In debug mode, whether the handler's module was linked to its source map, or why not. */
  sourceMap: SourceMapLink | undefined;
  /** Resolves when no invocation is in flight any more (see retire()). */
  private onIdle: (() => void) | undefined;

  constructor(
    readonly fn: FunctionModel,
    private readonly options: RuntimeOptions,
  ) {
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    this.limit = fn.reservedConcurrency ?? DEFAULT_CONCURRENCY;
    this.maxEnvironments = options.debug ? Math.min(1, this.limit) : this.limit;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.config = {
      codeDir: '',
      handler: fn.handler,
      functionName: fn.name,
      functionArn: fn.arn,
      memoryMb: fn.memoryMb,
      logGroup: fn.logGroup,
      logStream,
      logFormat: fn.logFormat,
      applicationLogLevel: fn.applicationLogLevel,
    };
    this.env = lambdaEnvironment(fn, logStream, options.region, options.extraEnvironment);
  }

  /**
   * Unpacks the code if it is a zip and starts one environment, to be warm for the
   * first invocation; resolves with the init error, if init failed. A function whose
   * reserved concurrency is 0 gets none, as it never runs.
   */
  async start(): Promise<LambdaErrorObject | undefined> {
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `lambda-${this.fn.name}-`));
    this.script = path.join(this.tempDir, 'runtime.cjs');
    fs.writeFileSync(this.script, workerScript(SANDBOX));
    const codeDir = path.join(this.tempDir, 'task');
    prepareCode(this.fn.code, codeDir);
    const { debug } = this.options;
    if (debug) this.sourceMap = linkSourceMap(this.fn.code, this.fn.handler, codeDir, debug.projectDir, path.join(this.tempDir, 'source-maps'));
    this.config = { ...this.config, codeDir };
    this.env.LAMBDA_TASK_ROOT = this.config.codeDir;
    this.reaper = setInterval(() => this.reapIdle(), Math.min(this.idleMs, 60_000)).unref();
    if (this.limit === 0) return undefined;
    const first = this.spawn();
    return first.ready.then(
      (initError) => initError,
      (error: Error) => ({ errorType: 'Runtime.ExitError', errorMessage: error.message }),
    );
  }

  private spawn(): Environment {
    if (!this.script) throw new LocalError(`FunctionRuntime.start() must run before invoking ${this.fn.name}.`);
    const script = this.script;
    const { binary } = this.options.node ?? {};
    const { memoryMb } = this.fn;
    const { logTo, debug } = this.options;
    const environment = new Environment(
      (events) =>
        binary === undefined
          ? workerTransport(script, this.env, memoryMb, logTo, events)
          : childTransport(script, binary, this.env, memoryMb, logTo, events, debug !== undefined),
      (message) => this.receive(environment, message),
      (reason) => this.crashed(environment, reason),
    );
    environment.transport.send({ kind: 'init', config: this.config });
    this.environments.add(environment);
    this.starting++;
    const spawnedAt = performance.now();
    environment.ready.then(
      () => {
        this.starting--;
        this.coldStartMs = performance.now() - spawnedAt;
        environment.initDurationMs = this.coldStartMs;
        if (this.environments.has(environment)) this.release(environment);
        // Invocations still waiting may be due a cold start of their own now.
        this.scaleOut();
      },
      (error: Error) => {
        this.starting--;
        // The invocation waiting longest would have been this cold start's, as in Lambda: it gets the failure.
        const first = this.waiting.shift();
        first?.invocation.resolve(
          functionError({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${first.invocation.requestId} Error: Runtime exited with error: ${error.message}` }),
        );
        this.scaleOut();
      },
    );
    return environment;
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
        stoppedError(requestId),
      );
    }
    if (this.inFlight >= this.limit) {
      // Lambda's answer when the function's concurrency is used up: it throttles at once, it never queues a synchronous invocation.
      return Promise.resolve({
        kind: 'rejected',
        status: 429,
        errorType: 'TooManyRequestsException',
        message: 'Rate Exceeded.',
        reason: this.fn.reservedConcurrency === undefined ? 'ConcurrentInvocationLimitExceeded' : 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    }
    this.inFlight++;
    return new Promise((resolve) => {
      let settled = false;
      const invocation: Invocation = {
        payload,
        requestId,
        resolve: (result) => {
          if (settled) return;
          settled = true;
          this.inFlight--;
          if (this.inFlight === 0) this.onIdle?.();
          resolve(result);
        },
      };
      const idle = this.idleEnvironment();
      if (idle) return this.run(idle, invocation);
      this.waiting.push({ invocation, since: performance.now() });
      this.scaleOut();
    });
  }

  /**
   * Starts a new environment when an invocation has waited a cold start's time with
   * none coming free (one at a time), or at once for each waiting invocation when no
   * environment is busy, so none can come free; within the function's limit. Checks
   * again when the next one is due.
   */
  private scaleOut(): void {
    clearTimeout(this.scaleTimer);
    this.scaleTimer = undefined;
    if (this.waiting.length === 0 || this.stopped) return;
    const now = performance.now();
    const busy = [...this.environments].filter((env) => env.current !== undefined).length;
    // With none busy, none can come free: each waiting invocation needs a new environment. Otherwise one
    // cold start at a time: each competes for the same cores, and a burst of them would slow every one.
    const due = busy === 0 ? this.waiting.length : Math.min(1, this.waiting.filter((w) => now - w.since >= this.coldStartMs).length);
    while (this.starting < due && this.environments.size < this.maxEnvironments) this.spawn();
    const next = this.waiting.find((w) => now - w.since < this.coldStartMs);
    if (next) this.scaleTimer = setTimeout(() => this.scaleOut(), Math.ceil(next.since + this.coldStartMs - now));
  }

  /** The idle environment used last: its code is the most optimised, and the others may stay idle long enough to be reclaimed. */
  private idleEnvironment(): Environment | undefined {
    let best: Environment | undefined;
    for (const env of this.environments) {
      if (env.idleSince !== undefined && (!best || env.idleSince > best.idleSince!)) best = env;
    }
    return best;
  }

  private run(env: Environment, invocation: Invocation): void {
    env.idleSince = undefined;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    // The clock starts now, as the invocation starts in its environment: neither init nor anything before counts.
    const timer = this.options.debug ? undefined : setTimeout(() => this.timeOut(env), timeoutMs);
    env.current = { invocation, timer, startedAt: epochNow(), log: [] };
    env.transport.send({ kind: 'invoke', payload: invocation.payload, requestId: invocation.requestId, deadline: Date.now() + timeoutMs });
  }

  private receive(env: Environment, message: FromSandbox): void {
    // Lines written while an invocation runs are its log, as Lambda files them between its START and REPORT.
    if (message.kind === 'log') {
      this.options.logTo.write(message.text);
      env.current?.log.push(message.text);
      return;
    }
    if (message.logs !== undefined) {
      this.options.logTo.write(message.logs);
      env.current?.log.push(message.logs);
    }
    if (message.kind === 'ready') return;
    const current = env.current;
    if (!current) return;
    clearTimeout(current.timer);
    env.current = undefined;
    if (message.kind === 'result') {
      current.invocation.resolve({ kind: 'result', payload: message.payload, log: this.finishLog(env, current, 'success', message.maxMemoryUsedMb) });
    } else if (message.kind === 'error') {
      current.invocation.resolve(functionError(message.error, this.finishLog(env, current, 'error', message.maxMemoryUsedMb)));
    }
    else {
      current.invocation.resolve({
        kind: 'rejected',
        status: 400,
        errorType: 'InvalidRequestContentException',
        message: `Could not parse request body into json: ${message.message}`,
      });
    }
    this.release(env);
  }

  /** Gives `env` the invocation waiting longest, or marks it idle; after stop() it is ended instead. */
  private release(env: Environment): void {
    if (this.stopped) return void this.discard(env);
    const next = this.waiting.shift();
    if (next) return this.run(env, next.invocation);
    env.idleSince = performance.now();
  }

  private timeOut(env: Environment): void {
    const current = env.current;
    if (!current) return;
    env.current = undefined;
    const { requestId } = current.invocation;
    const seconds = this.fn.timeoutSeconds.toFixed(2);
    // Lambda's own line for it, a system log line (at WARN, the least detailed system level, so never filtered out).
    const line = `${new Date().toISOString()} ${requestId} Task timed out after ${seconds} seconds\n`;
    this.options.logTo.write(line);
    current.log.push(line);
    const log = this.finishLog(env, current, 'timeout', undefined);
    current.invocation.resolve(functionError({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds` }, log));
    // Lambda stops a timed-out environment; whatever the handler still does must not leak into later invocations.
    this.discard(env);
  }

  private crashed(env: Environment, reason: ExitReason): void {
    this.environments.delete(env);
    // Invocations waiting on the environments left may need a new one now.
    this.scaleOut();
    const current = env.current;
    if (!current) return;
    clearTimeout(current.timer);
    env.current = undefined;
    const { requestId } = current.invocation;
    current.invocation.resolve(
      functionError(
        reason.outOfMemory
          ? { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` }
          : { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${reason.message}` },
        this.finishLog(env, current, 'error', undefined),
      ),
    );
  }

  /** The invocation's log, now that it has ended: its lines between Lambda's; the environment's init is reported once. */
  private finishLog(env: Environment, current: NonNullable<Environment['current']>, status: InvocationStatus, maxMemoryUsedMb: number | undefined): string {
    const initDurationMs = env.initDurationMs;
    env.initDurationMs = undefined;
    const report = { requestId: current.invocation.requestId, startedAt: current.startedAt, durationMs: epochNow() - current.startedAt };
    return invocationLog(this.fn, { ...report, initDurationMs, maxMemoryUsedMb, status }, current.log.join(''));
  }

  private discard(env: Environment): Promise<void> {
    this.environments.delete(env);
    this.scaleOut();
    return env.discard(this.stopped ? "the function's environment was stopped" : 'the environment was discarded');
  }

  private reapIdle(): void {
    const now = performance.now();
    for (const env of this.environments) {
      if (env.idleSince !== undefined && now - env.idleSince >= this.idleMs) void this.discard(env);
    }
  }

  /** How many environments the function has now, warm or starting; for the tests of its execution model. */
  get environmentCount(): number {
    return this.environments.size;
  }

  /**
   * Stops once no invocation is in flight: what a version of the stack that is no
   * longer served does, so that the invocations it admitted finish on its code.
   */
  async retire(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    await this.stop();
  }

  /** Ends every environment (answering what is still running with an error) and removes unpacked code. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.reaper);
    clearTimeout(this.scaleTimer);
    for (const { invocation } of this.waiting.splice(0)) {
      invocation.resolve(
        stoppedError(invocation.requestId),
      );
    }
    const running = [...this.environments];
    await Promise.all(running.map((env) => this.discard(env)));
    for (const env of running) {
      if (!env.current) continue;
      clearTimeout(env.current.timer);
      env.current.invocation.resolve(
        stoppedError(env.current.invocation.requestId),
      );
      env.current = undefined;
    }
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}
