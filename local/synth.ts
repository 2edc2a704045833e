/**
 * The synth that `npm start` and `npm run invoke` run first (`--synth`): what `npm
 * run synth` runs, started by this process itself rather than through npm and a
 * shell, so that a stop request reaches it and nothing outlives this process.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { scripts } from '../package.json';
import { LocalError } from './shared/local-error';

const ROOT = path.join(__dirname, '..');
/**
 * package.json's `synth` script, as arguments for this Node.js: `-r ./scripts/ts-register.js main.ts`. One
 * place says how the stack is synthesized: npm run synth, this server, the deploy scripts and the tests.
 */
export function synthArgs(): string[] {
  const [command, ...args] = scripts.synth.split(' ');
  if (command !== 'node') throw new Error(`package.json's synth script is ${JSON.stringify(scripts.synth)}; expected a node command.`);
  return args;
}

/**
 * Synthesizes the stack into CDKTF_OUTDIR (default cdktf.out), printing what the
 * synth prints, or, with `capture`, keeping it for the error. Resolves 'written', or
 * 'stopped' if `stop` aborted first (the synth is then ended, and waited for).
 * @throws LocalError if the synth fails; its own message is on stderr already, or
 * with `capture`, in the error's `output`.
 */
export function synthesize(stop: AbortSignal, { capture = false }: { capture?: boolean } = {}): Promise<'written' | 'stopped'> {
  if (stop.aborted) return Promise.resolve('stopped');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, synthArgs(), { cwd: ROOT, stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const onStop = () => child.kill(stop.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    stop.addEventListener('abort', onStop, { once: true });
    child.once('error', (error) => {
      stop.removeEventListener('abort', onStop);
      reject(new LocalError(`Could not start the synth (${process.execPath} ${synthArgs().join(' ')}): ${error.message}.`));
    });
    // 'close', not 'exit': what the synth printed has been read to its end.
    child.once('close', (code, signal) => {
      stop.removeEventListener('abort', onStop);
      if (stop.aborted) resolve('stopped');
      else if (code === 0) resolve('written');
      else reject(new SynthError(signal ? `was ended by ${signal}` : `exited with status ${code}`, capture ? output : undefined));
    });
  });
}

/** A synth that failed: how it ended, and what it printed when that was kept. */
export class SynthError extends LocalError {
  constructor(
    ended: string,
    /** What the synth printed, when captured. */
    readonly output: string | undefined,
  ) {
    super(
      `The stack could not be synthesized (the synth ${ended}; its message, if any, is ${output === undefined ? 'above' : 'below'}). ` +
        'Fix what it names, then run the command again; `npm run synth` alone shows the same.',
    );
    this.name = 'SynthError';
  }
}

/** The project the stack is synthesized from: where the synth runs, and where the source map's paths lead. */
export const PROJECT_DIR = ROOT;
