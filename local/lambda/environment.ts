/**
 * One execution environment of a function, and the two ways it runs: a worker
 * thread of this process (when this Node.js is of the runtime's major version), or
 * a child process of another Node.js (./function-node). Both run ./sandbox and
 * speak ./protocol; both limit the heap as Lambda does and report running out of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Invocation } from './invocation';
import type { FromSandbox, LambdaErrorObject, ToSandbox } from './protocol';

/** The two ways an environment runs: a worker thread of this process, or a child process. */
export interface Transport {
  send(message: ToSandbox): void;
  /** Ends it; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Why an environment ended without being asked to: a crash, an exit, running out of memory. */
export interface ExitReason {
  readonly outOfMemory: boolean;
  readonly message: string;
}

export interface TransportEvents {
  message(message: FromSandbox): void;
  exit(reason: ExitReason): void;
}


/** Lambda gives Node.js most of the function's memory as its heap limit. */
function heapLimitMb(memoryMb: number): number {
  return Math.max(64, Math.floor(memoryMb * 0.9));
}

export function workerTransport(script: string, env: Record<string, string>, memoryMb: number, logTo: NodeJS.WritableStream, events: TransportEvents): Transport {
  const worker = new Worker(script, {
    env,
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb(memoryMb) },
    // A debugger lists the thread by this name.
    name: `${env.AWS_LAMBDA_FUNCTION_NAME} environment`,
  });
  // Written rather than piped: a pipe per environment would add listeners to logTo for each of up to DEFAULT_CONCURRENCY.
  worker.stdout.on('data', (chunk: Buffer) => logTo.write(chunk));
  worker.stderr.on('data', (chunk: Buffer) => logTo.write(chunk));
  let stopping = false;
  let outOfMemory = false;
  let failure: Error | undefined;
  worker.on('message', events.message);
  worker.on('error', (error: Error & { code?: string }) => {
    outOfMemory ||= error.code === 'ERR_WORKER_OUT_OF_MEMORY';
    failure = error;
  });
  worker.on('exit', (code) => {
    if (!stopping) events.exit({ outOfMemory, message: failure ? `${failure.name}: ${failure.message}` : `exit status ${code}` });
  });
  return {
    send: (message) => worker.postMessage(message),
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}

/**
 * @param inspect opens the child's inspector on a free port of 127.0.0.1; its
 * "Debugger listening on ws://..." line goes to `logTo` with the rest of its stderr.
 */
export function childTransport(
  script: string,
  binary: string,
  env: Record<string, string>,
  memoryMb: number,
  logTo: NodeJS.WritableStream,
  events: TransportEvents,
  inspect = false,
): Transport {
  const flags = [`--max-old-space-size=${heapLimitMb(memoryMb)}`, ...(inspect ? ['--inspect=127.0.0.1:0'] : [])];
  const child: ChildProcess = spawn(binary, [...flags, script], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.stdout!.on('data', (chunk: Buffer) => logTo.write(chunk));
  let stopping = false;
  let outOfMemory = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    // V8's last words before it aborts the process: the only sign that the heap ran out.
    outOfMemory ||= chunk.includes('JavaScript heap out of memory');
    logTo.write(chunk);
  });
  child.on('message', events.message);
  // 'close' rather than 'exit': it comes after stderr has been read to its end, so a heap's last words are in.
  const closed = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      resolve();
      if (!stopping) events.exit({ outOfMemory, message: signal ? `signal: ${signal}` : `exit status ${code}` });
    });
  });
  // Spawning fails (a binary gone since startup) as an 'error'; later ones (a message to a process that just died) change nothing.
  child.on('error', (error) => {
    if (child.exitCode === null && child.signalCode === null && child.pid === undefined) {
      events.exit({ outOfMemory: false, message: `cannot start ${binary}: ${error.message}` });
    }
  });
  return {
    send: (message) => {
      if (child.connected) child.send(message);
    },
    stop: async () => {
      stopping = true;
      if (child.pid === undefined) return;
      child.kill('SIGKILL');
      await closed;
    },
  };
}

/** One execution environment: starting, then idle or running one invocation, until it is discarded. */
export class Environment {
  readonly transport: Transport;
  /** Settles once init has run, with its error if it failed; rejects if the environment ends before. */
  readonly ready: Promise<LambdaErrorObject | undefined>;
  /** The invocation it runs now, with its timeout, when it started, and its log so far (the function's lines). */
  current: { readonly invocation: Invocation; readonly timer: NodeJS.Timeout | undefined; readonly startedAt: number; readonly log: string[] } | undefined;
  /** How long its init took, until its first invocation reports it (as Lambda's first REPORT of an environment does). */
  initDurationMs: number | undefined;
  /** Since when it has been idle; undefined while starting or running. */
  idleSince: number | undefined;
  private readonly failReady: (reason: Error) => void;

  constructor(start: (events: TransportEvents) => Transport, onMessage: (message: FromSandbox) => void, onExit: (reason: ExitReason) => void) {
    let settleReady!: (initError: LambdaErrorObject | undefined) => void;
    let failReady!: (reason: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      settleReady = resolve;
      failReady = reject;
    });
    this.failReady = failReady;
    // Reported through the invocation that waits for it; this keeps an unhandled rejection from ending the process.
    this.ready.catch(() => undefined);
    this.transport = start({
      message: (message) => {
        if (message.kind === 'ready') settleReady(message.initError);
        onMessage(message);
      },
      exit: (reason) => {
        failReady(new Error(reason.message));
        onExit(reason);
      },
    });
  }

  /** Ends it; an invocation waiting for its init gets `reason`. */
  discard(reason: string): Promise<void> {
    this.idleSince = undefined;
    this.failReady(new Error(reason));
    return this.transport.stop();
  }
}
