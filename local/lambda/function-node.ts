/**
 * Which Node.js runs a function: one of the major version its runtime names
 * (`nodejs22.x`: Node.js 22), as in Lambda, wherever this machine has one.
 *
 * The lookup, first match wins:
 *  1. LOCAL_LAMBDA_NODE, the path of a Node.js binary (it must be of the runtime's major);
 *  2. this server's own Node.js, if it is of that major;
 *  3. `node22` (for nodejs22.x) on PATH;
 *  4. the version managers' install directories: nvm, fnm, volta, asdf, mise and n,
 *     at their usual places or where their own variables (NVM_DIR, ...) say;
 *  5. otherwise this server's own Node.js, with a notice saying so and how to
 *     provide the right one.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalError } from '../shared/local-error';

export interface FunctionNode {
  /** The Node.js binary to start environments with; undefined: this process's own, whose worker threads are the environments. */
  readonly binary: string | undefined;
  /** Its version, as `node --version` prints it (v22.12.0). */
  readonly version: string;
  /** How it was found, for the banner: "LOCAL_LAMBDA_NODE", "nvm (/home/me/.nvm)", ... */
  readonly source: string;
  /** Set when no Node.js of the runtime's major was found: what runs instead, and how to provide the right one. */
  readonly fallbackNotice: string | undefined;
}

/** The variable naming a Node.js binary for the function. */
export const NODE_VARIABLE = 'LOCAL_LAMBDA_NODE';

/** How long `node --version` may take; a binary that does not answer in time is not used. */
const VERSION_TIMEOUT_MS = 10_000;

/** Finds the Node.js for `runtime` (nodejs22.x and the like); throws a LocalError for a LOCAL_LAMBDA_NODE that cannot be used. */
export function selectFunctionNode(runtime: string, env: NodeJS.ProcessEnv): FunctionNode {
  const major = runtimeMajor(runtime);
  const explicit = env[NODE_VARIABLE];
  if (explicit) return explicitNode(explicit, runtime, major);
  if (majorOf(process.version) === major) {
    return { binary: undefined, version: process.version, source: "this server's own Node.js", fallbackNotice: undefined };
  }
  for (const candidate of candidates(major, env)) {
    const version = versionOf(candidate.binary);
    if (version !== undefined && majorOf(version) === major) return { binary: candidate.binary, version, source: candidate.source, fallbackNotice: undefined };
  }
  return {
    binary: undefined,
    version: process.version,
    source: `this server's own Node.js, as no Node.js ${major} was found`,
    fallbackNotice:
      `The stack's ${runtime} functions run on this server's Node.js ${process.version}: no Node.js ${major} was found ` +
      `(looked for ${NODE_VARIABLE}, node${major} on PATH, and in the directories of nvm, fnm, volta, asdf, mise and n). ` +
      `Install Node.js ${major} with one of them, or set ${NODE_VARIABLE} to the path of a Node.js ${major} binary.`,
  };
}

/** 22 for nodejs22.x. */
function runtimeMajor(runtime: string): number {
  return Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
}

function explicitNode(binary: string, runtime: string, major: number): FunctionNode {
  const version = versionOf(binary);
  if (version === undefined) {
    throw new LocalError(
      `${NODE_VARIABLE}=${binary} is not a Node.js binary that runs here (\`${binary} --version\` failed). ` +
        `Set it to the path of a Node.js ${major} binary, such as ~/.nvm/versions/node/v${major}.12.0/bin/node, or unset it.`,
    );
  }
  if (majorOf(version) !== major) {
    throw new LocalError(
      `${NODE_VARIABLE}=${binary} is Node.js ${version}, but the stack's functions declare ${runtime}. ` +
        `Set it to a Node.js ${major} binary, or unset it.`,
    );
  }
  return { binary: path.resolve(binary), version, source: NODE_VARIABLE, fallbackNotice: undefined };
}

interface Candidate {
  readonly binary: string;
  readonly source: string;
}

/** Node.js binaries of `major` that PATH and the version managers offer, newest first within each place. */
function* candidates(major: number, env: NodeJS.ProcessEnv): Generator<Candidate> {
  const named = `node${major}`;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const binary = path.join(dir, named);
    if (isExecutable(binary)) yield { binary, source: `${named} on PATH (${binary})` };
  }
  const home = env.HOME ?? os.homedir();
  const dataHome = env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
  // [manager, its root, the directory of its versions under the root, the binary under one version's directory]
  const managers: [string, string, string, string][] = [
    ['nvm', env.NVM_DIR ?? path.join(home, '.nvm'), 'versions/node', 'bin/node'],
    ['fnm', env.FNM_DIR ?? path.join(dataHome, 'fnm'), 'node-versions', 'installation/bin/node'],
    ['fnm', path.join(home, '.fnm'), 'node-versions', 'installation/bin/node'],
    ['volta', env.VOLTA_HOME ?? path.join(home, '.volta'), 'tools/image/node', 'bin/node'],
    ['asdf', env.ASDF_DATA_DIR ?? path.join(home, '.asdf'), 'installs/nodejs', 'bin/node'],
    ['mise', env.MISE_DATA_DIR ?? path.join(dataHome, 'mise'), 'installs/node', 'bin/node'],
    ['n', env.N_PREFIX ?? '/usr/local', 'n/versions/node', 'bin/node'],
  ];
  for (const [manager, root, versions, binaryPath] of managers) {
    const dir = path.join(root, versions);
    for (const version of versionDirectories(dir, major)) {
      const binary = path.join(dir, version, binaryPath);
      if (isExecutable(binary)) yield { binary, source: `${manager} (${root})` };
    }
  }
}

/** The entries of `dir` named for a version of `major` (v22.1.0 or 22.1.0), newest first. */
function versionDirectories(dir: string, major: number): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const parsed = names.flatMap((name) => {
    const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(name);
    return match && Number(match[1]) === major ? [{ name, minor: Number(match[2]), patch: Number(match[3]) }] : [];
  });
  return parsed.sort((a, b) => b.minor - a.minor || b.patch - a.patch).map((entry) => entry.name);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What `binary --version` prints, or undefined if it does not run as a Node.js binary. */
function versionOf(binary: string): string | undefined {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS, env: {} });
  const version = probe.status === 0 ? probe.stdout.trim() : '';
  return /^v\d+\.\d+\.\d+/.test(version) ? version : undefined;
}

function majorOf(version: string): number {
  return Number(/^v(\d+)/.exec(version)?.[1]);
}
