import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOCUMENTED_ADDRESSES } from './helpers/addresses';
import { type PlannedStack, planOffline, terraformRunnable } from './helpers/terraform';

const root = path.join(__dirname, '..');
const maybe = terraformRunnable() ? it : it.skip;

// Every optional resource on, so that the export is proven for all of them (asset
// packaging: there is no archive provider here).
const EVERY_OPTION = {
  HANDLER_PACKAGING: 'asset',
  API_AUTHORIZATION: 'API_KEY',
  TRACING: 'true',
  API_ACCESS_LOGS: 'true',
  STAGE_NAME: 'v1',
  AWS_REGION: 'eu-west-1',
};

describe('npm run synth:hcl, the way off CDKTF, with every hardening option on', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-hcl-'));
  const stackDir = path.join(work, 'stacks', 'lambda-apigateway');
  let plan: PlannedStack;

  beforeAll(() => {
    // cdktf-cli itself, as the npm script runs it.
    execFileSync(path.join(root, 'node_modules', '.bin', 'cdktf'), ['synth', '--hcl', '--output', work], {
      cwd: root,
      env: { ...process.env, ...EVERY_OPTION, CHECKPOINT_DISABLE: '1', CI: 'true' },
      stdio: 'pipe',
    });
    if (maybe === it) plan = planOffline(stackDir);
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes plain HCL with no path of this machine in it', () => {
    const hcl = fs.readFileSync(path.join(stackDir, 'cdk.tf'), 'utf8');
    expect(hcl).toContain('resource "aws_lambda_function" "function"');
    expect(hcl).not.toContain(root);
  });

  maybe('is valid Terraform that plans the documented resources plus the key, its usage plan and the access logs', () => {
    const managed = plan.changes.filter((c) => c.mode === 'managed').map((c) => c.address);
    expect(managed.sort()).toEqual(
      [
        ...DOCUMENTED_ADDRESSES,
        'aws_api_gateway_api_key.api_key',
        'aws_api_gateway_usage_plan.usage_plan',
        'aws_api_gateway_usage_plan_key.usage_plan_key',
        'aws_cloudwatch_log_group.api_access_logs',
      ].sort(),
    );
  });

  maybe('carries the error mapping over unchanged', () => {
    expect(plan.after('aws_api_gateway_integration_response.post_400')).toMatchObject({
      selection_pattern: 'BadRequest: [{].*',
      response_templates: { 'application/json': "$input.path('$.errorMessage').substring(12)" },
    });
    expect(plan.after('aws_api_gateway_integration_response.post_500').selection_pattern).toBe(
      '(?s)(?!(?:BadRequest|Forbidden|Conflict|Throttled): [{]).+',
    );
  });

  maybe('plans tracing, the stage and the API key as configured', () => {
    expect(plan.after('aws_lambda_function.function').tracing_config).toEqual([{ mode: 'Active' }]);
    expect(plan.after('aws_api_gateway_stage.stage')).toMatchObject({ stage_name: 'v1', xray_tracing_enabled: true });
    expect(plan.after('aws_api_gateway_method.post')).toMatchObject({ api_key_required: true, authorization: 'NONE' });
  });

  maybe('keeps the API key\'s value in a sensitive output only', () => {
    for (const [name, output] of Object.entries(plan.outputs)) {
      expect({ name, sensitive: output.sensitive }).toEqual({ name, sensitive: name === 'api_key' });
    }
  });
});
