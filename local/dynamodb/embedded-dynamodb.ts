/**
 * The embedded DynamoDB as clients see it on DYNAMODB_PORT: a front in the main
 * thread receives each request, refuses what DynamoDB refuses for its documented
 * limits (./limits), and hands the rest to dynalite in a worker thread
 * (./worker), through its host (./worker-host), which supervises it.
 *
 * The front never runs dynalite, so no request can stall or stop it, and the
 * host supervises the worker:
 * - stuck: when the worker's event loop makes no progress for STALL_MS while
 *   requests wait, the worker is ended and replaced;
 * - crashed: the same, when the worker ends on its own.
 * Either way the requests it had begun (the one it was stuck on among them) get
 * DynamoDB's 500 InternalServerError, and those it had not begun go to the new
 * worker. Every write DynamoDB acknowledged is on disk already, so the new worker
 * starts on the same data (with --in-memory there is none to keep: it starts with
 * the stack's tables empty).
 * - storage: a write the disk refuses gets 500 from the worker; the front logs it
 *   once, and, for a full disk, restarts the worker once there is room again
 *   (LevelDB may refuse writes until it reopens), reads being served meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { clientHost, urlHost } from '../shared/host';
import { readBody } from '../shared/http';
import { LocalError } from '../shared/local-error';
import type { TableModel } from '../stack/model';
import { checkLimits, jsonDepthExceeds, type KeySchema, MAX_JSON_DEPTH, nestingRefusal, type Refusal } from './limits';
import { type DynamoDBAnswer, errorResponse, internalServerError, VALIDATION_EXCEPTION } from './protocol';
import { createTable, tableState } from './tables';
import { STOP_TIMEOUT_MS, WorkerHost } from './worker-host';

export interface DynamoDBOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
  readonly region: string;
  /**
   * Where the front reports what clients cannot see: a replaced worker, a full disk.
   * @default one line each on stderr
   */
  readonly log?: (line: string) => void;
}

/** DynamoDB's limit on a request's size (dynalite's too). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const API_VERSION = 'DynamoDB_20120810';
/** Headers of dynalite's answer that belong to its connection, not to the answer. */
const CONNECTION_HEADERS: ReadonlySet<string> = new Set(['connection', 'transfer-encoding', 'content-length', 'keep-alive']);

export class EmbeddedDynamoDB {
  /** URL clients on this machine use, e.g. for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;

  private constructor(
    private readonly front: Server,
    private readonly host: WorkerHost,
    /** The key attributes of each table, for the limits on keys. */
    private readonly keySchemas: Map<string, KeySchema>,
    options: DynamoDBOptions,
    /** Tables this start created (the others existed in DATA_DIR). */
    readonly created: readonly string[],
  ) {
    this.endpoint = `http://${urlHost(clientHost(options.host))}:${options.port}`;
  }

  /** Starts the worker, and once its tables are there, listens on DYNAMODB_PORT: no client ever sees a table missing. */
  static async start(options: DynamoDBOptions): Promise<EmbeddedDynamoDB> {
    const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
    const keySchemas = new Map<string, KeySchema>(options.tables.map((t) => [t.name, keySchemaOf(t)]));
    const host = new WorkerHost(options, log);
    const front = createServer((req, res) => {
      serve(req, res, host, keySchemas).catch((error: unknown) => {
        log(`DynamoDB: internal error serving ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`);
        if (res.headersSent) res.destroy();
        else answer(req, res, internalServerError());
      });
    });
    front.keepAliveTimeout = 65_000;
    const created = await host.start();
    try {
      await listen(front, options);
    } catch (error) {
      await host.stop();
      throw error;
    }
    return new EmbeddedDynamoDB(front, host, keySchemas, options, created);
  }

  /**
   * Makes sure of the tables a reloaded stack declares: creates those missing, and
   * changes nothing at all when one exists with other keys than declared (reported;
   * its data is never dropped). Tables the stack no longer declares stay as they are.
   */
  async declareTables(tables: readonly TableModel[]): Promise<DeclaredTables> {
    const call = (operation: string, input: object) => this.host.call(operation, input);
    const states = await Promise.all(tables.map(async (table) => ({ table, state: await tableState(table, call) })));
    const otherKeys = states.flatMap(({ table, state }) => (state.kind === 'other-keys' ? [{ table: table.name, stored: state.stored, declared: state.declared }] : []));
    if (otherKeys.length > 0) return { created: [], otherKeys };
    const created: string[] = [];
    for (const { table, state } of states) {
      if (state.kind !== 'missing') continue;
      await createTable(table, call);
      created.push(table.name);
    }
    for (const table of tables) this.keySchemas.set(table.name, keySchemaOf(table));
    this.host.addTables(tables);
    return { created, otherKeys: [] };
  }

  /** Stops listening, lets requests in flight finish, then closes the database (LevelDB closes cleanly) and ends the worker. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.front.close(() => resolve()));
    this.front.closeIdleConnections();
    const grace = setTimeout(() => this.front.closeAllConnections(), STOP_TIMEOUT_MS);
    await this.host.stop();
    this.front.closeAllConnections();
    await closed;
    clearTimeout(grace);
  }
}

/** What declareTables did: the tables it created, or, when some exist with other keys, those (and nothing done). */
export interface DeclaredTables {
  readonly created: readonly string[];
  readonly otherKeys: readonly { readonly table: string; readonly stored: string; readonly declared: string }[];
}

