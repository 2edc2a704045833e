/**
 * Measures the handler's artifact and hot path:
 *   - the bundle's size, raw and zipped (the zip asset packaging ships), as
 *     shipped by bundleHandler and, for comparison, with the AWS SDK left external
 *     (relying on the runtime's SDK) or taken from its CommonJS builds;
 *   - each bundle's module load time (the cold start's share that is ours), as wall
 *     time and as the CPU time it took, which other load on the machine inflates less;
 *   - the handler's cost per call over the same DocumentClient call made directly.
 *
 * Run: node -r ./scripts/ts-register.js scripts/bench-handler.ts
 * Targets: load <= 50 ms, overhead < 10 %.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type BuildOptions, buildSync } from 'esbuild';
import { deterministicZip } from '../constructs/deterministic-zip';
import { BUNDLE_OPTIONS, bundleHandler, SOURCE_MAP_FILE } from '../constructs/handler-bundle';
import { handlerEnvironment, startDynalite, TABLE_NAME } from './support/dynalite';

const run = promisify(execFile);
const PROJECT_ROOT = path.join(__dirname, '..');
const LOAD_SAMPLES = 15;
const LOAD_TARGET_MS = 50;
const CONCURRENCY = 32;
/** Calls per operation and path, split over ROUNDS rounds in alternating order. */
const CALLS = 2000;
const ROUNDS = 20;
const WARM_UP_CALLS = 300;
const OVERHEAD_TARGET_PCT = 10;

type Handler = typeof import('../function/index')['handler'];
type Call = (i: number) => Promise<unknown>;

interface BundleFigures {
  bytes: number;
  zipBytes: number;
  loadMs: number;
  loadSamplesMs: number[];
  loadCpuMs: number;
  loadCpuSamplesMs: number[];
}

async function measureBundle(dir: string, env: NodeJS.ProcessEnv): Promise<BundleFigures> {
  const code = fs.readFileSync(path.join(dir, 'index.js'));
  // The zip that HANDLER_PACKAGING=asset ships: the source map beside the bundle stays out of it.
  const zipBytes = deterministicZip(dir, [SOURCE_MAP_FILE]).length;
  const loadSamplesMs: number[] = [];
  const loadCpuSamplesMs: number[] = [];
  for (let i = 0; i < LOAD_SAMPLES; i++) {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        'const c = process.cpuUsage(); const t = process.hrtime.bigint(); require("./index.js");' +
          ' const wall = Number(process.hrtime.bigint() - t) / 1e6; const { user, system } = process.cpuUsage(c);' +
          ' process.stdout.write(`${wall} ${(user + system) / 1000}`);',
      ],
      { cwd: dir, env }
    );
    const [wall, cpu] = stdout.split(' ').map(Number);
    loadSamplesMs.push(round(wall));
    loadCpuSamplesMs.push(round(cpu));
  }
  return {
    bytes: code.length,
    zipBytes,
    loadMs: median(loadSamplesMs),
    loadSamplesMs,
    loadCpuMs: median(loadCpuSamplesMs),
    loadCpuSamplesMs,
  };
}

interface Sample {
  wallMs: number;
  /** CPU time of this process: dynalite's, the SDK's and the handler's, but no other process's. */
  cpuMs: number;
}

/** Runs `calls` calls of `call`, `CONCURRENCY` at a time. */
async function timed(calls: number, call: Call): Promise<Sample> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls) await call(next++);
    })
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

interface Samples {
  base: Sample[];
  candidate: Sample[];
}

/**
 * Throughput from the totals; overhead as the median over rounds of the
 * candidate's time over the base's in the same round, which a burst of load
 * elsewhere on the machine does not drag along.
 */
function compare(callsPerRound: number, { base, candidate }: Samples) {
  const opsPerSec = (samples: Sample[]) =>
    Math.round(((callsPerRound * samples.length) / samples.reduce((sum, s) => sum + s.wallMs, 0)) * 1000);
  const overheadPct = (of: keyof Sample) =>
    round((median(candidate.map((sample, i) => sample[of] / base[i][of])) - 1) * 100);
  return {
    baseOpsPerSec: opsPerSec(base),
    candidateOpsPerSec: opsPerSec(candidate),
    overheadPct: overheadPct('wallMs'),
    cpuOverheadPct: overheadPct('cpuMs'),
  };
}

