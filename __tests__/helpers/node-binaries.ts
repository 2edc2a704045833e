import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NodeBinary {
  readonly path: string;
  readonly version: string;
  readonly major: number;
}

/**
 * A Node.js binary of another major version than the one running the tests, to run
 * a function on: from TEST_NODE_BINARIES (paths separated by the PATH delimiter;
 * .ci/run names the Node.js builds it fetched), or the `node` and `node<major>`
 * binaries on PATH. Undefined if this machine has none.
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
  ];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major && major !== own) return { path: candidate, version, major };
  }
  return undefined;
}

/**
 * otherNodeBinary(), for tests that need it: without one, says loudly what is not
 * tested (`what`), and fails under CI, which must test it.
 */
export function requireOtherNodeBinary(what: string): NodeBinary | undefined {
  const other = otherNodeBinary();
  if (!other) {
    console.warn(`!!! No Node.js of another major version found (TEST_NODE_BINARIES, PATH): ${what} is NOT tested.`);
    if (process.env.CI) throw new Error('CI is set but no second Node.js major is available; set TEST_NODE_BINARIES');
  }
  return other;
}