function keySchemaOf(table: TableModel): KeySchema {
  return { hashKey: table.hashKey.name, rangeKey: table.rangeKey?.name };
}

/** One client request: refused by DynamoDB's limits here, or answered by the worker. */
async function serve(req: IncomingMessage, res: ServerResponse, host: WorkerHost, keySchemas: ReadonlyMap<string, KeySchema>): Promise<void> {
  const body = await readBody(req, MAX_REQUEST_BYTES).catch(() => null);
  if (body === null) {
    res.destroy(); // The client went away mid-request.
    return;
  }
  if (body === undefined) {
    res.writeHead(413, { Connection: 'close' }).end();
    return;
  }
  const text = body.toString('utf8');
  const refused = limitsRefusal(req, body, text, keySchemas);
  answer(req, res, refused ? errorResponse(400, VALIDATION_EXCEPTION, refused.message) : await host.send(req, text));
}

/**
 * DynamoDB's refusal of a request for its limits, if any. Requests dynalite refuses
 * before validating anything (not POST, no body, no signature) go to it as they
 * are: its answers to those parse the body without recursion, if at all.
 */
function limitsRefusal(req: IncomingMessage, body: Buffer, text: string, keySchemas: ReadonlyMap<string, KeySchema>): Refusal | undefined {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || body.length === 0 || typeof target !== 'string' || !isSigned(req)) return undefined;
  const operation = target.slice(target.indexOf('.') + 1);
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) return nestingRefusal(operation);
  if (!target.startsWith(`${API_VERSION}.`)) return undefined;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return undefined; // dynalite answers SerializationException.
  }
  return checkLimits(operation, input, keySchemas);
}

function isSigned(req: IncomingMessage): boolean {
  return req.headers.authorization?.trim().startsWith('AWS4-') === true || (req.url ?? '').includes('X-Amz-Algorithm=');
}

/** Sends `response` as DynamoDB does: its headers, a request id, the body's CRC32 (the AWS CLI checks it). */
function answer(req: IncomingMessage, res: ServerResponse, response: DynamoDBAnswer): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) {
    if (!CONNECTION_HEADERS.has(name)) res.setHeader(name, value);
  }
  // Answers dynalite did not write (the front's, a 500) take the request's JSON flavour, as dynalite's do.
  if (response.headers['x-amzn-requestid'] === undefined && req.headers['content-type']?.startsWith('application/json')) {
    res.setHeader('content-type', 'application/json');
  }
  if (!res.hasHeader('x-amzn-requestid')) res.setHeader('x-amzn-RequestId', requestId());
  if (!res.hasHeader('x-amz-crc32')) res.setHeader('x-amz-crc32', crc32(response.body));
  res.setHeader('content-length', Buffer.byteLength(response.body));
  res.end(response.body);
}

const REQUEST_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 52 characters from A-Z 0-9, as DynamoDB's request ids. */
function requestId(): string {
  return Array.from(randomBytes(52), (byte) => REQUEST_ID_ALPHABET[byte % REQUEST_ID_ALPHABET.length]).join('');
}

function listen(server: Server, options: DynamoDBOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new LocalError(
          error.code === 'EADDRINUSE'
            ? `DYNAMODB_PORT ${options.port} is in use on ${options.host} (another \`npm start\`, or a DynamoDB Local?). Stop that process, or set DYNAMODB_PORT to a free port.`
            : `The embedded DynamoDB cannot listen on ${options.host}:${options.port}: ${error.message}. Check HOST and DYNAMODB_PORT.`,
        ),
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
}
