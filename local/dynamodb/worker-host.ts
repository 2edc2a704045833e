/**
 * The embedded DynamoDB's worker (./worker, dynalite) as the front (./embedded-dynamodb)
 * sees it: started on the stack's tables, sent each request, watched, and replaced
 * when it is stuck or gone, or when a full disk has room again. Requests it leaves
 * unanswered get DynamoDB's 500 InternalServerError, never silence.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ownRequestHeaders } from '../shared/dynamodb-request';
import { LocalError } from '../shared/local-error';
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import { workerScript } from '../shared/worker-script';
import type { TableModel } from '../stack/model';
import {
  BUSY_SLOT,
  type DynamoDBAnswer,
  type DynamoDBRequest,
  type DynamoDBWorkerData,
  type FromDynamoDBWorker,
  internalServerError,
  SHARED_SLOTS,
  STARTED_SLOT,
  TICK_SLOT,
  type ToDynamoDBWorker,
} from './protocol';

export interface WorkerHostOptions {
  /** undefined: in memory only. */
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
  readonly region: string;
}

/** The worker's script. */
const WORKER = path.join(__dirname, 'worker.ts');

/** A worker whose event loop makes no progress this long, while requests wait for it, is stuck. */
export const STALL_MS = 3000;
/** A request the worker leaves unanswered this long gets InternalServerError, even from a worker that seems alive. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How often the front looks at the worker. */
const WATCH_MS = 250;
/** How long a graceful stop may take before the worker is ended anyway; every write is on disk already. */
export const STOP_TIMEOUT_MS = 3000;
/** How long a request that stalled or ended a worker is refused at once when sent again. */
const QUARANTINE_MS = 60_000;
/** Operations that change nothing: begun by a replaced worker beside the request that stalled it, they go to the next. */
const READS: ReadonlySet<string> = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'DescribeTable', 'ListTables', 'DescribeTimeToLive', 'ListTagsOfResource']);
/** After a worker failed to start, the next attempt comes this much later. */
const RESTART_RETRY_MS = 2000;
/** How often the free space of a full disk is looked at, and how much there must be to write again. */
const DISK_POLL_MS = 1000;
export const RESUME_FREE_BYTES = 16 * 1024 * 1024;
/** The request headers dynalite reads: only these are copied to its thread. */
const DYNALITE_HEADERS = ['content-type', 'x-amz-target', 'authorization', 'x-amz-date', 'date', 'origin', 'access-control-request-headers', 'access-control-request-method'] as const;

interface Pending {
  readonly request: DynamoDBRequest;
  readonly resolve: (response: DynamoDBAnswer) => void;
  /** When it was posted to the worker (performance.now()). */
  sentAt: number;
}

/** The worker running dynalite: starts it, posts requests to it, and replaces it when it is stuck or gone. */
export class WorkerHost {
  private worker: Worker | undefined;
  /** The current worker's shared slots (STARTED_SLOT, TICK_SLOT); each worker gets its own. */
  private shared = new Int32Array(new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  /** starting: requests wait; ready: they go to the worker; down: no worker could start; stopping: no new ones. */
  private status: 'starting' | 'ready' | 'down' | 'stopping' = 'starting';
  /** Posted to the current worker and not answered yet, in the order sent. */
  private readonly inFlight = new Map<number, Pending>();
  /** Waiting for a worker to be ready, in sequence order. */
  private waiting: Pending[] = [];
  /** Requests to post at the end of this turn of the event loop, as one message. */
  private outbox: DynamoDBRequest[] = [];
  private nextSeq = 1;
  private lastTick = 0;
  private tickSeenAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  /** The storage error being reported, until writing works again. */
  private storageTrouble: string | undefined;
  private diskPoll: NodeJS.Timeout | undefined;
  /** Requests that stalled or ended a worker, by fingerprint, with when they may be tried again. */
  private readonly quarantine = new Map<string, number>();
  /** The tables a new worker makes sure of: the stack's, and those a reloaded stack added. */
  private tables: readonly TableModel[];

  constructor(
    private readonly options: WorkerHostOptions,
    private readonly log: (line: string) => void,
  ) {
    this.tables = options.tables;
  }

  async start(): Promise<readonly string[]> {
    const created = await this.spawn();
    this.watchdog = setInterval(() => this.watch(), WATCH_MS).unref();
    return created;
  }

  /** Resolves with the worker's answer, or DynamoDB's 500 when none can come. */
  send(req: IncomingMessage, body: string): Promise<DynamoDBAnswer> {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const name of DYNALITE_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    return this.submit({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body });
  }

  /**
   * One DynamoDB API call of the server's own (a reloaded stack's new table), sent as
   * a client's would be, in turn with theirs.
   */
  async call(operation: string, input: object): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const answer = await this.submit({ method: 'POST', url: '/', headers: ownRequestHeaders(operation), body: JSON.stringify(input) });
    return { ok: answer.status === 200, body: JSON.parse(answer.body) as Record<string, unknown> };
  }

