/**
 * The embedded DynamoDB, run as a worker thread by ./dynamodb so that it has a core
 * of its own: dynalite's HTTP server on DYNAMODB_PORT, over LevelDB on disk (or in
 * memory), with the stack's tables created if missing.
 *
 * Durability: dynalite writes through `level` without LevelDB's `sync` option, which
 * leaves an acknowledged write in the operating system's cache only. Every write is
 * made synchronous here (one fdatasync per write batch, LevelDB groups concurrent
 * ones), so a write DynamoDB acknowledged survives a SIGKILL, and a power cut too.
 */
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { DynamoDBWorkerData, FromDynamoDBWorker } from './dynamodb';
import type { TableModel } from './stack-model';

interface LevelDatabase {
  open(): Promise<void>;
}
type LevelClass = new (location: string, options?: object) => LevelDatabase;

const config = workerData as DynamoDBWorkerData;
const port = parentPort!;

const opened: LevelDatabase[] = [];

/** `level` as dynalite resolves it: its Level class gets replaced by one that syncs every write. */
function makeWritesDurable(): void {
  const levelModule = require(require.resolve('level', { paths: [path.dirname(require.resolve('dynalite'))] })) as { Level: LevelClass };
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
      return super._put(key, value, { ...options, sync: true });
    }
    _del(key: unknown, options: Options) {
      return super._del(key, { ...options, sync: true });
    }
    _batch(operations: unknown[], options: Options) {
      return super._batch(operations, { ...options, sync: true });
    }
  }
  levelModule.Level = DurableLevel as unknown as LevelClass;
}

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
  const dynalite = require('dynalite') as (options: object) => Server;
  const server = dynalite({ path: location, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (location) {
    try {
      await Promise.all(opened.map((db) => db.open()));
    } catch (error) {
      const cause = String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
      return failed(
        /lock/i.test(cause)
          ? `DATA_DIR=${config.dataDir} is in use by another local server (LevelDB's lock is held: ${cause}). Stop that server, or set DATA_DIR to another directory.`
          : `DynamoDB's data in ${location} cannot be opened: ${cause}. Move that directory away (its data goes with it), or set DATA_DIR to another directory.`,
      );
    }
  }
  const listening = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    server.once('error', resolve);
    server.listen(config.port, config.host, () => resolve(undefined));
  });
  if (listening) {
    return failed(
      listening.code === 'EADDRINUSE'
        ? `DYNAMODB_PORT ${config.port} is in use on ${config.host} (another \`npm start\`, or a DynamoDB Local?). Stop that process, or set DYNAMODB_PORT to a free port.`
        : `The embedded DynamoDB cannot listen on ${config.host}:${config.port}: ${listening.message}. Check HOST and DYNAMODB_PORT.`,
    );
  }
  port.on('message', (message: 'stop') => {
    if (message === 'stop') server.close(() => port.postMessage({ kind: 'stopped' } satisfies FromDynamoDBWorker));
  });
  try {
    const created: string[] = [];
    for (const table of config.tables) {
      if (await ensureTable(table)) created.push(table.name);
    }
    return { kind: 'ready', created };
  } catch (error) {
    return failed((error as Error).message);
  }
}

function failed(message: string): FromDynamoDBWorker {
  return { kind: 'failed', message };
}

/** Creates `table` unless it exists; true if it created it. Refuses a stored table whose keys differ from the stack's. */
async function ensureTable(table: TableModel): Promise<boolean> {
  const described = await call('DescribeTable', { TableName: table.name });
  if (described.ok) {
    const keySchema = (described.body.Table as { KeySchema: { AttributeName: string; KeyType: string }[] }).KeySchema;
    const stored = keySchema.map((key) => `${key.KeyType === 'HASH' ? 'hash' : 'range'} key ${key.AttributeName}`).join(', ');
    const declared = [`hash key ${table.hashKey.name}`, ...(table.rangeKey ? [`range key ${table.rangeKey.name}`] : [])].join(', ');
    if (stored !== declared) {
      throw new Error(
        `The table ${table.name} stored in DATA_DIR=${config.dataDir} has ${stored}, but the stack declares ${declared}. ` +
          `Delete ${path.join(config.dataDir ?? '', 'dynamodb')} (its data goes with it), or set DATA_DIR to another directory.`,
      );
    }
    return false;
  }
  const index = (i: TableModel['globalSecondaryIndexes'][number]) => ({
    IndexName: i.name,
    KeySchema: [{ AttributeName: i.hashKey, KeyType: 'HASH' }, ...(i.rangeKey ? [{ AttributeName: i.rangeKey, KeyType: 'RANGE' }] : [])],
    Projection: { ProjectionType: i.projectionType, ...(i.nonKeyAttributes.length > 0 ? { NonKeyAttributes: i.nonKeyAttributes } : {}) },
  });
  const created = await call('CreateTable', {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: table.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: table.hashKey.name, KeyType: 'HASH' },
      ...(table.rangeKey ? [{ AttributeName: table.rangeKey.name, KeyType: 'RANGE' }] : []),
    ],
    ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(index) } : {}),
    ...(table.localSecondaryIndexes.length > 0 ? { LocalSecondaryIndexes: table.localSecondaryIndexes.map(index) } : {}),
  });
  if (!created.ok) throw new Error(`The embedded DynamoDB refused to create ${table.address} (${table.name}): ${JSON.stringify(created.body)}.`);
  return true;
}

/** One DynamoDB API call to this worker's own server; dynalite checks that a signature is present, not what it is. */
async function call(operation: string, input: object): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const response = await fetch(`http://${config.clientHost}:${config.port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20250101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
    },
    body: JSON.stringify(input),
  });
  return { ok: response.ok, body: (await response.json()) as Record<string, unknown> };
}

start().then(
  (message) => port.postMessage(message),
  (error: unknown) => port.postMessage(failed(error instanceof Error ? (error.stack ?? error.message) : String(error))),
);