/** A way to put item `i` and to get it back; each path writes its own keys. */
interface Path {
  put: Call;
  get: Call;
}

function directPath(client: DynamoDBDocumentClient, name: string): Path {
  const id = (i: number) => `${i}-${name}`;
  return {
    put: (i) => client.send(new PutCommand({ TableName: TABLE_NAME, Item: { id: id(i), name: 'Bob', number: i } })),
    get: (i) => client.send(new GetCommand({ TableName: TABLE_NAME, Key: { id: id(i) } })),
  };
}

function handlerPath(handler: Handler, name: string): Path {
  const id = (i: number) => `${i}-${name}`;
  const context = { awsRequestId: 'bench' };
  return {
    put: (i) => handler({ operation: 'create', payload: { Item: { id: id(i), name: 'Bob', number: i } } }, context),
    get: (i) => handler({ operation: 'read', payload: { Key: { id: id(i) } } }, context),
  };
}

/**
 * `calls` puts then gets along each path, on the same dynalite, in ROUNDS short
 * rounds whose order alternates, so the table's growth and any drift weigh on
 * both paths alike. The keys (`<i>-<path>`) interleave in the table.
 */
async function comparePaths(base: Path, candidate: Path, calls: number) {
  const perRound = Math.ceil(calls / ROUNDS);
  const put: Samples = { base: [], candidate: [] };
  const get: Samples = { base: [], candidate: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const offset = round * perRound;
    const phases: [Sample[], Call][] = [
      [put.base, base.put],
      [put.candidate, candidate.put],
      [get.base, base.get],
      [get.candidate, candidate.get],
    ];
    if (round % 2 === 1) {
      // The candidate first in every other round: swap within the puts and within the gets.
      [phases[0], phases[1], phases[2], phases[3]] = [phases[1], phases[0], phases[3], phases[2]];
    }
    for (const [samples, call] of phases) samples.push(await timed(perRound, (i) => call(i + offset)));
  }
  return { put: compare(perRound, put), get: compare(perRound, get) };
}

/** The handler's own work per call (parse, dispatch, log), with no DynamoDB call to hide it: an echo. */
async function ownCostUs(handler: Handler): Promise<number> {
  const calls = 50_000;
  const context = { awsRequestId: 'bench' };
  const started = performance.now();
  for (let i = 0; i < calls; i++) await handler({ operation: 'echo', payload: { somekey1: 'somevalue1' } }, context);
  return round(((performance.now() - started) / calls) * 1000);
}

/** Builds a variant of the bundle to compare with bundleHandler's: its options plus `changes`. */
function buildVariant(outDir: string, changes: BuildOptions): void {
  buildSync({ ...BUNDLE_OPTIONS, outfile: path.join(outDir, 'index.js'), ...changes });
}

