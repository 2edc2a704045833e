/**
 * The stack's synth for the tests and benchmarks: `npm run synth`'s own command
 * (local/synth.ts), into an output directory of
 * the caller's. The configuration comes from `env` alone: the variables of the
 * caller's shell (an AWS_REGION exported for real work, say) do not leak in.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { SETTINGS } from '../../constructs/config';
import { STACK_ID } from '../../constructs/stack-id';
import { synthArgs } from '../../local/synth';

const ROOT = path.join(__dirname, '..', '..');

/** What selects the stack's configuration or output, which only `env` may set. */
const SYNTH_VARIABLES = new Set([...Object.values(SETTINGS).map((setting) => setting.variable), 'CDKTF_OUTDIR', 'SYNTH_HCL_OUTPUT']);

/**
 * Synthesizes the stack as `npm run synth` does, from `env`, into `outDir` (a
 * cdktf output directory), and returns the stack's directory in it.
 * @throws Error with the synth's message when it fails.
 */
export function synthesize(outDir: string, env: NodeJS.ProcessEnv = {}): string {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SYNTH_VARIABLES.has(name)));
  const synth = spawnSync(process.execPath, synthArgs(), { cwd: ROOT, env: { ...inherited, ...env, CDKTF_OUTDIR: outDir }, encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`synth failed (${synth.status ?? synth.signal}):\n${synth.stderr}`);
  return path.join(outDir, 'stacks', STACK_ID);
}
