/**
 * The stack and its constructs synthesized in memory, as cdktf's Testing does, for
 * assertions on the JSON (snapshots, cdktf's matchers). On disk, as `npm run synth`
 * writes it, the stack comes from scripts/support/synth.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { loadConfig } from '../../constructs/config';
import { LambdaApiGatewayStack } from '../../constructs/lambda-apigateway-stack';
import { STACK_ID } from '../../constructs/stack-id';

/**
 * Runs `synth` with a Testing app whose output directory (the handler's staged
 * bundle among it) is removed afterwards: Testing.app() would make one in the
 * temporary directory and leave it there.
 */
function inTestingApp<T>(synth: (app: App) => T): T {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  try {
    return synth(Testing.app({ outdir }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes the stack as `main.ts` does, from `env`, and returns its Terraform JSON as text. */
export function synthStack(env: NodeJS.ProcessEnv = {}): string {
  return inTestingApp((app) => Testing.synth(new LambdaApiGatewayStack(app, STACK_ID, loadConfig(env))));
}

/** What cdktf's Testing.synthScope does (`build` adds constructs to a stack of their own, synthesized to JSON text), in an app of inTestingApp's. */
export function synthScope(build: (scope: Construct) => void): string {
  return inTestingApp((app) => {
    const stack = new TerraformStack(app, 'stack');
    build(stack);
    return Testing.synth(stack);
  });
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
