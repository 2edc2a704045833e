/**
 * The local server's settings, from the environment and the command line, checked
 * before anything starts: a bad value stops the server with one message naming it.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { LocalError } from './shared/local-error';
import { apiKeyValueProblem } from './stack/api-key-value';
import type { StackLocation } from './stack/stack-file';

export interface ServerSettings {
  /** Address both listeners bind to; loopback unless the user says otherwise. */
  readonly host: string;
  readonly port: number;
  readonly dynamodbPort: number;
  /** Directory DynamoDB's data lives in, or undefined with `--in-memory`. */
  readonly dataDir: string | undefined;
  readonly stackLocation: StackLocation;
  /** The value of the stack's API key that has none of its own, instead of a generated one. */
  readonly localApiKey: string | undefined;
  /** The directory the user ran npm in, which the paths printed for them are relative to. */
  readonly userDir: string;
}

/** Where Node.js's inspector listens by default, as `node --inspect` has it. */
export const DEFAULT_INSPECT_PORT = 9229;

export const USAGE = `Usage: npm start [-- --in-memory] [--verbose] [--watch] [--inspect[=[host:]port]]

Synthesizes the stack, then serves it (cdktf.out) on localhost: its REST API, the
Lambda invoke API and an embedded DynamoDB. Ctrl-C, SIGINT or SIGTERM stops it.

Options:
  --in-memory   keep DynamoDB's data in memory only (nothing is read or written on disk)
  --verbose     print API Gateway's execution log of every REST API request
  --synth       synthesize the stack first, as \`npm run synth\` does (npm start passes it)
  --watch       on each save of main.ts, constructs/ or function/, synthesize and type-check
                again and serve the new version, on the same ports and data
  --inspect     open Node.js's inspector for a debugger (default 127.0.0.1:${DEFAULT_INSPECT_PORT}), with one
                environment per function, no timeouts, and source maps (npm run start:debug)
  --help        show this text

Environment:
  HOST            address to listen on (default 127.0.0.1; 0.0.0.0 exposes the server to your network)
  PORT            REST API and Lambda invoke API port (default 3000)
  DYNAMODB_PORT   embedded DynamoDB port (default 8000)
  DATA_DIR        where DynamoDB's data persists (default .data/)
  STACK_DIR       directory holding the cdk.tf.json to serve (default: the stack in CDKTF_OUTDIR)
  CDKTF_OUTDIR    cdktf's output directory (default cdktf.out)
  LOCAL_API_KEY   value of the stack's API key (API_AUTHORIZATION=API_KEY); default: a random one, printed at startup
  LOCAL_LAMBDA_NODE  a Node.js binary of the function runtime's major version to run the function on
                  (default: found on PATH or in nvm, fnm, volta, asdf, mise or n's directories; see README)

Methods with AWS_IAM authorization take requests SigV4-signed with the access key
local and the secret key local, e.g. curl --aws-sigv4 "aws:amz:<region>:execute-api" --user local:local.
`;

/** Where the inspector listens, for `--inspect`. */
export interface InspectAddress {
  readonly host: string;
  readonly port: number;
}

/** What `parseServerArgs` found on the command line. */
export interface ServerArgs {
  readonly inMemory: boolean;
  /** Synthesize the stack before serving it, as `npm start` asks. */
  readonly synth: boolean;
  /** Print the execution log of every REST API request. */
  readonly verbose: boolean;
  /** Serve each save anew (./watch); implies synth. */
  readonly watch: boolean;
  /** Debug mode, with the inspector there; undefined: not debugging. */
  readonly inspect: InspectAddress | undefined;
  readonly help: boolean;
}

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  let inMemory = false;
  let synth = false;
  let watch = false;
  let inspect: InspectAddress | undefined;
  let help = false;
  let verbose = false;
  for (const arg of argv) {
    if (arg === '--in-memory') inMemory = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--synth') synth = true;
    else if (arg === '--watch') watch = true;
    else if (arg === '--inspect' || arg.startsWith('--inspect=')) inspect = parseInspect(arg.slice('--inspect='.length));
    else if (arg === '--help' || arg === '-h') help = true;
    else throw new LocalError(`Unknown argument ${JSON.stringify(arg)}. ${USAGE}`);
  }
  return { inMemory, synth: synth || watch, verbose, watch, inspect, help };
}

