/**
 * The embedded DynamoDB, run as a worker thread by ./worker-host: dynalite over LevelDB
 * on disk (or in memory), with the stack's tables created if missing.
 *
 * It has no socket of its own. The front in the main thread (./embedded-dynamodb) receives
 * each request on DYNAMODB_PORT, checks it against DynamoDB's limits and posts it
 * here, where dynalite's own request handler answers it. So a request that keeps
 * dynalite busy, or ends this thread, never takes the port with it: the front
 * answers for it and starts another worker on the same data.
 *
 * The front watches two shared counters: the sequence number of the request this
 * thread last began, and a tick this thread's event loop advances while it is free.
 *
 * Durability: dynalite writes through `level` without LevelDB's `sync` option, which
 * leaves an acknowledged write in the operating system's cache only. Every write is
 * made synchronous here (one fdatasync per write batch, LevelDB groups concurrent
 * ones), so a write DynamoDB acknowledged survives a SIGKILL, and a power cut too.
 *
 * Storage failures: a write LevelDB refuses (a full disk, above all) would make
 * dynalite throw out of a callback and end this thread. It is answered instead with
 * DynamoDB's InternalServerError (HTTP 500), through dynalite's own error path, and
 * the front is told, to log it once and to resume writing when it can.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ownRequestHeaders } from '../shared/dynamodb-request';
import { itemBytes } from './limits';
import { ensureTable } from './tables';
import {
  type DynamoDBRequest,
  type DynamoDBResponse,
  type DynamoDBWorkerData,
  type FromDynamoDBWorker,
  internalServerError,
  STARTED_SLOT,
  TICK_MS,
  TICK_SLOT,
  type ToDynamoDBWorker,
  BUSY_SLOT,
} from './protocol';

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelClass = new (location: string, options?: object) => LevelDatabase;

/** The part of node:http's request dynalite's handler reads. */
class RequestStream extends EventEmitter {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>>,
  ) {
    super();
  }
}

/** The part of node:http's response dynalite's handler writes; `end` hands the answer on, once. */
class ResponseCollector {
  statusCode = 200;
  /** dynalite keeps the response's content type here. */
  contentType: string | undefined;
  private readonly headers: Record<string, string> = {};
  private answered = false;

  constructor(
    private readonly seq: number,
    private readonly deliver: (response: DynamoDBResponse) => void,
  ) {}

  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }

  end(body?: string): void {
    if (this.answered) return;
    this.answered = true;
    this.deliver({ seq: this.seq, status: this.statusCode, headers: this.headers, body: body ?? '' });
  }

  /** DynamoDB's 500, unless an answer is out already. */
  fail(): void {
    if (this.answered) return;
    this.answered = true;
    this.deliver({ seq: this.seq, ...internalServerError() });
  }
}

type DynaliteHandler = (req: RequestStream, res: ResponseCollector) => void;

const config = workerData as DynamoDBWorkerData;
const port = parentPort!;
const shared = new Int32Array(config.state);
const opened: LevelDatabase[] = [];

/** Where dynalite and the `level` it loads live. */
const dynaliteDir = path.dirname(require.resolve('dynalite'));

/** `level` as dynalite resolves it: its Level class gets replaced by one that syncs every write and reports failed ones. */
function makeWritesDurable(): void {
  const levelModule = require(require.resolve('level', { paths: [dynaliteDir] })) as { Level: LevelClass };
  const Level = levelModule.Level;
  type Options = Record<string, unknown> | undefined;
  class DurableLevel extends (Level as unknown as new (location: string, options?: object) => LevelDatabase & {
    _put(key: unknown, value: unknown, options: Options): Promise<void>;
    _del(key: unknown, options: Options): Promise<void>;
    _batch(operations: unknown[], options: Options): Promise<void>;
  }) {
    constructor(location: string, options?: object) {
      super(location, options);
      opened.push(this);
    }
    _put(key: unknown, value: unknown, options: Options) {
      return super._put(key, value, { ...options, sync: true }).catch(storageFailure);
    }
    _del(key: unknown, options: Options) {
      return super._del(key, { ...options, sync: true }).catch(storageFailure);
    }
    _batch(operations: unknown[], options: Options) {
      return super._batch(operations, { ...options, sync: true }).catch(storageFailure);
    }
  }
  levelModule.Level = DurableLevel as unknown as LevelClass;
}

/**
 * A write LevelDB refused becomes an error dynalite answers as it answers its own
 * (it sends `body` with `statusCode`), instead of throwing it out of a callback.
 */
function storageFailure(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  send({ kind: 'storage-error', message });
  const { status, body } = internalServerError();
  throw Object.assign(new Error(message, { cause: error }), { statusCode: status, body: JSON.parse(body) as object });
}

/**
 * dynalite checks item sizes with this export (PutItem, BatchWriteItem, and an
 * UpdateItem's result), counting characters; DynamoDB counts UTF-8 bytes. Its
 * other uses (capacity units) pass more arguments and keep dynalite's counting.
 */
