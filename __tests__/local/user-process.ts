/**
 * What a user does with `npm start` and `npm run invoke`, as real processes: npm
 * itself (in a user's checkout, see ../helpers/user-checkout), or npm in a terminal
 * (a pty, through util-linux `script`), and what they see of it: its output, its
 * exit status, the processes it leaves, the ports it holds.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { constants } from 'node:os';

/** An exit status as a shell reports it: the code, or 128 + the number of the signal that ended the process. */
export type ExitStatus = number;

export interface UserProcess {
  /** npm, or `script` holding npm in a terminal of its own. */
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr (in a terminal: what the terminal showed). */
  output(): string;
  readonly exited: Promise<ExitStatus>;
  /** Resolves once the output contains `text`; rejects if the process ends first or `timeoutMs` passes. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Types Ctrl-C into the terminal (only with `terminal: true`). */
  ctrlC(): void;
  /** Ends what is left of it, the process and everything below it (for cleanup after a failed test). */
  kill(): Promise<void>;
}

export interface UserProcessOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /** Run in a terminal of its own, as in an interactive shell, so that Ctrl-C can be typed. */
  readonly terminal?: boolean;
}

/** Standard input stays open (a pipe nobody writes to), as a terminal's would. */
export function runNpm(args: readonly string[], { cwd, env = {}, terminal = false }: UserProcessOptions): UserProcess {
  const environment = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...env };
  const child = terminal
    ? spawn('script', ['-qfec', `exec npm ${args.join(' ')}`, '/dev/null'], { cwd, env: environment, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('npm', args, { cwd, env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      child.stdin!.destroy();
      for (const listener of listeners) listener();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: (text, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`"${text}" did not appear in ${timeoutMs} ms; output so far:\n${output}`)), timeoutMs);
        const check = () => {
          if (output.includes(text)) done();
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`the process ended before "${text}" appeared:\n${output}`));
        };
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      }),
    ctrlC: () => {
      if (!terminal) throw new Error('Ctrl-C needs a terminal: run with terminal: true');
      child.stdin!.write('\x03');
    },
    kill: async () => {
      for (const pid of [child.pid!, ...descendants(child.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await exited;
    },
  };
}

/** Pids of every process below `pid`, now. */
export function descendants(pid: number): number[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const children = new Map<number, number[]>();
  for (const line of listing.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** The command line of `pid`, or '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Whether `pid` still runs: a zombie does not (it has ended, and only waits for a parent to collect its status). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; rejects, saying `what` did not happen, after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `port` on 127.0.0.1 is free: whether this process can listen on it. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1 right now. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
