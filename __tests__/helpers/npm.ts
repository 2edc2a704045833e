/**
 * The project's npm scripts as a user runs them, in a user checkout (see
 * user-checkout.ts): `npm run <script> -- <args>`, with the caller's environment on
 * top of this process's, minus npm's own variables from the outer `npm test`.
 * Either to the end (npmRun), or as a process to watch, signal and stop
 * (startNpm), in a pipe or in a terminal of its own (a pty, through util-linux
 * `script`), so that Ctrl-C can be typed.
 */
import { type ChildProcessByStdio, type SpawnOptionsWithStdioTuple, spawn, spawnSync, type StdioPipe } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { descendants } from './processes';

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
  return { ...inherited, CHECKPOINT_DISABLE: '1', CI: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', ...env };
}

const npmArgs = (script: string, args: readonly string[]) => ['run', script, ...(args.length ? ['--', ...args] : [])];

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

/** An exit status as a shell reports it: the code, or 128 + the number of the signal that ended the process. */
export type ExitStatus = number;

export interface NpmProcess {
  /** npm, or `script` holding npm in a terminal of its own; the leader of a process group of its own. */
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Everything it printed so far, stdout and stderr (in a terminal: what the terminal showed), without colours. */
  output(): string;
  readonly exited: Promise<ExitStatus>;
  /** Resolves with the output once it contains `pattern`; rejects if the process ends first or `timeoutMs` passes. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Types Ctrl-C into the terminal (only with `terminal: true`). */
  ctrlC(): void;
  /** Sends `signal` to its process group, waits until all of it has ended (SIGKILL after 15 s), and resolves with its exit status. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
  /** Ends what is left of it at once, the process and everything below it, in its group or not (for cleanup after a failed test). */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run in a terminal of its own, as in an interactive shell, so that Ctrl-C can be typed. */
  readonly terminal?: boolean;
}

/** Starts `npm run <script> -- <args>` in `dir`; standard input stays open (a pipe nobody writes to), as a terminal's would. */
export function startNpm(dir: string, script: string, args: readonly string[] = [], { env = {}, terminal = false }: StartOptions = {}): NpmProcess {
  const command = ['npm', ...npmArgs(script, args)];
  // Detached: a process group of its own, which stop() signals whole.
  const options: SpawnOptionsWithStdioTuple<StdioPipe, StdioPipe, StdioPipe> = { cwd: dir, env: scriptEnv(env), detached: true, stdio: ['pipe', 'pipe', 'pipe'] };
  const child: ChildProcessByStdio<Writable, Readable, Readable> = terminal
    ? spawn('script', ['-qfec', `exec ${command.join(' ')}`, '/dev/null'], options)
    : spawn(command[0], command.slice(1), options);
  let text = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // 'exit' can come before the last output is read: the status is settled once the pipes close too, or after
  // 2 s (a process left behind that holds them, which the test is then about).
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let settled = false;
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      child.stdin.destroy();
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      void Promise.race([closed, new Promise((wait) => setTimeout(wait, 2_000).unref())]).then(() => {
        settled = true;
        resolve(status);
        for (const listener of listeners) listener();
      });
    }),
  );
  const output = () => stripAnsi(text);
  const ended = () => settled;
  const group = -child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(group, signal);
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
  return {
    child,
    output,
    exited,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const found = () => (typeof pattern === 'string' ? output().includes(pattern) : pattern.test(output()));
        const timer = setTimeout(() => finish(new Error(`"${pattern}" did not appear within ${timeoutMs / 1000} s; output so far:\n${output()}`)), timeoutMs);
        const check = () => {
          if (found()) finish();
          else if (ended()) finish(new Error(`npm run ${script} ended (${child.exitCode ?? child.signalCode}) before "${pattern}" appeared:\n${output()}`));
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
    ctrlC: () => {
      if (!terminal) throw new Error('Ctrl-C needs a terminal: start with terminal: true');
      child.stdin.write('\x03');
    },
    stop: async (signal = 'SIGTERM') => {
      signalGroup(signal);
      // Not only npm: what it started (the server, cleaning up) must be gone too.
      const deadline = Date.now() + 15_000;
      while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (groupAlive()) signalGroup('SIGKILL');
      return exited;
    },
    kill: async () => {
      // A terminal's processes are in a session of their own, out of the group: each is ended by its pid.
      for (const pid of [child.pid!, ...descendants(child.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      signalGroup('SIGKILL');
      await exited;
    },
  };
}
