/**
 * The stack and its constructs synthesized in memory, as cdktf's Testing does, for
 * assertions on the JSON (snapshots, cdktf's matchers). On disk, as `npm run synth`
 * writes it, the stack comes from scripts/support/synth.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { loadConfig } from '../../constructs/config';
import { LambdaApiGatewayStack } from '../../constructs/lambda-apigateway-stack';
import { STACK_ID } from '../../constructs/stack-id';

/**
 * Runs `synth` with the temporary directory pointed at one of its own, removed
 * afterwards: cdktf's Testing app writes its output directory there (the handler's
 * staged bundle among it), and would leave it behind.
 */
function leavingNothingBehind<T>(synth: () => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return synth();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Synthesizes the stack as `main.ts` does, from `env`, and returns its Terraform JSON as text. */
export function synthStack(env: NodeJS.ProcessEnv = {}): string {
  return leavingNothingBehind(() => Testing.synth(new LambdaApiGatewayStack(Testing.app(), STACK_ID, loadConfig(env))));
}

/** cdktf's Testing.synthScope: what `build` adds to a stack of its own, as Terraform JSON text. */
export function synthScope(build: (scope: Construct) => void): string {
  return leavingNothingBehind(() => Testing.synthScope(build));
}

/**
 * Synthesized JSON without what the handler's bundle decides (its zip's hash, the
 * content hash in its asset path), for snapshots that change when the
 * infrastructure does, not with every edit of the handler or SDK update;
 * handler-package.test.ts checks those values.
 */
export function withoutBundleHashes(json: string): string {
  return json
    .replace(/("source_code_hash": )"[A-Za-z0-9+/]{43}="/g, '$1"<sha256 of the bundle\'s zip>"')
    .replace(/(assets\/[\w-]+\/)[0-9A-F]{32}\b/g, '$1<hash of the bundle>');
}
