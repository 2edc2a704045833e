/**
 * `npm run synth`, `npm run synth:hcl` and `npm start` in either order: each
 * leaves exactly one configuration in the stack directory, since Terraform reads
 * every `*.tf` and `*.tf.json` there and would refuse both ("Duplicate resource").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../scripts/support/free-port';
import { npmRun, startNpm } from './helpers/npm';
import { terraform, terraformRunnable, validate, writeOfflineOverride } from './helpers/terraform';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';

const plans = terraformRunnable() ? it : it.skip;

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');

/** The stack directory's configuration files: what Terraform (and the cdktf CLI) read there. */
const configurationFiles = (stackDir: string) => fs.readdirSync(stackDir).filter((name) => /^(cdk\.tf|cdk\.tf\.json|metadata\.json)$/.test(name)).sort();

describe('npm run synth and npm run synth:hcl, in either order, in a fresh clone', () => {
  // One journey, in order: each test continues from the directory the last one left.
  let checkout: UserCheckout;
  const stackDir = () => path.join(checkout.dir, STACK);
  const synth = (script: 'synth' | 'synth:hcl') => {
    const run = npmRun(checkout.dir, script, [], { HANDLER_PACKAGING: 'asset' });
    expect({ script, status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ script, status: 0, output: '' });
    return configurationFiles(stackDir());
  };

  beforeAll(() => {
    checkout = userCheckout('synth-formats');
  });
  afterAll(() => checkout?.remove());

  it('leaves exactly one configuration in the stack directory after each synth', () => {
    expect(synth('synth')).toEqual(['cdk.tf.json']);
    expect(synth('synth:hcl')).toEqual(['cdk.tf', 'metadata.json']);
    expect(synth('synth')).toEqual(['cdk.tf.json']);
  }, 120_000);

  plans('leaves a directory Terraform accepts after synth, synth:hcl, synth', () => {
    writeOfflineOverride(stackDir());
    terraform(stackDir(), ['init', '-input=false', '-no-color']);
    expect(validate(stackDir())).toEqual({ valid: true, warnings: [] });
  }, 120_000);

  it('serves the JSON with npm start after synth:hcl, leaving it alone in the stack directory', async () => {
    expect(synth('synth:hcl')).toEqual(['cdk.tf', 'metadata.json']);
    const server = startNpm(checkout.dir, 'start', ['--in-memory'], {
      env: { HANDLER_PACKAGING: 'asset', PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) },
    });
    try {
      await server.waitFor(/POST\s+http:\/\/\S+\/prod\/DynamoDBManager/);
      expect(configurationFiles(stackDir())).toEqual(['cdk.tf.json']);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

