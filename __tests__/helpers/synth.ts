import { App, Testing } from 'cdktf';
import { loadConfig } from '../../constructs/config';
import { LambdaApiGatewayStack, STACK_ID } from '../../constructs/lambda-apigateway-stack';

/** Synthesizes the stack as `main.ts` does, from `env`, and returns its Terraform JSON as text. */
export function synthStack(env: NodeJS.ProcessEnv = {}): string {
  const app = Testing.app();
  const stack = new LambdaApiGatewayStack(app, STACK_ID, loadConfig(env));
  return Testing.synth(stack);
}

/** Writes the whole stack, assets included, under `outdir` and returns the stack's directory. */
export function synthStackTo(outdir: string, env: NodeJS.ProcessEnv = {}): string {
  const app = new App({ outdir });
  new LambdaApiGatewayStack(app, STACK_ID, loadConfig(env));
  app.synth();
  return `${outdir}/stacks/${STACK_ID}`;
}
