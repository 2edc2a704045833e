// `npm run bench`: the figures the README quotes, measured on this machine in one run.
// Each part runs in its own process so that none warms another's caches.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const TIME = '/usr/bin/time';
const RUNS = 5;

interface Sample {
  seconds: number;
  peakMb?: number;
}

// This Node.js first on PATH, so that `npm` and every `node` below it run on the one measured.
const ENV: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };

/** Wall time and, where GNU time exists, peak resident memory of one command. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv = ENV): Sample {
  const hasTime = fs.existsSync(TIME);
  const start = process.hrtime.bigint();
  const run = hasTime
    ? spawnSync(TIME, ['-f', '%M', command, ...args], { encoding: 'utf8', env })
    : spawnSync(command, args, { encoding: 'utf8', env });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${run.stderr}`);
  const peakKb = hasTime ? Number(run.stderr.trim().split('\n').pop()) : undefined;
  return { seconds, peakMb: peakKb === undefined ? undefined : peakKb / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianOf(runs: number, sample: () => Sample): Sample {
  const samples = Array.from({ length: runs }, sample);
  const peaks = samples.map((s) => s.peakMb).filter((m): m is number => m !== undefined);
  return { seconds: median(samples.map((s) => s.seconds)), peakMb: peaks.length ? Math.max(...peaks) : undefined };
}

const fmt = (s: Sample) => `${s.seconds.toFixed(2)} s${s.peakMb === undefined ? '' : `, peak ${Math.round(s.peakMb)} MB`}`;

function part(title: string, script: string): void {
  console.log(`\n== ${title}`);
  const run = spawnSync(process.execPath, ['-r', './scripts/ts-register.js', script], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`${script} failed`);
}

const USAGE = `Usage: npm run bench

Measures, in one run of several minutes: synth (5 runs), the whole npm test (once), the handler
(bundle size, module load time, overhead), the local API against direct DynamoDB calls, and
watch mode's reload. It takes no options; stop the machine's other work first, as every figure
depends on the CPU it gets. The README's Figures section quotes its output.
`;
const args = process.argv.slice(2);
if (args.length > 0) {
  const help = args.every((arg) => arg === '--help' || arg === '-h');
  (help ? process.stdout : process.stderr).write(help ? USAGE : `npm run bench takes no options (got ${args.join(' ')}).\n\n${USAGE}`);
  process.exit(help ? 0 : 2);
}

console.log(`Node.js ${process.version} (${process.execPath}), ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
console.log(`\n== Synth (median of ${RUNS})`);
const synth = medianOf(RUNS, () => measure('npm', ['run', '--silent', 'synth']));
const wholeImport = medianOf(RUNS, () => measure(process.execPath, ['-e', "require('@cdktf/provider-aws')"]));
console.log(`npm run synth:                           ${fmt(synth)}`);
console.log(`node -e "require('@cdktf/provider-aws')": ${fmt(wholeImport)}`);
console.log(`ratio: ${(synth.seconds / wholeImport.seconds).toFixed(2)} (target at most 0.3; peak target at most 200 MB)`);

console.log('\n== npm test (once)');
console.log(`npm test: ${fmt(measure('npm', ['test', '--silent'], { ...ENV, CI: 'true' }))} (target at most 60 s)`);

part('Handler', 'scripts/bench-handler.ts');
part('Local API', 'scripts/bench-local.ts');
part('Watch mode reload', 'scripts/bench-reload.ts');
