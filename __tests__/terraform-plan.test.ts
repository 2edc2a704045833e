import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOCUMENTED_ADDRESSES } from './helpers/addresses';
import { synthesize } from '../scripts/support/synth';
import { type PlannedStack, planOffline, providerAvailable, PROVIDER_MIRROR, terraformRunnable } from './helpers/terraform';

const runnable = terraformRunnable();

describe.each([
  { packaging: 'asset', provider: undefined },
  { packaging: 'archive', provider: 'archive' },
])('Terraform plan with HANDLER_PACKAGING=$packaging', ({ packaging, provider }) => {
  const canRun = runnable && (!provider || providerAvailable(provider));
  if (runnable && !canRun) {
    console.warn(`!!! The provider mirror ${PROVIDER_MIRROR} has no hashicorp/${provider}: the plan with HANDLER_PACKAGING=${packaging} is NOT run.`);
  }
  const maybe = canRun ? it : it.skip;
  let work = '';
  let plan: PlannedStack;

  // Jest runs no hook of a describe whose tests are all skipped: the directory is made where it is removed.
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-plan-'));
    if (canRun) plan = planOffline(synthesize(work, { HANDLER_PACKAGING: packaging }));
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  maybe('creates every resource at its documented address, and nothing else', () => {
    const managed = plan.changes.filter((c) => c.mode === 'managed');
    expect(managed.map((c) => c.address).sort()).toEqual(DOCUMENTED_ADDRESSES);
    for (const change of managed) expect(change.change.actions).toEqual(['create']);
  });

  maybe('plans the tutorial\'s names and settings as the AWS provider reads them', () => {
    expect(plan.after('aws_dynamodb_table.table')).toMatchObject({ name: 'lambda-apigateway', hash_key: 'id', billing_mode: 'PAY_PER_REQUEST' });
    expect(plan.after('aws_lambda_function.function')).toMatchObject({ function_name: 'LambdaFunctionOverHttps', runtime: 'nodejs22.x' });
    expect(plan.after('aws_api_gateway_rest_api.api')).toMatchObject({ name: 'DynamoDBOperations' });
    expect(plan.after('aws_api_gateway_stage.stage')).toMatchObject({ stage_name: 'prod' });
    // Known at plan time: the provider rendered the policy document.
    expect(JSON.parse(plan.after('aws_iam_role.role').assume_role_policy as string)).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    expect(plan.after('aws_lambda_function.function').tags_all).toMatchObject({ Project: 'lambda-apigateway-cdktf', Stack: 'lambda-apigateway' });
  });

  maybe('plans the handler package that Terraform will upload', () => {
    const fn = plan.after('aws_lambda_function.function');
    if (packaging === 'asset') expect(fs.existsSync(path.join(plan.stackDir, fn.filename as string))).toBe(true);
    else expect(fn.filename).toBe('function.zip');
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  maybe('plans every documented output', () => {
    expect(Object.keys(plan.outputs).sort()).toEqual(
      ['function_arn', 'function_name', 'invoke_url', 'log_group_name', 'resource_id', 'rest_api_id', 'role_arn', 'stage_name', 'table_arn', 'table_name'],
    );
  });
});
