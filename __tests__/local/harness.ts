/**
 * Runs the local server as `npm start` does (a child process), on free ports, and
 * talks to it over real HTTP.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { synthesize as synthesizeStack } from '../../scripts/support/synth';

export const ROOT = path.join(__dirname, '..', '..');

const tempDirs: string[] = [];

/** A fresh directory under the system's temporary directory, removed by cleanUp(). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `local-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes what this test file created: temporary directories and the keep-alive connections. */
export function cleanUp(): void {
  agent.destroy();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Synthesizes the stack (scripts/support/synth) from `env` into a cdktf output directory of this file's, removed by cleanUp(); returns it. */
export function synthesize(env: Record<string, string> = {}): string {
  const outDir = path.join(tempDir('synth'), 'cdktf.out');
  synthesizeStack(outDir, env);
  return outDir;
}

export interface ServerOptions {
  /** Environment for the server (STACK_DIR or CDKTF_OUTDIR, DATA_DIR, ...); PORT and DYNAMODB_PORT are chosen unless given. */
  readonly env: Record<string, string>;
  readonly args?: readonly string[];
  /** A command the server runs under, e.g. `unshare` with its arguments; the server's own command line follows it. */
  readonly wrapper?: readonly string[];
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly dynamodbPort: number;
  readonly process: ChildProcess;
  /** Everything the server printed so far, stdout and stderr. */
  output(): string;

  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const READY = 'Ready on ';
const START_TIMEOUT_MS = 20_000;

/** Spawns `node -r ./scripts/ts-register.js local/server.ts` and resolves once it says it is ready. */
export async function startServer({ env, args = [], wrapper = [] }: ServerOptions): Promise<RunningServer> {
  const port = Number(env.PORT ?? (await freePort()));
  const dynamodbPort = Number(env.DYNAMODB_PORT ?? (await freePort()));
  const child = spawnServer({ ...env, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) }, args, wrapper);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not get ready in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dynamodbPort,
    process: child,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function spawnServer(env: Record<string, string>, args: readonly string[] = [], wrapper: readonly string[] = []): ChildProcess {
  const command = [...wrapper, process.execPath, '-r', './scripts/ts-register.js', 'local/server.ts', ...args];
  return spawn(command[0], command.slice(1), {
    cwd: ROOT,
    // A temporary directory of its own, removed by cleanUp(): a server stopped with SIGKILL cannot remove the function's unpacked code.
    env: { ...process.env, TMPDIR: tempDir('server-tmp'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the server with `env` expecting it to fail at startup; resolves with its exit code and stderr. */
export function failedStart(env: Record<string, string>, args: readonly string[] = []): Promise<{ code: number | null; stderr: string }> {
  const child = spawnServer(env, args);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

export interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    // Declared, because Node sends a GET's or DELETE's body with neither Content-Length nor chunked encoding.
    const length = options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) };
    const req = http.request(url, { method: options.method ?? 'GET', headers: { ...length, ...options.headers }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What `curl -X POST -d <data> <url>` sends: the body as is, declared form-urlencoded. */
export function curlPost(url: string, data: string): Promise<Response> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: data });
}

/** POSTs `event` as JSON, as an SDK or a browser would. */
export function postJson(url: string, event: unknown): Promise<Response> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
}

/** Runs `count` calls with `concurrency` in flight. */
export async function inParallel<T>(count: number, concurrency: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await call(i);
      }
    }),
  );
  return results;
}

/** The AWS CLI, if one works here (v1 or v2). */
export const awsCli: string | undefined = (() => {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? (probe.stdout || probe.stderr).trim() : undefined;
})();

/** curl's version (major, minor), if curl is on PATH; --aws-sigv4 needs 7.75 or later. */
export const curlVersion: readonly [number, number] | undefined = (() => {
  const probe = spawnSync('curl', ['--version'], { encoding: 'utf8' });
  const match = probe.status === 0 ? /^curl (\d+)\.(\d+)/.exec(probe.stdout) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
})();

/** Environment for the AWS CLI against the local server: credentials of no account. */
export const AWS_CLI_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_DEFAULT_REGION: 'us-east-2',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
};
