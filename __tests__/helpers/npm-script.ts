/**
 * Runs the project's npm scripts as a user does in a terminal, in a user checkout
 * (see user-checkout.ts): `npm run <script> -- <args>`, with the caller's
 * environment on top of this process's, minus npm's own variables from the outer
 * `npm test`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, without colours: what the user reads. */
  readonly output: string;
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '');

export function scriptEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));
  return { ...inherited, CHECKPOINT_DISABLE: '1', CI: 'true', ...env };
}

const npmArgs = (script: string, args: string[]) => ['run', script, ...(args.length ? ['--', ...args] : [])];

export function npmRun(dir: string, script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): ScriptRun {
  const result = spawnSync('npm', npmArgs(script, args), {
    cwd: dir,
    env: scriptEnv(env),
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { status: result.status, stdout, stderr, output: stripAnsi(`${stdout}\n${stderr}`) };
}

export interface RunningScript {
  readonly child: ChildProcess;
  /** Everything written so far, without colours. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects if the script exits first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` to npm and everything it started, waits until all of it has ended (SIGKILL after 15 s), and resolves with npm's exit status. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running script (`npm start`) in its own process group, so that `stop()` reaches every process it started. */
export function npmStart(dir: string, script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): RunningScript {
  const child = spawn('npm', npmArgs(script, args), { cwd: dir, env: scriptEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const listener of listeners) listener();
  });
  const output = () => stripAnsi(text);
  return {
    child,
    output,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`"${pattern}" did not appear within ${timeoutMs / 1000} s:\n${output()}`)), timeoutMs);
        const check = () => {
          if (pattern.test(output())) finish();
          else if (exitCode !== undefined) finish(new Error(`npm run ${script} exited (${exitCode}) before "${pattern}" appeared:\n${output()}`));
        };
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(output());
        };
        listeners.add(check);
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      const group = -child.pid!;
      const signalGroup = (sent: NodeJS.Signals) => {
        try {
          process.kill(group, sent);
        } catch {
          // Every process of the group is gone already.
        }
      };
      const groupAlive = () => {
        try {
          process.kill(group, 0);
          return true;
        } catch {
          return false;
        }
      };
      signalGroup(signal);
      // Not only npm: what it started (the server, cleaning up) must be gone too.
      const deadline = Date.now() + 15_000;
      while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (groupAlive()) signalGroup('SIGKILL');
      return exited;
    },
  };
}
