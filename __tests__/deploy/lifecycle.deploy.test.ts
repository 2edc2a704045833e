/**
 * The stack's whole lifecycle with the real Terraform engine and the real AWS
 * provider, against moto (AWS APIs on loopback, in memory): apply, state, outputs,
 * a second plan with nothing to do, the plan of each single setting's change
 * (what a reviewer reads in `cdktf diff`), a configuration change applied in
 * place, and a destroy that leaves moto empty. No AWS account, no network.
 *
 * Run: scripts/ci-python.sh && npm run test:deploy (not part of `npm test`).
 *
 * Why this file is long: one journey, each step on the state the step before
 * applied (a split would apply the stack again, a minute each against moto).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeContinuousBackupsCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ERROR_CLASSES } from '../../function/error-contract';
import { CORS_ADDRESSES, DOCUMENTED_ADDRESSES, DOCUMENTED_DATA_SOURCES } from '../helpers/addresses';
import { MOTO_ACCOUNT_ID, type Moto, motoCall, motoMissing, startMoto } from '../helpers/moto';
import { dynamodb, logRetentionDays, motoInventory, REGION, writeMotoOverride } from '../helpers/moto-stack';
import { changedAttributes, type PlannedChange } from '../../scripts/support/plan-changes';
import { synthesize } from '../../scripts/support/synth';
import { writeMirrorCliConfig } from '../../scripts/terraform-setup';
import { PROVIDER_MIRROR, terraformPlanBlocker, terraformVersion } from '../helpers/terraform';

// One clear line, not a stack trace, when the test infrastructure is missing.
const missing = motoMissing() ?? terraformPlanBlocker();
if (missing) {
  const error = new Error(missing);
  error.stack = missing;
  throw error;
}

/** The settings every configuration here is synthesized with, before its own. */
const BASE_ENV: NodeJS.ProcessEnv = { HANDLER_PACKAGING: 'asset', AWS_REGION: REGION };

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

interface ResourceChange {
  address: string;
  mode: 'managed' | 'data';
  change: PlannedChange;
}

let moto: Moto;
let root = '';
const statePath = () => path.join(root, 'terraform.tfstate');
const figures = { resources: 0, applySeconds: 0, destroySeconds: 0, inPlace: [] as string[], settingPlans: 0, settingSeconds: 0 };

/**
 * The environment terraform runs in here. AWS_* variables of the calling shell are
 * dropped, and every non-loopback connection goes to a dead proxy: nothing here
 * can reach AWS, and a service the override does not point at moto fails fast
 * instead of hanging.
 */
