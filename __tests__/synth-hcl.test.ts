/**
 * `npm run synth:hcl`, the way off CDKTF: HCL a Terraform user would commit
 * (terraform fmt, validate with no warning, full provider sources) that plans
 * exactly what the JSON plans, strings included.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { toHcl } from '../constructs/terraform-hcl';
import { CORS_ADDRESSES, DOCUMENTED_ADDRESSES } from './helpers/addresses';
import { npmRun } from './helpers/npm';
import { type PlannedStack, planOffline, terraform, terraformRunnable, terraformVersion } from './helpers/terraform';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';

const plans = terraformRunnable() ? it : it.skip;
// Terraform alone, no provider: enough for configurations of outputs only.
const terraformOnly = terraformVersion ? it : it.skip;

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');

function copyStack(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true, filter: (source) => !source.includes(`${path.sep}.terraform`) });
  return to;
}

// Every optional resource on, so that the export is proven for all of them (asset
// packaging: there is no archive provider here).
const EVERY_OPTION = {
  HANDLER_PACKAGING: 'asset',
  API_AUTHORIZATION: 'API_KEY',
  TRACING: 'true',
  API_ACCESS_LOGS: 'true',
  STAGE_NAME: 'v1',
  AWS_REGION: 'eu-west-1',
  // Several origins: the response templates that check them, in Velocity, go through HCL too.
  API_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
};

describe('npm run synth:hcl, the way off CDKTF, with every hardening option on', () => {
  let checkout: UserCheckout;
  let hclDir = '';
  let hcl = '';
  let plan: PlannedStack;
  let jsonPlan: PlannedStack;

  beforeAll(() => {
    checkout = userCheckout('synth-hcl');
    const work = path.join(checkout.dir, 'compare');
    for (const script of ['synth', 'synth:hcl']) {
      const run = npmRun(checkout.dir, script, [], EVERY_OPTION);
      if (run.status !== 0) throw new Error(`npm run ${script} failed:\n${run.output}`);
      copyStack(path.join(checkout.dir, STACK), path.join(work, script));
    }
    hclDir = path.join(work, 'synth:hcl');
    hcl = fs.readFileSync(path.join(hclDir, 'cdk.tf'), 'utf8');
    if (plans === it) {
      plan = planOffline(hclDir);
      jsonPlan = planOffline(path.join(work, 'synth'));
    }
  }, 240_000);
  afterAll(() => checkout?.remove());

  it('writes plain HCL with no path of this machine in it, and the providers by their full source', () => {
    expect(hcl).toContain('resource "aws_lambda_function" "function" {');
    expect(hcl).not.toContain(checkout.dir);
    expect(hcl).toMatch(/aws = \{\n\s+source\s+= "hashicorp\/aws"\n\s+version = "5\.100\.0"\n/);
  });

  plans('is formatted as terraform fmt formats it', () => {
    expect(terraform(hclDir, ['fmt', '-check', '-diff', '-no-color', 'cdk.tf'])).toBe('');
  });

  plans('passes terraform validate with no warning (no quoted references)', () => {
    expect(plan.validation).toEqual({ valid: true, warnings: [] });
  });

  plans('plans exactly what the JSON plans: every resource, attribute and output', () => {
    expect(plan.json.planned_values).toEqual(jsonPlan.json.planned_values);
    expect(plan.json.resource_changes).toEqual(jsonPlan.json.resource_changes);
    expect(plan.json.output_changes).toEqual(jsonPlan.json.output_changes);
  });

  plans('plans the documented resources plus the key, its usage plan, the access logs and CORS', () => {
    const managed = plan.changes.filter((c) => c.mode === 'managed').map((c) => c.address);
    expect(managed.sort()).toEqual(
      [
        ...DOCUMENTED_ADDRESSES,
        'aws_api_gateway_api_key.api_key',
        'aws_api_gateway_usage_plan.usage_plan',
        'aws_api_gateway_usage_plan_key.usage_plan_key',
        'aws_cloudwatch_log_group.api_access_logs',
        ...CORS_ADDRESSES,
      ].sort(),
    );
  });

  plans('carries the error mapping over unchanged', () => {
    expect(plan.after('aws_api_gateway_integration_response.post_400')).toMatchObject({
      selection_pattern: 'BadRequest: [{].*',
      // After the CORS origin check.
      response_templates: { 'application/json': expect.stringMatching(/#end\$input\.path\('\$\.errorMessage'\)\.substring\(12\)$/) },
    });
    expect(plan.after('aws_api_gateway_integration_response.post_500').selection_pattern).toBe(
      '(?s)(?!(?:BadRequest|Forbidden|Conflict|Throttled): [{]).+',
    );
  });

  plans("carries CORS over unchanged: the origin check's Velocity, the preflight's MOCK, the gateway's copy of Origin", () => {
    const check = plan.after('aws_api_gateway_integration_response.post_200').response_templates as Record<string, string>;
    expect(check['application/json']).toMatch(/^#set\(\$origin = \$input\.params\('origin'\)\).*#if\(\$origin == 'https:\/\/app\.example\.com' \|\| \$origin == 'http:\/\/localhost:5173'\)#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin = \$origin\)#end\$input\.body$/);
    expect(plan.after('aws_api_gateway_integration.options')).toMatchObject({ type: 'MOCK', request_templates: { 'application/json': '{"statusCode": 200}' } });
    expect(plan.after('aws_api_gateway_method.options')).toMatchObject({ http_method: 'OPTIONS', authorization: 'NONE', api_key_required: false });
    expect(plan.after('aws_api_gateway_gateway_response.default_4xx')).toMatchObject({
      response_type: 'DEFAULT_4XX',
      response_parameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin', 'gatewayresponse.header.Vary': "'Origin'" },
      response_templates: { 'application/json': '{"message":$context.error.messageString}' },
    });
  });

  plans('plans tracing, the stage and the API key as configured', () => {
    expect(plan.after('aws_lambda_function.function').tracing_config).toEqual([{ mode: 'Active' }]);
    expect(plan.after('aws_api_gateway_stage.stage')).toMatchObject({ stage_name: 'v1', xray_tracing_enabled: true });
    expect(plan.after('aws_api_gateway_method.post')).toMatchObject({ api_key_required: true, authorization: 'NONE' });
  });

  plans("keeps the API key's value in a sensitive output only", () => {
    for (const [name, output] of Object.entries(plan.outputs)) {
      expect({ name, sensitive: output.sensitive }).toEqual({ name, sensitive: name === 'api_key' });
    }
  });
});

describe('the HCL writer: a string means in HCL what it means in the JSON', () => {
  // Each output's value as written in the JSON configuration (a Terraform template),
  // and the value Terraform makes of it.
  const STRINGS: Record<string, [template: string, value: string]> = {
    backslash: ['C:\\new\\table', 'C:\\new\\table'],
    quotes: ['say "hi"', 'say "hi"'],
    line_breaks: ['one\ntwo\r\nthree\tfour', 'one\ntwo\r\nthree\tfour'],
    control: ['bell\u0007', 'bell\u0007'],
    unicode: ['ünïcödé ✓ \u2028', 'ünïcödé ✓ \u2028'],
    escaped_interpolation: ['$${not.a.reference}', '${not.a.reference}'],
    escaped_directive: ['%%{ if x }', '%{ if x }'],
    lone_signs: ['100% of $5 {braces}', '100% of $5 {braces}'],
    interpolation_alone: ['${upper("a\\\\b")}', 'A\\B'],
    interpolation_with_brace: ['[${"}"}]', '[}]'],
    nested_template: ['x ${"y${"z"}"} x', 'x yz x'],
    // Sequences are copied as written; terraform fmt writes directives without inner spaces.
    directive: ['%{if true}yes%{else}no%{endif}', 'yes'],
    regex_like: ['(?s)^\\d+\\.\\s*$', '(?s)^\\d+\\.\\s*$'],
  };
  let work = '';

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hcl-strings-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  terraformOnly('gives every output the same value from cdk.tf as from cdk.tf.json', () => {
    const app = new App({ outdir: path.join(work, 'out') });
    const stack = new TerraformStack(app, 'strings');
    for (const [name, [template]] of Object.entries(STRINGS)) new TerraformOutput(stack, name, { value: template });
    app.synth();
    const jsonDir = path.join(app.outdir, 'stacks', 'strings');
    const hclDir = path.join(work, 'hcl');
    fs.mkdirSync(hclDir);
    fs.writeFileSync(path.join(hclDir, 'cdk.tf'), toHcl(stack));

    const outputs = (dir: string) => {
      fs.writeFileSync(path.join(dir, 'local_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } } }));
      terraform(dir, ['init', '-input=false', '-no-color']);
      terraform(dir, ['plan', '-input=false', '-no-color', '-out=plan.bin']);
      const shown = JSON.parse(terraform(dir, ['show', '-json', 'plan.bin'])) as { output_changes: Record<string, { after: string }> };
      return Object.fromEntries(Object.entries(shown.output_changes).map(([name, change]) => [name, change.after]));
    };
    const expected = Object.fromEntries(Object.entries(STRINGS).map(([name, [, value]]) => [name, value]));
    expect(outputs(jsonDir)).toEqual(expected);
    expect(outputs(hclDir)).toEqual(expected);
    expect(terraform(hclDir, ['fmt', '-check', '-no-color', 'cdk.tf'])).toBe('');
  }, 120_000);
});
