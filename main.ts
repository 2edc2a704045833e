import { App } from 'cdktf';
import { ConfigError, loadConfig } from './constructs/config';
import { LambdaApiGatewayStack } from './constructs/lambda-apigateway-stack';
import { STACK_ID } from './constructs/stack-id';
import { writeStackConfiguration } from './constructs/terraform-hcl';

function main(): void {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
  const app = new App();
  const stack = new LambdaApiGatewayStack(app, STACK_ID, config);
  app.synth();
  writeStackConfiguration(app, stack);
}

main();