function countItemSizesInBytes(): void {
  const db = require(path.join(dynaliteDir, 'db')) as { itemSize: (item: Record<string, unknown>, ...rest: unknown[]) => number };
  const dynaliteItemSize = db.itemSize;
  db.itemSize = (item, ...rest) => (rest.length === 0 ? itemBytes(item) : dynaliteItemSize(item, ...rest));
}

let handle: DynaliteHandler;

async function start(): Promise<FromDynamoDBWorker> {
  let location: string | undefined;
  if (config.dataDir) {
    location = path.join(config.dataDir, 'dynamodb');
    try {
      fs.mkdirSync(location, { recursive: true });
      fs.accessSync(location, fs.constants.W_OK);
    } catch (error) {
      return failed(
        `DATA_DIR=${config.dataDir} cannot hold DynamoDB's data: ${(error as Error).message}. ` +
          'Set DATA_DIR to a directory you can write to, or run with --in-memory.',
      );
    }
    makeWritesDurable();
  }
  countItemSizesInBytes();
  const dynalite = require('dynalite') as (options: object) => EventEmitter;
  // dynalite builds an HTTP server around its handler; only the handler is used, the server never listens.
  handle = dynalite({ path: location, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }).listeners('request')[0] as DynaliteHandler;
  if (location) {
    try {
      await Promise.all(opened.map((db) => db.open()));
    } catch (error) {
      const cause = String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
      return failed(
        /lock/i.test(cause)
          ? `DATA_DIR=${config.dataDir} is in use by another local server (LevelDB's lock is held: ${cause}). Stop that server, or set DATA_DIR to another directory.`
          : `DynamoDB's data in ${location} cannot be opened: ${cause}. If its disk is full, free some space and start again; ` +
              'otherwise set DATA_DIR to another directory to start with empty tables (this data stays where it is).',
      );
    }
  }
  setInterval(() => Atomics.add(shared, TICK_SLOT, 1), TICK_MS).unref();
  port.on('message', (message: ToDynamoDBWorker) => {
    if (message === 'stop') void stop();
    else for (const request of message) serve(request);
  });
  try {
    const created: string[] = [];
    for (const table of config.tables) {
      const outcome = await ensureTable(table, call);
      if (outcome.kind === 'created') created.push(table.name);
      if (outcome.kind === 'other-keys') {
        return failed(
          `The table ${table.name} stored in DATA_DIR=${config.dataDir} has ${outcome.stored}, but the stack declares ${outcome.declared}. ` +
            'Set DATA_DIR to another directory to start this stack with empty tables (the stored data stays where it is), or declare the stored keys in the stack.',
        );
      }
    }
    return { kind: 'ready', created };
  } catch (error) {
    return failed((error as Error).message);
  }
}

/** Closes LevelDB cleanly (every write is on disk already), then says so. */
async function stop(): Promise<void> {
  await Promise.allSettled(opened.map((db) => db.close()));
  port.postMessage({ kind: 'stopped' } satisfies FromDynamoDBWorker);
}

function failed(message: string): FromDynamoDBWorker {
  return { kind: 'failed', message };
}

/**
 * Hands one request to dynalite's handler. What the handler does at once (parsing,
 * validation, its expression parser) runs here, synchronously: BUSY_SLOT says which
 * request that is, should it never return.
 */
function serve(request: DynamoDBRequest, deliver: (response: DynamoDBResponse) => void = respond): void {
  Atomics.store(shared, STARTED_SLOT, request.seq);
  Atomics.store(shared, BUSY_SLOT, request.seq);
  const req = new RequestStream(request.method, request.url, request.headers);
  const res = new ResponseCollector(request.seq, deliver);
  try {
    handle(req, res);
    // One chunk, as a string: dynalite joins the chunks and calls toString() on the result.
    if (request.body !== '') req.emit('data', request.body);
    req.emit('end');
  } catch (error) {
    // dynalite throws what it does not expect; that request gets DynamoDB's 500, the others go on.
    process.stderr.write(`DynamoDB: internal error serving ${String(request.headers['x-amz-target'] ?? request.method)}: ${error instanceof Error ? error.stack : String(error)}\n`);
    res.fail();
  } finally {
    Atomics.store(shared, BUSY_SLOT, 0);
  }
}

/**
 * Messages for the front, posted together at the end of this turn of the event
 * loop: answers finished in one turn cost one message.
 */
let outbox: DynamoDBResponse[] = [];
function respond(response: DynamoDBResponse): void {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(response);
}
function flush(): void {
  const responses = outbox;
  outbox = [];
  send({ kind: 'responses', responses });
}

function send(message: FromDynamoDBWorker): void {
  port.postMessage(message);
}

/** One DynamoDB API call to dynalite in this thread. */
function call(operation: string, input: object): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const request: DynamoDBRequest = {
      seq: 0,
      method: 'POST',
      url: '/',
      headers: ownRequestHeaders(operation),
      body: JSON.stringify(input),
    };
    serve(request, (response) => resolve({ ok: response.status === 200, body: JSON.parse(response.body) as Record<string, unknown> }));
  });
}

start().then(
  (message) => port.postMessage(message),
  (error: unknown) => port.postMessage(failed(error instanceof Error ? (error.stack ?? error.message) : String(error))),
);
