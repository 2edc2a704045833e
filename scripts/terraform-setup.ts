/**
 * What `npm run deploy`, `diff`, `destroy` and `drift` do before Terraform runs:
 * synthesize the stack, and, on a machine whose Terraform takes providers from a
 * filesystem mirror (TERRAFORM_PROVIDER_MIRROR), check that the mirror has what
 * the stack needs, point Terraform at it, and lock the providers from it.
 *
 * cdktf 0.21 runs `terraform providers lock` whenever the stack directory has no
 * `.terraform.lock.hcl` (a first deploy, a fresh clone) or the lock file lacks a
 * required provider; that command asks the registry whatever the CLI
 * configuration says ("Could not retrieve providers for locking"). With a lock
 * file that already holds every required provider, cdktf keeps it as it is and
 * only runs `terraform init`, which honours the mirror.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STACK_ID } from '../constructs/stack-id';
import { synthArgs } from '../local/synth';

export const ROOT = path.join(__dirname, '..');

/** A failure the user can fix; its message says what happened and how. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

/** The output directory cdktf and `npm run synth` write to. */
export const outdir = (env: NodeJS.ProcessEnv = process.env) => path.resolve(ROOT, env.CDKTF_OUTDIR || 'cdktf.out');
export const stackDir = (env: NodeJS.ProcessEnv = process.env) => path.join(outdir(env), 'stacks', STACK_ID);

/**
 * Synthesizes the stack's JSON as `npm run synth` does (also when the shell has
 * SYNTH_HCL_OUTPUT set: Terraform runs on the JSON), and returns it. A bad setting
 * ends the process with the configuration's own message.
 */
export function synthesize(env: NodeJS.ProcessEnv): TerraformJson {
  const synthEnv = { ...env };
  delete synthEnv.SYNTH_HCL_OUTPUT;
  const run = spawnSync(process.execPath, synthArgs(), { cwd: ROOT, env: synthEnv, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  return JSON.parse(fs.readFileSync(path.join(stackDir(env), 'cdk.tf.json'), 'utf8')) as TerraformJson;
}

export interface TerraformJson {
  terraform: { required_providers?: Record<string, { source: string; version?: string }> };
  resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean }; name?: string }>>;
}

interface RequiredProvider {
  /** As the lock file names it: `registry.terraform.io/hashicorp/aws`. */
  readonly address: string;
  readonly name: string;
  readonly version?: string;
}

function requiredProviders(config: TerraformJson): RequiredProvider[] {
  return Object.entries(config.terraform.required_providers ?? {}).map(([name, { source, version }]) => {
    const parts = source.split('/');
    const full = parts.length === 3 ? parts : parts.length === 2 ? ['registry.terraform.io', ...parts] : ['registry.terraform.io', 'hashicorp', source];
    return { address: full.join('/'), name, version: version && /^\d+\.\d+\.\d+$/.test(version) ? version : undefined };
  });
}

/** Terraform's name for this machine's platform, as mirrors and lock files use it. */
export function terraformPlatform(): string {
  const system = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${system}_${arch}`;
}

/** Whether a filesystem mirror holds a provider for this platform, unpacked or packed. */
function mirrorHas(mirror: string, provider: RequiredProvider, platform: string): boolean {
  const dir = path.join(mirror, ...provider.address.split('/'));
  if (!fs.existsSync(dir)) return false;
  const versions = provider.version ? [provider.version] : fs.readdirSync(dir).filter((v) => /^\d/.test(v));
  return versions.some(
    (version) =>
      fs.existsSync(path.join(dir, version, platform)) || fs.existsSync(path.join(dir, `terraform-provider-${provider.name}_${version}_${platform}.zip`)),
  );
}

const describe = (provider: RequiredProvider) => `${provider.address.split('/').slice(1).join('/')}${provider.version ? ` ${provider.version}` : ''}`;

function checkMirror(mirror: string, providers: RequiredProvider[], platform: string): void {
  if (!fs.existsSync(mirror) || !fs.statSync(mirror).isDirectory()) {
    throw new SetupError(
      `TERRAFORM_PROVIDER_MIRROR=${mirror} is not a directory. Point it at a filesystem mirror of the providers ` +
        '(`terraform providers mirror <dir>` makes one, see the README), or unset it to download providers from the Terraform registry.',
    );
  }
  for (const provider of providers) {
    if (mirrorHas(mirror, provider, platform)) continue;
    if (provider.name === 'archive') {
      throw new SetupError(
        `TERRAFORM_PROVIDER_MIRROR=${mirror} has no ${describe(provider)} for ${platform}, which HANDLER_PACKAGING=archive (the default) ` +
          'needs to zip the function at plan time. Set HANDLER_PACKAGING=asset, which builds the zip at synth and needs only hashicorp/aws, ' +
          'or add the archive provider to the mirror.',
      );
    }
    throw new SetupError(
      `TERRAFORM_PROVIDER_MIRROR=${mirror} has no ${describe(provider)} for ${platform}, which the stack needs. Add it to the mirror ` +
        `(\`terraform providers mirror -platform=${platform} ${mirror}\` in ${path.relative(process.cwd(), stackDir()) || '.'}, on a machine that reaches the registry).`,
    );
  }
}

