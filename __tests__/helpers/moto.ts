import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';

/**
 * moto's server (PyPI `moto[server]`): the AWS APIs on one loopback port, in
 * memory. `scripts/ci-python.sh` installs it into `.venv`; MOTO_SERVER names
 * another binary.
 */
export const MOTO_SERVER = process.env.MOTO_SERVER || path.join(__dirname, '..', '..', '.venv', 'bin', 'moto_server');

/** Account id moto answers with (sts:GetCallerIdentity, ARNs). */
export const MOTO_ACCOUNT_ID = '123456789012';

export interface Moto {
  /** `http://127.0.0.1:<port>`: every service's endpoint. */
  readonly endpoint: string;
  readonly version: string;
  /** The server's last lines of output, for a failure message. */
  log(): string;
  stop(): Promise<void>;
}

/** The one-line reason moto cannot run here, or undefined when it can. */
export function motoMissing(): string | undefined {
  if (fs.existsSync(MOTO_SERVER)) return undefined;
  return `moto_server not found at ${MOTO_SERVER}: run scripts/ci-python.sh first (or set MOTO_SERVER)`;
}


function motoVersion(): string {
  // .venv/bin/moto_server -> .venv/lib/python3.X/site-packages/moto-<v>.dist-info
  const lib = path.join(path.dirname(path.dirname(MOTO_SERVER)), 'lib');
  try {
    for (const python of fs.readdirSync(lib)) {
      const site = path.join(lib, python, 'site-packages');
      const info = fs.readdirSync(site).find((name) => /^moto-[\d.]+\.dist-info$/.test(name));
      if (info) return info.slice('moto-'.length, -'.dist-info'.length);
    }
  } catch {
    // Not a virtualenv layout (MOTO_SERVER elsewhere): the version is unknown, which is fine.
  }
  return 'unknown';
}

/**
 * Starts moto's server on a free loopback port and resolves once it answers
 * HTTP. It listens on 127.0.0.1 only and is stopped with `stop()`; if this
 * process dies first, the server gets SIGTERM from the exit hook.
 */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const missing = motoMissing();
  if (missing) throw new Error(missing);

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  const child: ChildProcess = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    }),
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const log = () => lines.slice(-40).join('\n');

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`moto_server ${exited} before it answered on ${endpoint}:\n${log()}`);
    try {
      // Any HTTP answer means the server is up; this path is moto's own and cheap.
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs / 1000} s:\n${log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { endpoint, version: motoVersion(), log, stop };
}

/**
 * Calls one AWS API on moto with plain HTTP. moto does not check signatures, but
 * it picks the service from the credential scope of the Authorization header, so
 * the request carries one with a dummy signature.
 */
export async function motoCall(
  moto: Pick<Moto, 'endpoint'>,
  service: string,
  request: { method?: string; path?: string; query?: Record<string, string>; form?: Record<string, string>; target?: string; json?: unknown },
  region = 'us-east-2',
): Promise<{ status: number; text: string; json<T = any>(): T }> {
  const headers: Record<string, string> = {
    Authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  let body: string | undefined;
  if (request.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  } else if (request.json !== undefined) {
    headers['Content-Type'] = 'application/x-amz-json-1.1';
    if (request.target) headers['X-Amz-Target'] = request.target;
    body = JSON.stringify(request.json);
  }
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  const response = await fetch(`${moto.endpoint}${request.path ?? '/'}${query}`, {
    method: request.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}
