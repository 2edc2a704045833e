/**
 * The deploy journey through the cdktf CLI, as the README tells a platform engineer:
 * `npm run diff`, `npm run deploy`, then `TABLE_DELETION_PROTECTION=false npm run
 * deploy` and `npm run destroy`, each as an npm script in a fresh clone, on the
 * Node.js that runs this test, against moto.
 *
 * The CLI runs terraform in a pseudo-terminal, a native module
 * (`@cdktf/node-pty-prebuilt-multiarch`, replaced through package.json's overrides by
 * `@lydell/node-pty`, whose one N-API binary loads on every Node.js). With a binary
 * built for another Node ABI, every command here fails before terraform starts: this
 * is the test that catches it on Node 22 and 24 (`.ci/run` runs it on both).
 *
 * Run: scripts/ci-python.sh && npm run test:deploy (not part of `npm test`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { writeMirrorCliConfig } from '../../scripts/terraform-setup';
import { DOCUMENTED_ADDRESSES } from '../helpers/addresses';
import { MOTO_ACCOUNT_ID, type Moto, motoMissing, startMoto } from '../helpers/moto';
import { PROVIDER_MIRROR, providerAvailable, terraformVersion } from '../helpers/terraform';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';

// One clear line, not a stack trace, when the test infrastructure is missing.
const missing = motoMissing() ?? (terraformVersion ? undefined : 'terraform is not on PATH: install Terraform 1.5+');
if (missing) {
  const error = new Error(missing);
  error.stack = missing;
  throw error;
}

const REGION = 'us-east-2';
const STATE_FILE = 'terraform.lambda-apigateway.tfstate';
const RESOURCES = DOCUMENTED_ADDRESSES.length;
const NODE = process.version;

let moto: Moto;
let checkout: UserCheckout;

/**
 * A user's environment with AWS pointed at moto: nothing from the calling shell but
 * PATH and HOME, so no real credentials, state bucket or stack setting leaks in.
 */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    // This test's Node first: npm, and the CLI's `#!/usr/bin/env node`, run on it.
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: process.env.HOME,
    CI: 'true',
    CHECKPOINT_DISABLE: '1',
    // cdktf keeps its telemetry id under CDKTF_HOME and, unless told not to, points
    // terraform at a plugin cache in HOME: both stay in the clone, which is removed.
    CDKTF_HOME: path.join(checkout.dir, '.cdktf-home'),
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: REGION,
    // The AWS provider 5.x, like the SDKs, sends every service to this endpoint.
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    // The default packaging needs the hashicorp/archive provider; a mirror without it gets asset packaging.
    ...(providerAvailable('archive') ? {} : { HANDLER_PACKAGING: 'asset' }),
    ...extra,
  };
  if (PROVIDER_MIRROR) {
    const cliConfig = path.join(checkout.dir, '.terraformrc');
    writeMirrorCliConfig(cliConfig, PROVIDER_MIRROR);
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return env;
}

/** `npm run <script> -- <args>` in the clone, as a user types it; returns its output without colours. */
function npmRun(script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
  // `terraform providers lock` asks the Terraform registry for every platform's
  // checksums, which a machine with only a provider mirror cannot reach.
  const offline = PROVIDER_MIRROR ? ['--skip-provider-lock'] : [];
  const run = spawnSync('npm', ['run', script, '--', ...args, ...offline], {
    cwd: checkout.dir,
    env: userEnv(extraEnv),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 280_000,
  });
  const output = stripVTControlCharacters(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  if (run.status !== 0) {
    throw new Error(
      `npm run ${script} exited ${run.status ?? run.signal} on Node ${NODE}:\n${output.slice(-8000)}\n--- moto's last lines ---\n${moto.log()}`,
    );
  }
  return output;
}

const dynamodb = () =>
  new DynamoDBClient({
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });

describe(`npm run diff, deploy and destroy through the cdktf CLI on Node.js ${NODE} (against moto)`, () => {
  beforeAll(async () => {
    checkout = userCheckout('cdktf-cli');
    moto = await startMoto();
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    checkout?.remove();
  });

  it('runs the CLI on the Node.js that runs this test', () => {
    const probe = spawnSync('node', ['-p', 'process.version'], { env: userEnv(), encoding: 'utf8' });
    expect(probe.stdout.trim()).toBe(NODE);
  });

  it('npm run diff plans the whole stack', () => {
    const output = npmRun('diff', []);
    expect(output).toContain(`Plan: ${RESOURCES} to add, 0 to change, 0 to destroy.`);
  }, 300_000);

  it('npm run deploy applies it, keeps the state in the project root and writes the outputs', () => {
    const outputsFile = path.join(checkout.dir, 'outputs.json');
    const output = npmRun('deploy', ['--auto-approve', '--outputs-file', outputsFile]);
    expect(output).toContain(`Apply complete! Resources: ${RESOURCES} added, 0 changed, 0 destroyed.`);

    const state = JSON.parse(fs.readFileSync(path.join(checkout.dir, STATE_FILE), 'utf8')) as {
      resources: { mode: string; type: string; name: string }[];
    };
    const managed = state.resources.filter((r) => r.mode === 'managed').map((r) => `${r.type}.${r.name}`);
    expect(managed.sort()).toEqual(DOCUMENTED_ADDRESSES);

    const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8'))['lambda-apigateway'] as Record<string, string>;
    expect(outputs).toMatchObject({
      function_name: 'LambdaFunctionOverHttps',
      table_arn: `arn:aws:dynamodb:${REGION}:${MOTO_ACCOUNT_ID}:table/lambda-apigateway`,
    });
    expect(outputs.invoke_url).toBe(`https://${outputs.rest_api_id}.execute-api.${REGION}.amazonaws.com/prod/DynamoDBManager`);
  }, 300_000);

  it('TABLE_DELETION_PROTECTION=false npm run deploy turns the protection off in place', async () => {
    const output = npmRun('deploy', ['--auto-approve'], { TABLE_DELETION_PROTECTION: 'false' });
    expect(output).toMatch(/Apply complete! Resources: 0 added, \d+ changed, 0 destroyed\./);
    const ddb = dynamodb();
    const table = (await ddb.send(new DescribeTableCommand({ TableName: 'lambda-apigateway' }))).Table;
    ddb.destroy();
    expect(table?.DeletionProtectionEnabled).toBe(false);
  }, 300_000);

  it('TABLE_DELETION_PROTECTION=false npm run destroy removes everything it created', async () => {
    const output = npmRun('destroy', ['--auto-approve'], { TABLE_DELETION_PROTECTION: 'false' });
    expect(output).toContain(`Destroy complete! Resources: ${RESOURCES} destroyed.`);
    const ddb = dynamodb();
    const tables = (await ddb.send(new ListTablesCommand({}))).TableNames;
    ddb.destroy();
    expect(tables).toEqual([]);
  }, 300_000);
});