  /** Tables a new worker makes sure of from now on, besides (or instead of, by name) those it had. */
  addTables(tables: readonly TableModel[]): void {
    const names = new Set(tables.map((table) => table.name));
    this.tables = [...this.tables.filter((table) => !names.has(table.name)), ...tables];
  }

  private submit(fields: Omit<DynamoDBRequest, 'seq'>): Promise<DynamoDBAnswer> {
    if (this.status === 'down' || this.status === 'stopping') return Promise.resolve(internalServerError());
    const request: DynamoDBRequest = { seq: this.nextSeq++, ...fields };
    if (this.quarantine.size > 0 && this.quarantined(request)) return Promise.resolve(internalServerError());
    return new Promise((resolve) => {
      const pending: Pending = { request, resolve, sentAt: 0 };
      if (this.status === 'ready') this.post(pending);
      else this.waiting.push(pending);
    });
  }

  private quarantined(request: DynamoDBRequest): boolean {
    const now = performance.now();
    for (const [key, until] of this.quarantine) if (until <= now) this.quarantine.delete(key);
    return this.quarantine.has(fingerprint(request));
  }

  private post(pending: Pending): void {
    const now = performance.now();
    // Idle time is no stall: the clock starts when the worker has work.
    if (this.inFlight.size === 0) {
      this.lastTick = Atomics.load(this.shared, TICK_SLOT);
      this.tickSeenAt = now;
    }
    pending.sentAt = now;
    this.inFlight.set(pending.request.seq, pending);
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push(pending.request);
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0) this.worker?.postMessage(batch satisfies ToDynamoDBWorker);
  }

  /** Starts a worker on the data and waits until its tables are there; posts the requests that waited. */
  private async spawn(): Promise<readonly string[]> {
    this.status = 'starting';
    const state = new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const workerData: DynamoDBWorkerData = { dataDir: this.options.dataDir, tables: this.tables, state };
    const worker = new Worker(workerScript(WORKER), {
      eval: true,
      workerData,
      // dynalite builds its ARNs from these.
      env: { AWS_REGION: this.options.region, AWS_ACCOUNT_ID: LOCAL_ACCOUNT_ID },
    });
    const first = await new Promise<FromDynamoDBWorker>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the embedded DynamoDB exited with code ${code} while starting`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: FromDynamoDBWorker) => {
        // Only these: removeAllListeners would also drop the Worker's own, which keep its port alive.
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(message);
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    if (first.kind !== 'ready') {
      await worker.terminate();
      throw new LocalError(first.kind === 'failed' ? first.message : 'the embedded DynamoDB stopped while starting');
    }
    worker.on('message', (message: FromDynamoDBWorker) => this.receive(worker, message));
    worker.on('error', (error) => this.lost(worker, `stopped on an error: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `exited with code ${code}`));
    this.worker = worker;
    this.shared = new Int32Array(state);
    this.status = 'ready';
    const waiting = this.waiting;
    this.waiting = [];
    for (const pending of waiting) this.post(pending);
    return first.created;
  }

  private receive(worker: Worker, message: FromDynamoDBWorker): void {
    if (worker !== this.worker) return;
    if (message.kind === 'responses') {
      for (const { seq, ...response } of message.responses) {
        const pending = this.inFlight.get(seq);
        if (!pending) continue; // Timed out already.
        this.inFlight.delete(seq);
        pending.resolve(response);
      }
    } else if (message.kind === 'storage-error') this.storageFailed(message.message);
  }

  private lost(worker: Worker, how: string): void {
    if (worker !== this.worker || this.status === 'stopping') return;
    this.replace(`the embedded DynamoDB ${how}`);
  }

  /** Looks for a stuck worker and for requests unanswered too long. */
  private watch(): void {
    if (this.status !== 'ready' || this.inFlight.size === 0) return;
    const now = performance.now();
    const tick = Atomics.load(this.shared, TICK_SLOT);
    if (tick !== this.lastTick) {
      this.lastTick = tick;
      this.tickSeenAt = now;
    } else if (now - this.tickSeenAt >= STALL_MS) {
      const culprit = this.inFlight.get(Atomics.load(this.shared, BUSY_SLOT));
      this.replace(
        culprit
          ? `the embedded DynamoDB was busy with ${describe(culprit.request)} for over ${STALL_MS / 1000} s, serving no one`
          : `the embedded DynamoDB made no progress for over ${STALL_MS / 1000} s`,
        culprit,
      );
      return;
    }
    for (const [seq, pending] of this.inFlight) {
      if (now - pending.sentAt < REQUEST_TIMEOUT_MS) break; // In the order sent: the rest are younger.
      this.inFlight.delete(seq);
      this.log(`DynamoDB: ${describe(pending.request)} got no answer in ${REQUEST_TIMEOUT_MS / 1000} s; it got 500 InternalServerError.`);
      pending.resolve(internalServerError());
    }
  }

  /**
   * Ends the current worker and starts another on the same data. The request it was
   * stuck on, when known, gets InternalServerError, and so does the same request sent
   * again within QUARANTINE_MS (the SDKs retry a 500, which would stall the next
   * worker too). What it had begun besides may be half done, so gets
   * InternalServerError (which the SDKs retry), except reads beside a known culprit;
   * what it had not begun goes to the new worker.
   */
  private replace(what: string, culprit?: Pending): void {
    const old = this.worker;
    this.worker = undefined;
    this.status = 'starting';
    const started = Atomics.load(this.shared, STARTED_SLOT);
    if (culprit) this.quarantine.set(fingerprint(culprit.request), performance.now() + QUARANTINE_MS);
    let failed = 0;
    const again: Pending[] = [];
    for (const [seq, pending] of this.inFlight) {
      if (seq > started || (culprit && pending !== culprit && READS.has(operationOf(pending.request)))) again.push(pending);
      else {
        failed++;
        pending.resolve(internalServerError());
      }
    }
    this.inFlight.clear();
    this.outbox = [];
    this.waiting = [...again, ...this.waiting];
    this.log(
      `DynamoDB: ${what}; replaced it with a new one ${this.options.dataDir ? 'on the same data' : 'with empty tables (--in-memory keeps no data across it)'}. ` +
        `${culprit ? `That request, and the same one sent again in the next ${QUARANTINE_MS / 1000} s, get 500 InternalServerError. ` : ''}` +
        `${failed} request(s) it had begun got 500 InternalServerError${again.length > 0 ? `; ${again.length} go to the new one` : ''}.`,
    );
    void (old ? old.terminate() : Promise.resolve()).then(() => this.respawn());
  }

  /** Starts a worker, and keeps trying while it fails, answering 500 meanwhile. */
  private respawn(reported = false): void {
    if (this.status === 'stopping') return;
    this.spawn().then(
      () => {
        if (reported) this.log('DynamoDB: the embedded DynamoDB started again.');
      },
      (error: unknown) => {
        if (!reported) {
          this.log(
            `DynamoDB: the embedded DynamoDB cannot start (${error instanceof Error ? error.message : String(error)}); ` +
              `trying again every ${RESTART_RETRY_MS / 1000} s, and answering 500 InternalServerError meanwhile.`,
          );
        }
        this.status = 'down';
        for (const pending of this.waiting.splice(0)) pending.resolve(internalServerError());
        setTimeout(() => this.respawn(true), RESTART_RETRY_MS).unref();
      },
    );
  }

  /** One line per outage; a full disk is watched until it has room, then the worker restarts. */
  private storageFailed(message: string): void {
    if (this.storageTrouble !== undefined) return;
    this.storageTrouble = message;
    const dataDir = this.options.dataDir ?? '';
    if (!/no space|ENOSPC|quota/i.test(message)) {
      this.log(
        `DynamoDB: writing to DATA_DIR=${dataDir} failed (${message}). Writes get 500 InternalServerError; reads go on. ` +
          'Fix the cause, then restart the server: the data written so far is kept.',
      );
      return;
    }
    this.log(
      `DynamoDB: the disk of DATA_DIR=${dataDir} is full (${message}). Writes get 500 InternalServerError until it has room; ` +
        'reads go on, and nothing written so far is lost. Free some space on that disk: writing resumes by itself.',
    );
    const location = path.join(dataDir, 'dynamodb');
    let checking = false;
    this.diskPoll = setInterval(() => {
      if (checking) return;
      checking = true;
      void this.resumeIfRoom(location).finally(() => (checking = false));
    }, DISK_POLL_MS).unref();
  }

  private async resumeIfRoom(location: string): Promise<void> {
    const stats = await fs.promises.statfs(location).catch(() => undefined);
    if (!stats || stats.bavail * stats.bsize < RESUME_FREE_BYTES || this.status !== 'ready') return;
    clearInterval(this.diskPoll);
    // LevelDB may keep refusing writes after a failed one until it is reopened.
    const old = this.worker!;
    this.status = 'starting';
    await this.drain();
    this.worker = undefined;
    await stopWorker(old);
    this.storageTrouble = undefined;
    this.log(`DynamoDB: DATA_DIR=${this.options.dataDir} has room again; writes resumed.`);
    this.respawn();
  }

  /** Waits until the requests in flight are answered (up to STOP_TIMEOUT_MS); those left get InternalServerError. */
  private async drain(): Promise<void> {
    const until = performance.now() + STOP_TIMEOUT_MS;
    while (this.inFlight.size > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const pending of this.inFlight.values()) pending.resolve(internalServerError());
    this.inFlight.clear();
  }

  /** Answers what waits, lets what is in flight finish, then closes the database and ends the worker. */
  async stop(): Promise<void> {
    this.status = 'stopping';
    clearInterval(this.watchdog);
    clearInterval(this.diskPoll);
    for (const pending of this.waiting.splice(0)) pending.resolve(internalServerError());
    const worker = this.worker;
    if (!worker) return;
    await this.drain();
    this.worker = undefined;
    await stopWorker(worker);
  }
}

/** Asks `worker` to close the database, then ends it (after STOP_TIMEOUT_MS in any case). */
async function stopWorker(worker: Worker): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.on('message', (message: FromDynamoDBWorker) => message.kind === 'stopped' && done());
    worker.once('exit', done);
    worker.postMessage('stop' satisfies ToDynamoDBWorker);
  });
  await worker.terminate();
}

/** The operation a request names (`GetItem`), or its method and path. */
function operationOf(request: DynamoDBRequest): string {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : `${request.method} ${request.url}`;
}

/** The same operation with the same body: what an SDK sends when it retries. */
function fingerprint(request: DynamoDBRequest): string {
  return createHash('sha256').update(operationOf(request)).update('\n').update(request.body).digest('base64');
}

/** `a PutItem on lambda-apigateway`, for a log line; never a value from the request's items. */
function describe(request: DynamoDBRequest): string {
  const operation = operationOf(request);
  const table = /"TableName"\s*:\s*"([\w.-]{1,255})"/.exec(request.body)?.[1];
  return table ? `a ${operation} on ${table}` : `a ${operation}`;
}