/** True when the stack's lock file already names every required provider at its version, so cdktf keeps it. */
function lockFileCovers(lockFile: string, providers: RequiredProvider[]): boolean {
  if (!fs.existsSync(lockFile)) return false;
  const text = fs.readFileSync(lockFile, 'utf8');
  return providers.every((provider) => {
    const block = new RegExp(`provider "${provider.address.replace(/[.]/g, '\\.')}" \\{[^}]*?version\\s*=\\s*"([^"]+)"`).exec(text);
    return block !== null && (!provider.version || block[1] === provider.version);
  });
}

/** The CLI configuration written for TERRAFORM_PROVIDER_MIRROR when the user has none of their own. */
const cliConfigFile = (env: NodeJS.ProcessEnv = process.env) => path.join(outdir(env), 'terraform-mirror.tfrc');

/** Writes a Terraform CLI configuration that installs every provider from the filesystem mirror `mirrorDir`. */
export function writeMirrorCliConfig(file: string, mirrorDir: string): void {
  fs.writeFileSync(file, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirrorDir)}\n  }\n}\n`);
}

/**
 * Prepares Terraform to take the stack's providers from TERRAFORM_PROVIDER_MIRROR,
 * if set, and returns the environment for Terraform and cdktf: the mirror's CLI
 * configuration (unless TF_CLI_CONFIG_FILE names a file of the user's own), no
 * cdktf plugin cache (the mirror is local already), and the lock file in place.
 * @throws SetupError when the mirror lacks a provider the stack needs.
 */
export function prepareProviders(config: TerraformJson, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const mirror = env.TERRAFORM_PROVIDER_MIRROR;
  if (!mirror) return env;
  const mirrorDir = path.resolve(mirror);
  const providers = requiredProviders(config);
  const platform = terraformPlatform();
  checkMirror(mirrorDir, providers, platform);

  const terraformEnv: NodeJS.ProcessEnv = { ...env, CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' };
  if (!env.TF_CLI_CONFIG_FILE || !fs.existsSync(env.TF_CLI_CONFIG_FILE)) {
    const file = cliConfigFile(env);
    writeMirrorCliConfig(file, mirrorDir);
    terraformEnv.TF_CLI_CONFIG_FILE = file;
  }

  const dir = stackDir(env);
  if (!lockFileCovers(path.join(dir, '.terraform.lock.hcl'), providers)) {
    const lock = spawnSync('terraform', ['providers', 'lock', `-fs-mirror=${mirrorDir}`, `-platform=${platform}`, '-no-color'], {
      cwd: dir,
      env: terraformEnv,
      encoding: 'utf8',
    });
    if (lock.error) throw new SetupError(`Could not run terraform (${lock.error.message}). Install Terraform 1.5+ and put it on PATH.`);
    if (lock.status !== 0) {
      throw new SetupError(`terraform providers lock -fs-mirror=${mirrorDir} failed in ${dir}:\n${lock.stderr || lock.stdout}`);
    }
  }
  return terraformEnv;
}

/**
 * Terraform's state of the stack, as `terraform show -json` gives it, or undefined
 * when it cannot be read (nothing initialized yet and no access to the backend).
 */
export function readState(env: NodeJS.ProcessEnv): StateValues | undefined {
  const dir = stackDir(env);
  const options = { cwd: dir, env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, encoding: 'utf8' as const, maxBuffer: 64 * 1024 * 1024 };
  if (spawnSync('terraform', ['init', '-input=false', '-no-color'], options).status !== 0) return undefined;
  const shown = spawnSync('terraform', ['show', '-json', '-no-color'], options);
  if (shown.status !== 0) return undefined;
  return (JSON.parse(shown.stdout) as { values?: StateValues }).values ?? { root_module: { resources: [] } };
}

interface StateValues {
  root_module: { resources?: { address: string; values: Record<string, unknown> }[] };
}

/** Writes a SetupError's message for a person (anything else with its stack) and ends the process with status 1. */
export function exitWith(error: unknown): never {
  if (error instanceof SetupError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
