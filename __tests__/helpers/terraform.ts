import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where Terraform takes providers from: a filesystem mirror named by
 * TERRAFORM_PROVIDER_MIRROR (air-gapped machines, CI here), else Terraform's own default.
 */
export const PROVIDER_MIRROR = process.env.TERRAFORM_PROVIDER_MIRROR || undefined;

export const terraformVersion = (() => {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  return probe.status === 0 ? (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version : undefined;
})();

/** True when the mirror (or, with no mirror, the default) can give the provider `hashicorp/<name>`. */
export function providerAvailable(name: string): boolean {
  if (!PROVIDER_MIRROR) return true;
  return fs.existsSync(path.join(PROVIDER_MIRROR, 'registry.terraform.io', 'hashicorp', name));
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
    fs.writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(PROVIDER_MIRROR)}\n  }\n}\n`,
    );
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

export interface PlannedChange {
  address: string;
  mode: string;
  change: { actions: string[]; after: Record<string, unknown> };
}

export interface PlannedStack {
  stackDir: string;
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
  terraform(stackDir, ['validate', '-no-color']);
  terraform(stackDir, ['plan', '-no-color', '-input=false', '-refresh=false', '-out=plan.bin']);
  const plan = JSON.parse(terraform(stackDir, ['show', '-json', 'plan.bin'])) as {
    resource_changes: PlannedChange[];
    planned_values: { outputs: Record<string, { sensitive: boolean }> };
  };
  const changes = plan.resource_changes;
  return {
    stackDir,
    changes,
    outputs: plan.planned_values.outputs,
    after: (address) => {
      const change = changes.find((c) => c.address === address);
      if (!change) throw new Error(`${address} is not in the plan`);
      return change.change.after;
    },
  };
}

/** Warns loudly, or fails under REQUIRE_TERRAFORM, when terraform is missing; true when plans can run. */
export function terraformRunnable(): boolean {
  if (terraformVersion) return true;
  // Loud, not silent: these tests are what proves the stack is valid Terraform.
  console.warn('!!! terraform is not on PATH: the real Terraform plan tests are NOT run. Install Terraform 1.5+ to run them.');
  if (process.env.REQUIRE_TERRAFORM) throw new Error('REQUIRE_TERRAFORM is set but terraform is not on PATH');
  return false;
}
