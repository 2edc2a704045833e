import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registryReachable } from '../../scripts/support/terraform-registry';
import { writeMirrorCliConfig } from '../../scripts/terraform-setup';

/**
 * Where Terraform takes providers from: a filesystem mirror named by
 * TERRAFORM_PROVIDER_MIRROR (air-gapped machines, CI here), else Terraform's own default.
 */
export const PROVIDER_MIRROR = process.env.TERRAFORM_PROVIDER_MIRROR || undefined;

export const terraformVersion = (() => {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  return probe.status === 0 ? (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version : undefined;
})();

const hasProvider = (mirror: string, name: string) => fs.existsSync(path.join(mirror, 'registry.terraform.io', 'hashicorp', name));

/**
 * The directories Terraform installs providers from with no CLI configuration at
 * all, its "implied local mirrors" on Linux and macOS: a provider found there is
 * never asked of the registry.
 */
function impliedMirrors(): string[] {
  const home = os.homedir();
  const dataHome = process.env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const dataDirs = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [path.join(home, '.terraform.d', 'plugins'), ...[dataHome, ...dataDirs].map((dir) => path.join(dir, 'terraform', 'plugins'))];
}

/** Why the Terraform plan tests cannot run here, or undefined when they can. */
function planBlocker(): string | undefined {
  if (!terraformVersion) return 'terraform is not on PATH: the real Terraform plan tests are NOT run. Install Terraform 1.5+ to run them.';
  if (PROVIDER_MIRROR) {
    if (hasProvider(PROVIDER_MIRROR, 'aws')) return undefined;
    return (
      `TERRAFORM_PROVIDER_MIRROR=${PROVIDER_MIRROR} has no registry.terraform.io/hashicorp/aws: the real Terraform plan tests are NOT run. ` +
      'Point it at a filesystem mirror holding hashicorp/aws 5.100.0 (terraform providers mirror <dir> makes one).'
    );
  }
  if (impliedMirrors().some((dir) => hasProvider(dir, 'aws')) || registryReachable()) return undefined;
  return (
    'Terraform cannot reach registry.terraform.io and no provider mirror is set: the real Terraform plan tests are NOT run. ' +
    'Set TERRAFORM_PROVIDER_MIRROR to a filesystem mirror holding hashicorp/aws 5.100.0 (terraform providers mirror <dir> makes one).'
  );
}

/**
 * Decided once per test run: jest's global setup asks first, prints the one loud
 * line, and leaves the answer in the environment its workers inherit.
 */
const SUPPORT_VARIABLE = 'LAMBDA_APIGATEWAY_TERRAFORM_PLANS';

export function terraformPlanBlocker(): string | undefined {
  const known = process.env[SUPPORT_VARIABLE];
  if (known !== undefined) return known === 'ok' ? undefined : known;
  const blocker = planBlocker();
  process.env[SUPPORT_VARIABLE] = blocker ?? 'ok';
  if (blocker) console.warn(`!!! ${blocker}`);
  return blocker;
}

/** True when Terraform can run plans here; when not, false (the tests skip), or under REQUIRE_TERRAFORM (CI) an error. */
export function terraformRunnable(): boolean {
  const blocker = terraformPlanBlocker();
  if (!blocker) return true;
  if (process.env.REQUIRE_TERRAFORM) throw new Error(`REQUIRE_TERRAFORM is set, but ${blocker}`);
  return false;
}

/** True when Terraform can get the provider `hashicorp/<name>`: from the mirror if one is named, else as it gets the AWS provider. */
export function providerAvailable(name: string): boolean {
  if (PROVIDER_MIRROR) return hasProvider(PROVIDER_MIRROR, name);
  return impliedMirrors().some((dir) => hasProvider(dir, name)) || terraformPlanBlocker() === undefined;
}

/**
 * Lets Terraform plan (and apply, against a local endpoint) with no AWS account: fake
 * credentials, no calls to STS or the metadata API, and state kept in the directory.
 */
export function writeOfflineOverride(stackDir: string, extraProvider: Record<string, unknown> = {}): void {
  const override = {
    terraform: { backend: { local: { path: 'terraform.tfstate' } } },
    provider: {
      aws: {
        access_key: 'AKIAIOSFODNN7EXAMPLE',
        secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        ...extraProvider,
      },
    },
  };
  fs.writeFileSync(path.join(stackDir, 'offline_override.tf.json'), JSON.stringify(override, null, 2));
}

/** Runs terraform in `cwd` and returns stdout; a failure throws with Terraform's own message. */
export function terraform(cwd: string, args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  if (PROVIDER_MIRROR) {
    const cliConfig = path.join(cwd, '.terraformrc');
    writeMirrorCliConfig(cliConfig, PROVIDER_MIRROR);
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  try {
    return execFileSync('terraform', args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`terraform ${args.join(' ')} failed in ${cwd}:\n${stderr || stdout}`);
  }
}

/** `terraform validate -json` of an initialized directory: `valid`, and the warnings Terraform prints. */
export function validate(stackDir: string): { valid: boolean; warnings: string[] } {
  const result = JSON.parse(terraform(stackDir, ['validate', '-json', '-no-color'])) as {
    valid: boolean;
    diagnostics: { severity: string; summary: string; detail?: string }[];
  };
  return { valid: result.valid, warnings: result.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.summary}: ${d.detail ?? ''}`) };
}

export interface PlannedChange {
  address: string;
  mode: string;
  change: { actions: string[]; after: Record<string, unknown> };
}

export interface PlannedStack {
  stackDir: string;
  /** What `terraform validate` said before the plan. */
  validation: { valid: boolean; warnings: string[] };
  /** The plan as `terraform show -json` gives it. */
  json: { planned_values: unknown; resource_changes: PlannedChange[]; output_changes: unknown };
  changes: PlannedChange[];
  outputs: Record<string, { sensitive: boolean }>;
  /** The planned attributes of one resource. */
  after(address: string): Record<string, unknown>;
}

/**
 * Runs `terraform init`, `validate` and `plan -refresh=false` in a synthesized
 * stack directory, offline, and reads the plan back as `terraform show -json` gives it.
 */
export function planOffline(stackDir: string): PlannedStack {
  writeOfflineOverride(stackDir);
  terraform(stackDir, ['init', '-no-color', '-input=false']);
  const validation = validate(stackDir);
  terraform(stackDir, ['plan', '-no-color', '-input=false', '-refresh=false', '-out=plan.bin']);
  const plan = JSON.parse(terraform(stackDir, ['show', '-json', 'plan.bin'])) as PlannedStack['json'] & {
    planned_values: { outputs: Record<string, { sensitive: boolean }> };
  };
  const changes = plan.resource_changes;
  return {
    stackDir,
    validation,
    json: plan,
    changes,
    outputs: plan.planned_values.outputs,
    after: (address) => {
      const change = changes.find((c) => c.address === address);
      if (!change) throw new Error(`${address} is not in the plan`);
      return change.change.after;
    },
  };
}