async function measureBundles(work: string, env: NodeJS.ProcessEnv) {
  const shipped = path.join(work, 'shipped');
  bundleHandler(shipped);
  const external = path.join(work, 'sdk-external');
  buildVariant(external, { external: ['@aws-sdk/*'] });
  // esbuild's default for Node: the SDK's CommonJS builds, which tree-shake worse
  // than the ES module builds bundleHandler takes.
  const commonJs = path.join(work, 'sdk-commonjs');
  buildVariant(commonJs, { mainFields: ['main', 'module'] });
  return {
    shipped: await measureBundle(shipped, env),
    // The Lambda runtime provides the SDK on its module path; the project's copy stands in for it.
    sdkExternal: await measureBundle(external, { ...env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') }),
    sdkCommonJs: await measureBundle(commonJs, env),
  };
}

async function measureHotPath(endpoint: string) {
  Object.assign(process.env, handlerEnvironment(endpoint));
  // Loaded only now, as in the tests: the handler reads TABLE_NAME and builds its client at load.
  const { handler } = require('../function/index') as typeof import('../function/index');
  const { TRANSLATE_CONFIG } = require('../function/operations') as typeof import('../function/operations');
  const newClient = () => DynamoDBDocumentClient.from(new DynamoDBClient({}), TRANSLATE_CONFIG);
  const direct = newClient();
  const control = newClient();
  const originalInfo = console.info;
  const devNull = fs.openSync(os.devNull, 'w');
  try {
    // Logging stays on and pays for serialising and a synchronous write, as Lambda's patched console does.
    console.info = (record: unknown) => fs.writeSync(devNull, `${JSON.stringify({ level: 'INFO', message: record })}\n`);
    await comparePaths(directPath(direct, 'warm-up-direct'), handlerPath(handler, 'warm-up-handler'), WARM_UP_CALLS);
    const logToDevNull = {
      ...(await comparePaths(directPath(direct, 'direct'), handlerPath(handler, 'handler'), CALLS)),
      echoUs: await ownCostUs(handler),
    };
    console.info = () => undefined;
    const logDisabled = {
      ...(await comparePaths(directPath(direct, 'direct-2'), handlerPath(handler, 'silent-handler'), CALLS)),
      echoUs: await ownCostUs(handler),
    };
    // Two identical direct clients: whatever "overhead" this shows is the measurement's noise.
    const noiseFloor = await comparePaths(directPath(direct, 'direct-3'), directPath(control, 'control'), CALLS);
    return { logToDevNull, logDisabled, noiseFloor };
  } finally {
    console.info = originalInfo;
    fs.closeSync(devNull);
    direct.destroy();
    control.destroy();
  }
}

export async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-handler-'));
  const dynamo = await startDynalite();
  try {
    const bundles = await measureBundles(work, {
      PATH: process.env.PATH ?? '',
      ...handlerEnvironment(dynamo.endpoint),
    });
    const hotPath = await measureHotPath(dynamo.endpoint);
    console.log(
      JSON.stringify(
        {
          bundles,
          hotPath: {
            concurrency: CONCURRENCY,
            callsPerPathAndOperation: CALLS,
            dynalite: 'in this process',
            paths:
              'base: the DocumentClient called directly; candidate: the handler (for noiseFloor, a second direct client)',
            ...hotPath,
          },
          targets: { loadMs: LOAD_TARGET_MS, overheadPct: OVERHEAD_TARGET_PCT },
        },
        null,
        2
      )
    );
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    for (const [name, b] of Object.entries(bundles)) {
      const load = `loads in ${b.loadMs} ms, ${b.loadCpuMs} ms of CPU (medians of ${LOAD_SAMPLES}; target <= ${LOAD_TARGET_MS} ms)`;
      console.log(`bundle ${name}: ${kib(b.bytes)}, ${kib(b.zipBytes)} zipped; ${load} on Node.js ${process.version}`);
    }
    const describe = ({ put, get }: Awaited<ReturnType<typeof comparePaths>>) =>
      `put ${put.candidateOpsPerSec} vs ${put.baseOpsPerSec} ops/s (overhead ${put.overheadPct}% wall, ${put.cpuOverheadPct}% CPU), ` +
      `get ${get.candidateOpsPerSec} vs ${get.baseOpsPerSec} ops/s (overhead ${get.overheadPct}% wall, ${get.cpuOverheadPct}% CPU)`;
    const { logToDevNull, logDisabled, noiseFloor } = hotPath;
    console.log(
      [
        `handler vs direct DocumentClient, concurrency ${CONCURRENCY} (target < ${OVERHEAD_TARGET_PCT}%):`,
        `  logging to /dev/null: ${describe(logToDevNull)}; an echo takes ${logToDevNull.echoUs} us`,
        `  console.info a no-op: ${describe(logDisabled)}; an echo takes ${logDisabled.echoUs} us`,
        `  noise floor, direct vs direct: ${describe(noiseFloor)}`,
      ].join('\n')
    );
  } finally {
    await dynamo.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
