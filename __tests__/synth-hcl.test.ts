import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { toHcl } from '../constructs/terraform-hcl';
import { DOCUMENTED_ADDRESSES } from './helpers/addresses';
import { freePort } from './helpers/free-port';
import { npmRun, npmStart } from './helpers/npm-script';
import { type PlannedStack, planOffline, terraform, terraformRunnable, terraformVersion, writeOfflineOverride } from './helpers/terraform';
import { type UserCheckout, userCheckout } from './helpers/user-checkout';

const plans = terraformRunnable() ? it : it.skip;
// Terraform alone, no provider: enough for configurations of outputs only.
const terraformOnly = terraformVersion ? it : it.skip;

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');
const CONFIGURATION_FILES = /^(cdk\.tf|cdk\.tf\.json|metadata\.json)$/;

/** The stack directory's configuration files: what Terraform (and the cdktf CLI) read there. */
const configurationFiles = (stackDir: string) => fs.readdirSync(stackDir).filter((name) => CONFIGURATION_FILES.test(name)).sort();

function copyStack(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true, filter: (source) => !source.includes(`${path.sep}.terraform`) });
  return to;
}

/** `terraform validate -json` of an initialized directory: `valid`, and the warnings Terraform prints. */
function validate(stackDir: string): { valid: boolean; warnings: string[] } {
  const result = JSON.parse(terraform(stackDir, ['validate', '-json', '-no-color'])) as {
    valid: boolean;
    diagnostics: { severity: string; summary: string; detail?: string }[];
  };
  return { valid: result.valid, warnings: result.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.summary}: ${d.detail ?? ''}`) };
}

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
    const server = npmStart(checkout.dir, 'start', ['--in-memory'], {
      HANDLER_PACKAGING: 'asset',
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
    });
    try {
      await server.waitFor(/POST\s+http:\/\/\S+\/prod\/DynamoDBManager/);
      expect(configurationFiles(stackDir())).toEqual(['cdk.tf.json']);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

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
    expect(validate(hclDir)).toEqual({ valid: true, warnings: [] });
  });

  plans('plans exactly what the JSON plans: every resource, attribute and output', () => {
    expect(plan.json.planned_values).toEqual(jsonPlan.json.planned_values);
    expect(plan.json.resource_changes).toEqual(jsonPlan.json.resource_changes);
    expect(plan.json.output_changes).toEqual(jsonPlan.json.output_changes);
  });

  plans('plans the documented resources plus the key, its usage plan and the access logs', () => {
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

  plans('carries the error mapping over unchanged', () => {
    expect(plan.after('aws_api_gateway_integration_response.post_400')).toMatchObject({
      selection_pattern: 'BadRequest: [{].*',
      response_templates: { 'application/json': "$input.path('$.errorMessage').substring(12)" },
    });
    expect(plan.after('aws_api_gateway_integration_response.post_500').selection_pattern).toBe(
      '(?s)(?!(?:BadRequest|Forbidden|Conflict|Throttled): [{]).+',
    );
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
