import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdktf';
import { loadConfig } from '../../constructs/config';
import { LambdaApiGatewayStack, STACK_ID } from '../../constructs/lambda-apigateway-stack';

/** Synthesizes the stack as `main.ts` does, from `env`, and returns its Terraform JSON as text. */
export function synthStack(env: NodeJS.ProcessEnv = {}): string {
  // Testing.app() would leave its output directory (the staged bundle) behind.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-stack-'));
  try {
    const app = Testing.app({ outdir });
    const stack = new LambdaApiGatewayStack(app, STACK_ID, loadConfig(env));
    return Testing.synth(stack);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Writes the whole stack, assets included, under `outdir` and returns the stack's directory. */
export function synthStackTo(outdir: string, env: NodeJS.ProcessEnv = {}): string {
  const app = new App({ outdir });
  new LambdaApiGatewayStack(app, STACK_ID, loadConfig(env));
  app.synth();
  return `${outdir}/stacks/${STACK_ID}`;
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
