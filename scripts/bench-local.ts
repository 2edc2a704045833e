/**
 * Throughput and latency of the local server (`npm start`), against the embedded
 * DynamoDB called directly, in one run: create and read at concurrency 32, through
 * `POST /prod/DynamoDBManager`, and as the same DocumentClient put and get calls
 * made straight to DYNAMODB_PORT. Prints JSON, then a summary.
 *
 *   node -r ./scripts/ts-register.js scripts/bench-local.ts
 *
 * The stack is synthesized into a temporary directory with the stage's throttling
 * raised to its maximum, so the server's capacity is measured rather than the
 * API_THROTTLE_* limits (100 requests/s by default). Data is kept on disk, in a
 * temporary DATA_DIR, with every write synced, as `npm start` keeps it.
 *
 * Environment: BENCH_REQUESTS (per phase, default 3000), BENCH_CONCURRENCY (default 32),
 * BENCH_WARMUP (requests per path before the phases, default 300). Each of the function's
 * execution environments compiles its code on its own, as in Lambda, so at concurrency 32
 * (32 environments) the API's figure depends on how much each has run: see the README.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { freePort } from './support/free-port';
import { synthesize } from './support/synth';

const ROOT = path.join(__dirname, '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS || 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);
const WARMUP = Number(process.env.BENCH_WARMUP || 300);
const TABLE = 'lambda-apigateway';
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 50;

interface PhaseResult {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  const [port, dynamodbPort] = [await freePort(), await freePort()];
  let server: ChildProcess | undefined;
  try {
    synthesize(path.join(work, 'cdktf.out'), { API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
    const started = await startServer(path.join(work, 'cdktf.out'), path.join(work, 'data'), port, dynamodbPort);
    server = started.child;

    const documentClient = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${dynamodbPort}`,
        region: 'us-east-2',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const api = (body: string) => post(agent, port, '/prod/DynamoDBManager', body);
    const item = (prefix: string, i: number) => ({ id: `${prefix}-${i}`, name: `Bob ${i}`, number: i });

    const phases: Record<string, PhaseResult> = {};
    // Warm-up: JIT, connections, LevelDB files, both paths.
    await run(WARMUP, (i) => documentClient.send(new PutCommand({ TableName: TABLE, Item: item('warm-direct', i) })));
    await run(WARMUP, (i) => api(JSON.stringify({ operation: 'create', tableName: TABLE, payload: { Item: item('warm-api', i) } })));

    phases.directCreate = await run(REQUESTS, (i) => documentClient.send(new PutCommand({ TableName: TABLE, Item: item('direct', i) })));
    phases.apiCreate = await run(REQUESTS, (i) => api(JSON.stringify({ operation: 'create', tableName: TABLE, payload: { Item: item('api', i) } })));
    phases.directRead = await run(REQUESTS, (i) => documentClient.send(new GetCommand({ TableName: TABLE, Key: { id: `direct-${i}` } })));
    phases.apiRead = await run(REQUESTS, (i) => api(JSON.stringify({ operation: 'read', tableName: TABLE, payload: { Key: { id: `api-${i}` } } })));

    const ratio = (a: PhaseResult, b: PhaseResult) => Math.round((a.requestsPerSecond / b.requestsPerSecond) * 100) / 100;
    const report = {
      machine: { cpus: os.cpus().length, node: process.versions.node },
      // The banner's line: which Node.js runs the function, and how it was found (worker threads when it is the server's own).
      functionNode: /runs on (Node\.js .*)/.exec(started.banner)?.[1],
      requestsPerPhase: REQUESTS,
      warmupPerPath: WARMUP,
      concurrency: CONCURRENCY,
      phases,
      ratios: { create: ratio(phases.apiCreate, phases.directCreate), read: ratio(phases.apiRead, phases.directRead) },
      targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n`);
    const line = (name: string, p: PhaseResult) =>
      `  ${name.padEnd(24)} ${p.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${p.p50Ms.toFixed(1).padStart(5)} ms   p99 ${p.p99Ms.toFixed(1).padStart(5)} ms${p.errors ? `   ${p.errors} errors` : ''}`;
    const verdict = (api: PhaseResult, r: number) =>
      `${r >= TARGET_RATIO ? 'meets' : 'MISSES'} the ${TARGET_RATIO} throughput target, ${api.p99Ms <= TARGET_P99_MS ? 'meets' : 'MISSES'} the ${TARGET_P99_MS} ms p99 target`;
    process.stdout.write(
      [
        `Local server vs direct DynamoDB calls, ${REQUESTS} requests per phase at concurrency ${CONCURRENCY} after ${WARMUP} per path, ${os.cpus().length} cores, Node.js ${process.versions.node};`,
        `the function on ${report.functionNode}:`,
        line('create via local API', phases.apiCreate),
        line('put direct', phases.directCreate),
        `    ratio ${report.ratios.create}: ${verdict(phases.apiCreate, report.ratios.create)}`,
        line('read via local API', phases.apiRead),
        line('get direct', phases.directRead),
        `    ratio ${report.ratios.read}: ${verdict(phases.apiRead, report.ratios.read)}`,
        '',
      ].join('\n'),
    );
    agent.destroy();
    documentClient.destroy();
  } finally {
    if (server) await stopServer(server);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function startServer(outDir: string, dataDir: string, port: number, dynamodbPort: number): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'local/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outDir, DATA_DIR: dataDir, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    // Once ready, the server's output (a line per request and the function's logs) is read and dropped: kept, and
    // searched on every chunk, it would cost this process more with each request, and the phases measured later more.
    const onData = (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      if (output.includes('Ready on')) {
        ready = true;
        resolve({ child, banner: output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (!ready) output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready:\n${output}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs `count` calls of `call` with CONCURRENCY in flight; times each. */
async function run(count: number, call: (i: number) => Promise<unknown>): Promise<PhaseResult> {
  const latencies = new Float64Array(count);
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      try {
        await call(i);
      } catch {
        errors++;
      }
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const at = (q: number) => Math.round(latencies[Math.min(count - 1, Math.floor(q * count))] * 10) / 10;
  return { requests: count, errors, requestsPerSecond: Math.round(count / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** One POST; rejects unless the API answers 200. */
function post(agent: http.Agent, port: number, urlPath: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}


main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
