/**
 * A platform engineer's, a reviewer's and ops' journeys through the npm scripts
 * and the real cdktf CLI, in a fresh clone, against moto: the first deploy, the
 * diff after it, drift made with the AWS CLI and found by `npm run drift`, a
 * destroy refused while the table is protected, and the README's two steps that
 * destroy it. With TERRAFORM_PROVIDER_MIRROR set (CI), the clone is air-gapped:
 * every connection beyond loopback goes to a dead proxy, and providers come from
 * the mirror only.
 *
 * Run: scripts/ci-python.sh && npm run test:deploy (not part of `npm test`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DOCUMENTED_ADDRESSES } from '../helpers/addresses';
import { type Moto, motoMissing, startMoto } from '../helpers/moto';
import { dynamodb, FAKE_CREDENTIALS, logRetentionDays, motoInventory, REGION, writeMotoOverride } from '../helpers/moto-stack';
import { npmRun, type ScriptRun, startNpm } from '../helpers/npm';
import { PROVIDER_MIRROR, terraformPlanBlocker } from '../helpers/terraform';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';

// One clear line, not a stack trace, when the test infrastructure is missing.
const missing = motoMissing() ?? terraformPlanBlocker();
if (missing) {
  const error = new Error(missing);
  error.stack = missing;
  throw error;
}

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');
const EVERYTHING = { tables: ['lambda-apigateway'], functions: ['LambdaFunctionOverHttps'], roles: ['lambda-apigateway-role'] };

let moto: Moto;
let checkout: UserCheckout;
let summaryFile = '';

/** The user's shell: fake credentials (moto takes any), asset packaging, and with a mirror no way out but loopback. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HANDLER_PACKAGING: 'asset',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    // Tests write nothing into the user's home: no cdktf plugin cache there.
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    TF_STATE_BUCKET: '',
    GITHUB_STEP_SUMMARY: '',
    ...extra,
  };
  if (PROVIDER_MIRROR) {
    Object.assign(env, {
      TERRAFORM_PROVIDER_MIRROR: PROVIDER_MIRROR,
      // No CLI configuration of this machine's: the wrapper writes the mirror's.
      TF_CLI_CONFIG_FILE: '',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
    });
  }
  return env;
}

const run = (script: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) => npmRun(checkout.dir, script, args, userEnv(extra), 600_000);

function expectSuccess(result: ScriptRun, pattern: RegExp): void {
  expect({ status: result.status, matches: pattern.test(result.output), output: pattern.test(result.output) ? '' : result.output.slice(-6000) }).toEqual({
    status: 0,
    matches: true,
    output: '',
  });
}

/** `terraform` in the stack directory, as ops run it there. */
function terraformInStack(args: string[]): ScriptRun {
  const cliConfig = path.join(checkout.dir, 'cdktf.out', 'terraform-mirror.tfrc');
  const result = spawnSync('terraform', [...args, '-no-color'], {
    cwd: path.join(checkout.dir, STACK),
    env: { ...process.env, ...userEnv(), ...(PROVIDER_MIRROR ? { TF_CLI_CONFIG_FILE: cliConfig } : {}), TF_IN_AUTOMATION: '1' },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

/** cdktf has started Terraform on the stack. */
const PLANNING = /Initializing the backend|Refreshing state|Initializing provider plugins/;

/** Waits until no process of the group is left (an orphaned Terraform would keep running, and writing state). */
async function expectGroupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`processes of group ${pgid} still run 30 s after the signal`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The lines of one part of `npm run drift`'s report. */
const section = (output: string, title: string) =>
  new RegExp(`${title}[^\\n]*:\\n((?:  .*\\n)+)`)
    .exec(output)?.[1]
    .trim()
    .split('\n')
    .map((line) => line.trim());

const stateList = () => terraformInStack(['state', 'list']).stdout.split('\n').filter(Boolean).sort();

async function tableProtection(): Promise<boolean | undefined> {
  const ddb = dynamodb(moto);
  try {
    return (await ddb.send(new DescribeTableCommand({ TableName: 'lambda-apigateway' }))).Table?.DeletionProtectionEnabled;
  } finally {
    ddb.destroy();
  }
}

describe('deploy, diff, drift and destroy through the npm scripts and the cdktf CLI, against moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    checkout = userCheckout('cli-journey');
    summaryFile = path.join(checkout.dir, 'step-summary.md');
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    checkout?.remove();
  });

  it('deploys from a fresh clone on the first npm run deploy, providers from the mirror only', () => {
    // The test's only addition to the clone: the provider pointed at moto.
    expectSuccess(run('synth'), /./);
    writeMotoOverride(path.join(checkout.dir, STACK), moto);
    expect(fs.existsSync(path.join(checkout.dir, STACK, '.terraform.lock.hcl'))).toBe(false);

    const deploy = run('deploy', ['--auto-approve']);
    expectSuccess(deploy, new RegExp(`Apply complete! Resources: ${DOCUMENTED_ADDRESSES.length} added, 0 changed, 0 destroyed`));
    expect(fs.readFileSync(path.join(checkout.dir, STACK, '.terraform.lock.hcl'), 'utf8')).toContain('provider "registry.terraform.io/hashicorp/aws"');
  }, 600_000);

  it('shows nothing to change in npm run diff right after, also after npm run synth:hcl', () => {
    expectSuccess(run('synth:hcl'), /./);
    expectSuccess(run('diff'), /No changes\. Your infrastructure matches the configuration\./);
    expect(fs.readdirSync(path.join(checkout.dir, STACK)).filter((f) => /^cdk\.tf|^metadata\.json$/.test(f))).toEqual(['cdk.tf.json']);
  }, 600_000);

  it('stops npm run diff on Ctrl-C, cdktf and Terraform with it', async () => {
    const diff = startNpm(checkout.dir, 'diff', [], { env: userEnv() });
    try {
      await diff.waitFor(PLANNING, 300_000);
      const exited = new Promise<number | null>((resolve) => diff.child.once('exit', resolve));
      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
      process.kill(-diff.child.pid!, 'SIGINT');
      await expectGroupGone(diff.child.pid!);
      expect(await exited).not.toBe(0);
    } finally {
      await diff.stop('SIGKILL');
    }
  }, 600_000);

  it('stops npm run diff on SIGTERM to npm alone (what a supervisor or `timeout` sends), cdktf and Terraform with it', async () => {
    const diff = startNpm(checkout.dir, 'diff', [], { env: userEnv() });
    try {
      await diff.waitFor(PLANNING, 300_000);
      const exited = new Promise<number | null>((resolve) => diff.child.once('exit', resolve));
      // npm's pid only, not its group: npm passes the signal to the script's command, which runs cdktf.
      process.kill(diff.child.pid!, 'SIGTERM');
      await expectGroupGone(diff.child.pid!);
      expect(await exited).not.toBe(0);
    } finally {
      await diff.stop('SIGKILL');
    }
  }, 600_000);

  it('finds no drift right after the deploy', () => {
    const drift = run('drift');
    expectSuccess(drift, /drift: none/);
  }, 600_000);

  it("reports exactly the log group after its retention was changed with the AWS CLI, in the job's summary too", async () => {
    const cli = spawnSync(
      'aws',
      ['--endpoint-url', moto.endpoint, 'logs', 'put-retention-policy', '--log-group-name', '/aws/lambda/LambdaFunctionOverHttps', '--retention-in-days', '30'],
      { env: { ...process.env, ...userEnv(), AWS_DEFAULT_REGION: REGION }, encoding: 'utf8' },
    );
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: '' });
    expect(await logRetentionDays(moto)).toBe(30);

    const drift = run('drift', [], { GITHUB_STEP_SUMMARY: summaryFile });
    expect(drift.status).toBe(2);
    expect(section(drift.output, 'Changed outside Terraform')).toEqual(['aws_cloudwatch_log_group.function_logs: update (retention_in_days)']);
    expect(section(drift.output, 'Code not deployed yet')).toEqual(['none']);
    expect(drift.output).toMatch(/retention_in_days = 30 -> 14/);
    const summary = fs.readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('aws_cloudwatch_log_group.function_logs: update (retention_in_days)');
    expect(summary).toMatch(/retention_in_days = 30 -> 14/);
  }, 600_000);

  it('puts the drifted retention back with npm run deploy', async () => {
    expectSuccess(run('deploy', ['--auto-approve']), /Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
    expect(await logRetentionDays(moto)).toBe(14);
  }, 600_000);

  it('tells a change of the code not deployed yet from drift', () => {
    const drift = run('drift', [], { LOG_RETENTION_DAYS: '30' });
    expect(drift.status).toBe(2);
    expect(section(drift.output, 'Changed outside Terraform')).toEqual(['none']);
    expect(section(drift.output, 'Code not deployed yet')).toEqual(['aws_cloudwatch_log_group.function_logs: update (retention_in_days)']);
  }, 600_000);

  it('refuses a plain npm run destroy while the table is protected, destroying nothing', async () => {
    const before = stateList();
    const destroy = run('destroy', ['--auto-approve']);
    expect(destroy.status).toBe(1);
    expect(destroy.output).toContain('refused, nothing was destroyed');
    expect(destroy.output).toContain('TABLE_DELETION_PROTECTION=false npm run deploy');
    expect(destroy.output).toContain('TABLE_DELETION_PROTECTION=false npm run destroy');
    expect(stateList()).toEqual(before);
    expect(await motoInventory(moto)).toMatchObject(EVERYTHING);
  }, 600_000);

  it('refuses terraform destroy in the stack directory too (prevent_destroy), destroying nothing', async () => {
    const before = stateList();
    const destroy = terraformInStack(['destroy', '-auto-approve', '-input=false']);
    expect(destroy.status).toBe(1);
    expect(destroy.output).toContain('Instance cannot be destroyed');
    expect(stateList()).toEqual(before);
    expect(await motoInventory(moto)).toMatchObject(EVERYTHING);
  }, 600_000);

  it('refuses TABLE_DELETION_PROTECTION=false npm run destroy before that setting is deployed', async () => {
    const destroy = run('destroy', ['--auto-approve'], { TABLE_DELETION_PROTECTION: 'false' });
    expect(destroy.status).toBe(1);
    expect(destroy.output).toContain('still has deletion protection on');
    expect(destroy.output).toContain('TABLE_DELETION_PROTECTION=false npm run deploy');
    expect(await tableProtection()).toBe(true);
    expect(await motoInventory(moto)).toMatchObject(EVERYTHING);
  }, 600_000);

  it("destroys everything with the README's two steps", async () => {
    const unprotect = run('deploy', ['--auto-approve'], { TABLE_DELETION_PROTECTION: 'false' });
    expectSuccess(unprotect, /Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
    expect(await tableProtection()).toBe(false);

    const destroy = run('destroy', ['--auto-approve'], { TABLE_DELETION_PROTECTION: 'false' });
    expectSuccess(destroy, new RegExp(`Destroy complete! Resources: ${DOCUMENTED_ADDRESSES.length} destroyed`));
    expect(await motoInventory(moto)).toEqual({ tables: [], functions: [], roles: [], logGroups: [], restApis: [] });
  }, 600_000);
});