function terraformEnv(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  Object.assign(env, { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', AWS_EC2_METADATA_DISABLED: 'true' });
  if (args[0] !== 'init') {
    Object.assign(env, { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' });
  }
  if (PROVIDER_MIRROR) {
    const cliConfig = path.join(cwd, '.terraformrc');
    writeMirrorCliConfig(cliConfig, PROVIDER_MIRROR);
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return { ...env, ...extraEnv };
}

function checked(cwd: string, args: string[], okStatuses: number[], run: Run): Run {
  if (!okStatuses.includes(run.status)) {
    throw new Error(
      `terraform ${args.join(' ')} exited ${run.status} in ${cwd}:\n${run.stderr || run.stdout.slice(-8000)}\n--- moto's last lines ---\n${moto?.log()}`,
    );
  }
  return run;
}

/** Runs terraform like `helpers/terraform.ts` does, but returns the exit status (for `-detailed-exitcode`). */
function tf(cwd: string, args: string[], okStatuses = [0], extraEnv: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync('terraform', [...args, '-no-color'], { cwd, env: terraformEnv(cwd, args, extraEnv), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return checked(cwd, args, okStatuses, { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' });
}

/** `tf`, without blocking: several plans run side by side. */
function tfAsync(cwd: string, args: string[], okStatuses = [0], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', [...args, '-no-color'], { cwd, env: terraformEnv(cwd, args, extraEnv) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve(checked(cwd, args, okStatuses, { status: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Synthesizes one configuration into its own directory, sharing the one state file, and runs init. */
function prepare(label: string, env: NodeJS.ProcessEnv = {}): string {
  const stackDir = synthesize(path.join(root, label), { ...BASE_ENV, ...env });
  writeMotoOverride(stackDir, moto, statePath());
  tf(stackDir, ['init', '-input=false']);
  return stackDir;
}

/** Plans into a file and returns the changes that are not no-ops, by address. */
async function plannedChanges(stackDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; changes: ResourceChange[] }> {
  const run = await tfAsync(stackDir, ['plan', '-input=false', '-detailed-exitcode', '-out=plan.bin', ...extraArgs], [0, 2], env);
  const plan = JSON.parse((await tfAsync(stackDir, ['show', '-json', 'plan.bin'], [0], env)).stdout) as { resource_changes?: ResourceChange[] };
  const changes = (plan.resource_changes ?? []).filter(
    (c) => c.mode === 'managed' && !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])),
  );
  return { status: run.status, changes };
}

const describeChanges = (changes: ResourceChange[]) =>
  changes.map((c) => `${c.address}: ${c.change.actions.join('+')} (${changedAttributes(c.change).join(', ')})`).join('; ');

/** Every path under `after_unknown` that is unknown until apply: `access_log_settings[0].destination_arn`. */
function unknownPaths(unknown: unknown, prefix = ''): string[] {
  if (unknown === true) return [prefix];
  if (Array.isArray(unknown)) return unknown.flatMap((item, i) => unknownPaths(item, `${prefix}[${i}]`));
  if (typeof unknown === 'object' && unknown !== null) {
    return Object.entries(unknown).flatMap(([key, value]) => unknownPaths(value, prefix ? `${prefix}.${key}` : key));
  }
  return [];
}

/**
 * A plan as a reviewer reads it, by address: the actions, and for an in-place
 * update the attributes it changes, then those Terraform cannot know until apply.
 */
function planSummary(changes: ResourceChange[]): Record<string, string> {
  return Object.fromEntries(
    changes.map((c) => {
      const actions = c.change.actions.join('+');
      if (actions !== 'update') return [c.address, actions];
      const unknown = unknownPaths(c.change.after_unknown).sort();
      return [c.address, `update ${changedAttributes(c.change).join(', ')}${unknown.length ? `; unknown until apply: ${unknown.join(', ')}` : ''}`];
    }),
  );
}

interface SettingChange {
  /** The one setting changed from the defaults, as a user sets it. */
  readonly env: Record<string, string>;
  /**
   * Every resource the plan changes (see planSummary). An attribute is unknown
   * until apply only when it truly is: the id or ARN of something the same plan
   * creates or replaces.
   */
  readonly plan?: Record<string, string>;
  /** Terraform's error, when the plan must be refused. */
  readonly refused?: string;
  /**
   * For a setting moto cannot plan (it does not keep the attribute): the resources
   * whose configuration differs from the default's, with the attributes that differ.
   */
  readonly configuration?: Record<string, string>;
}

/** The resources whose synthesized configuration differs between two stack directories, with the top-level attributes that differ. */
function configurationDiff(fromDir: string, toDir: string): Record<string, string> {
  type Resources = Record<string, Record<string, Record<string, unknown>>>;
  const read = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { resource: Resources }).resource;
  const [from, to] = [read(fromDir), read(toDir)];
  const diff: Record<string, string> = {};
  for (const type of new Set([...Object.keys(from), ...Object.keys(to)])) {
    for (const name of new Set([...Object.keys(from[type] ?? {}), ...Object.keys(to[type] ?? {})])) {
      const [a, b] = [from[type]?.[name], to[type]?.[name]];
      if (!a || !b) diff[`${type}.${name}`] = a ? 'removed' : 'added';
      else {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => key !== '//' && JSON.stringify(a[key]) !== JSON.stringify(b[key]));
        if (keys.length > 0) diff[`${type}.${name}`] = keys.sort().join(', ');
      }
    }
  }
  return diff;
}

/** A new deployment (the API's definition changed) and the stage moving to it, its id not known before it exists. */
const REDEPLOYMENT = {
  'aws_api_gateway_deployment.api': 'create+delete',
  'aws_api_gateway_stage.stage': 'update deployment_id; unknown until apply: deployment_id',
};

/** One row per setting of the configuration table: adding a setting adds a row. */
const SETTING_CHANGES: SettingChange[] = [
  { env: { LOG_RETENTION_DAYS: '30' }, plan: { 'aws_cloudwatch_log_group.function_logs': 'update retention_in_days' } },
  { env: { TABLE_DELETION_PROTECTION: 'false' }, plan: { 'aws_dynamodb_table.table': 'update deletion_protection_enabled' } },
  { env: { FUNCTION_MEMORY_MB: '512' }, plan: { 'aws_lambda_function.function': 'update memory_size' } },
  { env: { FUNCTION_TIMEOUT_SECONDS: '20' }, plan: { 'aws_lambda_function.function': 'update timeout' } },
  { env: { API_THROTTLE_RATE_LIMIT: '50' }, plan: { 'aws_api_gateway_method_settings.throttling': 'update settings' } },
  { env: { API_THROTTLE_BURST_LIMIT: '100' }, plan: { 'aws_api_gateway_method_settings.throttling': 'update settings' } },
  {
    env: { TRACING: 'true' },
    plan: {
      'aws_api_gateway_stage.stage': 'update xray_tracing_enabled',
      'aws_iam_role_policy.role_policy': 'update policy',
      'aws_lambda_function.function': 'update tracing_config',
    },
  },
  {
    env: { API_ACCESS_LOGS: 'true' },
    plan: {
      'aws_api_gateway_stage.stage': 'update access_log_settings; unknown until apply: access_log_settings[0].destination_arn',
      'aws_cloudwatch_log_group.api_access_logs': 'create',
    },
  },
  { env: { API_AUTHORIZATION: 'AWS_IAM' }, plan: { 'aws_api_gateway_method.post': 'update authorization', ...REDEPLOYMENT } },
  {
    env: { API_AUTHORIZATION: 'API_KEY' },
    plan: {
      'aws_api_gateway_api_key.api_key': 'create',
      'aws_api_gateway_method.post': 'update api_key_required',
      'aws_api_gateway_usage_plan.usage_plan': 'create',
      'aws_api_gateway_usage_plan_key.usage_plan_key': 'create',
      ...REDEPLOYMENT,
    },
  },
  {
    env: { API_REQUEST_VALIDATION: 'false' },
    plan: {
      'aws_api_gateway_method.post': 'update request_models, request_validator_id',
      'aws_api_gateway_model.request': 'delete',
      'aws_api_gateway_request_validator.body': 'delete',
      ...REDEPLOYMENT,
    },
  },
  {
    env: { API_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' },
    plan: {
      ...Object.fromEntries(CORS_ADDRESSES.map((address) => [address, 'create'])),
      // Every answer of the POST method declares the allowed origin and Vary, and checks the request's Origin in its template.
      ...Object.fromEntries(
        ['200', ...Object.values(ERROR_CLASSES).map(String)].flatMap((status) => [
          [`aws_api_gateway_method_response.post_${status}`, 'update response_parameters'],
          [`aws_api_gateway_integration_response.post_${status}`, 'update response_parameters, response_templates'],
        ]),
      ),
      ...REDEPLOYMENT,
    },
  },
  { env: { API_NAME: 'Other' }, plan: { 'aws_api_gateway_deployment.api': 'update description', 'aws_api_gateway_rest_api.api': 'update name' } },
  {
    env: { STAGE_NAME: 'v2' },
    plan: {
      'aws_api_gateway_method_settings.throttling': 'delete+create',
      'aws_api_gateway_stage.stage': 'delete+create',
      'aws_lambda_permission.api_stage_invoke': 'delete+create',
    },
  },
  {
    env: { ROLE_NAME: 'other-role' },
    plan: {
      'aws_iam_role.role': 'create+delete',
      'aws_iam_role_policy.role_policy': 'create+delete',
      'aws_lambda_function.function': 'update role; unknown until apply: role',
    },
  },
  {
    env: { FUNCTION_NAME: 'OtherFunction' },
    plan: {
      'aws_api_gateway_integration.post': 'update uri; unknown until apply: uri',
      'aws_cloudwatch_log_group.function_logs': 'create+delete',
      'aws_iam_role.role': 'update description',
      'aws_iam_role_policy.role_policy': 'update policy; unknown until apply: policy',
      'aws_lambda_function.function': 'create+delete',
      'aws_lambda_permission.api_stage_invoke': 'delete+create',
      'aws_lambda_permission.api_test_invoke': 'delete+create',
      ...REDEPLOYMENT,
    },
  },
  // A rename replaces the table: refused while it is protected, before anything changes.
  { env: { TABLE_NAME: 'items' }, refused: 'Instance cannot be destroyed' },
  // moto accepts the function's logging_config but never returns it (the override ignores it), so no plan here
  // can show this change; the configuration shows it touches the function's logging levels and nothing else.
  { env: { LOG_LEVEL: 'WARN' }, configuration: { 'aws_lambda_function.function': 'logging_config' } },
];

function applyPlan(stackDir: string): number {
  const started = Date.now();
  tf(stackDir, ['apply', '-input=false', '-auto-approve', 'plan.bin']);
  return (Date.now() - started) / 1000;
}

describe('deploy lifecycle against moto (real Terraform, real AWS provider)', () => {
  let stackDir = '';
  let outputs: Record<string, { value: unknown; sensitive: boolean }> = {};

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-deploy-'));
    moto = await startMoto();
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    if (root && !process.env.KEEP_DEPLOY_DIR) fs.rmSync(root, { recursive: true, force: true });
    process.stdout.write(
      `deploy lifecycle (terraform ${terraformVersion}, moto ${moto?.version}): ${figures.resources} resources applied in ` +
        `${figures.applySeconds.toFixed(1)} s, ${figures.settingPlans} single-setting plans in ${figures.settingSeconds.toFixed(1)} s, ` +
        `in place: ${figures.inPlace.join(', ') || '-'}, destroyed in ${figures.destroySeconds.toFixed(1)} s\n`,
    );
  });

  it('applies the default configuration from scratch', async () => {
    stackDir = prepare('default');
    const plan = await plannedChanges(stackDir);
    expect(plan.changes.every((c) => c.change.actions.join() === 'create')).toBe(true);
    figures.applySeconds = applyPlan(stackDir);
    figures.resources = plan.changes.length;
    expect(figures.resources).toBe(DOCUMENTED_ADDRESSES.length);
  }, 300_000);

  it('records in state exactly the addresses the README documents', () => {
    const listed = tf(stackDir, ['state', 'list']).stdout.split('\n').filter(Boolean).sort();
    // Asset packaging: no archive provider, so no data.archive_file.
    const dataSources = DOCUMENTED_DATA_SOURCES.filter((address) => address.startsWith('data.aws_'));
    expect(listed).toEqual([...DOCUMENTED_ADDRESSES, ...dataSources].sort());
  });

  it('outputs well-formed values', () => {
    outputs = JSON.parse(tf(stackDir, ['output', '-json']).stdout);
    const value = (name: string) => outputs[name]?.value as string;
    const account = MOTO_ACCOUNT_ID;
    expect(value('rest_api_id')).toMatch(/^[a-z0-9]{10}$/);
    expect(value('invoke_url')).toBe(`https://${value('rest_api_id')}.execute-api.${REGION}.amazonaws.com/prod/DynamoDBManager`);
    expect(value('stage_name')).toBe('prod');
    expect(value('resource_id')).toMatch(/^[a-z0-9]{6,10}$/);
    expect(value('function_name')).toBe('LambdaFunctionOverHttps');
    expect(value('function_arn')).toBe(`arn:aws:lambda:${REGION}:${account}:function:LambdaFunctionOverHttps`);
    expect(value('table_name')).toBe('lambda-apigateway');
    expect(value('table_arn')).toBe(`arn:aws:dynamodb:${REGION}:${account}:table/lambda-apigateway`);
    expect(value('role_arn')).toBe(`arn:aws:iam::${account}:role/lambda-apigateway-role`);
    expect(value('log_group_name')).toBe('/aws/lambda/LambdaFunctionOverHttps');
    for (const [name, output] of Object.entries(outputs)) {
      if (!output.sensitive) expect([name, typeof output.value === 'string' && output.value.length > 0]).toEqual([name, true]);
    }
  });

  it('created in moto what the configuration says', async () => {
    const ddb = dynamodb(moto);
    const table = (await ddb.send(new DescribeTableCommand({ TableName: 'lambda-apigateway' }))).Table!;
    const backups = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'lambda-apigateway' }));
    ddb.destroy();
    expect(table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      DeletionProtectionEnabled: true,
    });
    expect(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');

    const fn = (await motoCall(moto, 'lambda', { path: '/2015-03-31/functions/LambdaFunctionOverHttps' })).json();
    expect(fn.Configuration).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: outputs.role_arn.value,
      Environment: { Variables: { TABLE_NAME: 'lambda-apigateway' } },
    });
    const policy = JSON.parse((await motoCall(moto, 'lambda', { path: '/2015-03-31/functions/LambdaFunctionOverHttps/policy' })).json().Policy);
    const sourceArns = policy.Statement.map((s: any) => s.Condition?.ArnLike?.['AWS:SourceArn']).sort();
    const executeApi = `arn:aws:execute-api:${REGION}:${MOTO_ACCOUNT_ID}:${outputs.rest_api_id.value}`;
    expect(sourceArns).toEqual([`${executeApi}/*/POST/DynamoDBManager`, `${executeApi}/prod/POST/DynamoDBManager`]);

    const rolePolicies = (await motoCall(moto, 'iam', { form: { Action: 'ListRolePolicies', Version: '2010-05-08', RoleName: 'lambda-apigateway-role' } }, 'us-east-1')).text;
    expect(rolePolicies).toContain('<member>lambda-apigateway-role-policy</member>');

    const logGroup = (await motoCall(moto, 'logs', { target: 'Logs_20140328.DescribeLogGroups', json: { logGroupNamePrefix: '/aws/lambda/LambdaFunctionOverHttps' } })).json();
    expect(logGroup.logGroups).toMatchObject([{ logGroupName: '/aws/lambda/LambdaFunctionOverHttps', retentionInDays: 14 }]);

    const apiId = outputs.rest_api_id.value as string;
    const resources = (await motoCall(moto, 'apigateway', { path: `/restapis/${apiId}/resources` })).json();
    const manager = resources.item.find((r: any) => r.path === '/DynamoDBManager');
    expect(Object.keys(manager?.resourceMethods ?? {})).toEqual(['POST']);
    const stage = (await motoCall(moto, 'apigateway', { path: `/restapis/${apiId}/stages/prod` })).json();
    expect(stage.deploymentId).toMatch(/^[a-z0-9]+$/);
  });

  it('plans nothing to change right after the apply', async () => {
    const { status, changes } = await plannedChanges(stackDir);
    expect({ changes: describeChanges(changes) }).toEqual({ changes: '' });
    expect(status).toBe(0);
  }, 120_000);

  describe('a change of one setting plans changes to exactly what that setting is about', () => {
    // Every configuration plans against the state of the default one just applied,
    // with -refresh=false (the state is what was just applied), reusing its
    // initialized providers, two at a time: one apply, many plans.
    const outcomes = new Map<SettingChange, Record<string, string> | string>();

    beforeAll(async () => {
      const started = Date.now();
      const env = { TF_DATA_DIR: path.join(stackDir, '.terraform') };
      const queue = SETTING_CHANGES.map((row, index) => ({ row, index }));
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const { row, index } = next;
          const dir = synthesize(path.join(root, `setting-${index}`), { ...BASE_ENV, ...row.env });
          writeMotoOverride(dir, moto, statePath());
          fs.copyFileSync(path.join(stackDir, '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
          if (row.configuration) {
            outcomes.set(row, configurationDiff(stackDir, dir));
          } else if (row.refused) {
            outcomes.set(row, (await tfAsync(dir, ['plan', '-input=false', '-refresh=false', '-lock=false'], [1], env)).stderr);
          } else {
            outcomes.set(row, planSummary((await plannedChanges(dir, ['-refresh=false', '-lock=false'], env)).changes));
          }
        }
      };
      await Promise.all([worker(), worker()]);
      figures.settingPlans = SETTING_CHANGES.length;
      figures.settingSeconds = (Date.now() - started) / 1000;
    }, 900_000);

    it.each(SETTING_CHANGES.map((row) => [Object.entries(row.env).map(([k, v]) => `${k}=${v}`).join(' '), row] as const))('%s', (setting, row) => {
      const outcome = outcomes.get(row);
      if (row.refused) expect(outcome).toContain(row.refused);
      else if (row.configuration) expect({ setting, configuration: outcome }).toEqual({ setting, configuration: row.configuration });
      else expect({ setting, plan: outcome }).toEqual({ setting, plan: row.plan });
    });
  });

  it('applies LOG_RETENTION_DAYS=30 as an in-place update that replaces nothing', async () => {
    stackDir = prepare('retention', { LOG_RETENTION_DAYS: '30' });
    const { changes } = await plannedChanges(stackDir);
    expect(describeChanges(changes)).toBe('aws_cloudwatch_log_group.function_logs: update (retention_in_days)');
    expect(changes[0].change.after).toMatchObject({ retention_in_days: 30 });
    applyPlan(stackDir);
    figures.inPlace.push(...changes.map((c) => c.address));
    expect(await logRetentionDays(moto)).toBe(30);
  }, 300_000);

  it("switches the table's deletion protection off in place, keeping the table", async () => {
    stackDir = prepare('unprotected', { LOG_RETENTION_DAYS: '30', TABLE_DELETION_PROTECTION: 'false' });
    const { changes } = await plannedChanges(stackDir);
    expect(describeChanges(changes)).toBe('aws_dynamodb_table.table: update (deletion_protection_enabled)');
    const tableArn = outputs.table_arn.value;
    applyPlan(stackDir);
    figures.inPlace.push(...changes.map((c) => c.address));
    const ddb = dynamodb(moto);
    const table = (await ddb.send(new DescribeTableCommand({ TableName: 'lambda-apigateway' }))).Table!;
    ddb.destroy();
    expect([table.TableArn, table.DeletionProtectionEnabled]).toEqual([tableArn, false]);
  }, 300_000);

  it('destroys everything, and moto has nothing left', async () => {
    const before = await motoInventory(moto);
    // Guards against an inventory that sees nothing at all.
    expect(Object.values(before).every((names) => names.length === 1)).toBe(true);
    const started = Date.now();
    const run = tf(stackDir, ['destroy', '-input=false', '-auto-approve']);
    figures.destroySeconds = (Date.now() - started) / 1000;
    expect(run.stdout).toMatch(new RegExp(`Destroy complete! Resources: ${DOCUMENTED_ADDRESSES.length} destroyed`));
    expect(tf(stackDir, ['state', 'list']).stdout.trim()).toBe('');
    expect(await motoInventory(moto)).toEqual({ tables: [], functions: [], roles: [], logGroups: [], restApis: [] });
  }, 300_000);
});