/** `--inspect`'s value as node takes it: nothing, a port, or host:port. */
function parseInspect(raw: string): InspectAddress {
  if (raw === '') return { host: '127.0.0.1', port: DEFAULT_INSPECT_PORT };
  const colon = raw.lastIndexOf(':');
  const host = colon < 0 ? '127.0.0.1' : raw.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = /^\d{1,5}$/.test(raw.slice(colon + 1)) ? Number(raw.slice(colon + 1)) : NaN;
  if (!(port >= 0 && port <= 65535) || (host !== 'localhost' && net.isIP(host) === 0)) {
    throw new LocalError(
      `--inspect=${raw} is not an inspector address: expected a port (--inspect=${DEFAULT_INSPECT_PORT}) or host:port (--inspect=127.0.0.1:${DEFAULT_INSPECT_PORT}), as node --inspect takes it.`,
    );
  }
  return { host, port };
}

export function loadServerSettings(env: NodeJS.ProcessEnv, args: ServerArgs, cwd = process.cwd()): ServerSettings {
  if (args.watch && env.STACK_DIR) {
    throw new LocalError(
      `--watch serves what each save synthesizes into CDKTF_OUTDIR, but STACK_DIR=${env.STACK_DIR} names another stack to serve. Unset STACK_DIR to watch this project, or leave out --watch.`,
    );
  }
  const host = parseHost(env.HOST);
  const port = parsePort('PORT', env.PORT, 3000);
  const dynamodbPort = parsePort('DYNAMODB_PORT', env.DYNAMODB_PORT, 8000);
  if (port === dynamodbPort) {
    throw new LocalError(
      `PORT and DYNAMODB_PORT are both ${port}; the REST API and DynamoDB need a port each. Set one of them to another port.`,
    );
  }
  return {
    host,
    port,
    dynamodbPort,
    dataDir: args.inMemory ? undefined : path.resolve(cwd, env.DATA_DIR || '.data'),
    stackLocation: stackLocation(env, cwd),
    localApiKey: parseApiKey(env.LOCAL_API_KEY),
    userDir: userDirectory(env, cwd),
  };
}

/**
 * The directory the user ran npm in: npm runs scripts in the project's root and
 * names the user's own directory in INIT_CWD.
 */
export function userDirectory(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  return env.INIT_CWD || cwd;
}

function parseApiKey(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const problem = apiKeyValueProblem(raw);
  if (problem === undefined) return raw;
  throw new LocalError(
    `LOCAL_API_KEY=${JSON.stringify(raw)} cannot be an API key: ${problem}; API Gateway takes 20 to 128 printable ASCII characters. ` +
      'Choose another, e.g. LOCAL_API_KEY=local-dev-key-0123456789, or unset it for a generated key.',
  );
}

/** Where the stack is, from STACK_DIR or CDKTF_OUTDIR: the same variables for the server, `invoke` and the tests. */
export function stackLocation(env: NodeJS.ProcessEnv, cwd = process.cwd()): StackLocation {
  if (env.STACK_DIR) return { stackDir: path.resolve(cwd, env.STACK_DIR) };
  return { outDir: path.resolve(cwd, env.CDKTF_OUTDIR || 'cdktf.out') };
}

function parseHost(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '127.0.0.1';
  if (raw === 'localhost' || net.isIP(raw) !== 0) return raw;
  throw new LocalError(
    `HOST=${JSON.stringify(raw)} is not an IP address: expected one such as 127.0.0.1 (the default, this machine only), ::1, or 0.0.0.0 to listen on every interface.`,
  );
}

export function parsePort(variable: string, raw: string | undefined, defaultPort: number): number {
  if (raw === undefined || raw === '') return defaultPort;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new LocalError(
      `${variable}=${JSON.stringify(raw)} is not a port number: expected a whole number from 1 to 65535. Unset it for the default (${defaultPort}).`,
    );
  }
  return port;
}
