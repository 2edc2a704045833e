/**
 * `npm run deploy`, `npm run diff`, `npm run destroy`: the cdktf CLI's commands on
 * the stack, after what they need (scripts/terraform-setup.ts): the synthesized
 * JSON, and with TERRAFORM_PROVIDER_MIRROR the mirror's configuration and lock
 * file. A destroy that Terraform or AWS would refuse halfway is refused before it
 * starts. Arguments after `--` go to cdktf (`npm run deploy -- --auto-approve`);
 * Ctrl-C and SIGTERM reach cdktf, and its exit status is this command's.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { STACK_ID } from '../constructs/stack-id';
import { registryReachable } from './support/terraform-registry';
import { exitWith, outdir, prepareProviders, readState, ROOT, SetupError, synthesize, type TerraformJson } from './terraform-setup';

const COMMANDS = ['deploy', 'diff', 'destroy'] as const;
type Command = (typeof COMMANDS)[number];

const TABLE = 'aws_dynamodb_table.table';

const TWO_STEPS = [
  'Destroy the stack in two steps, as the README says:',
  '  TABLE_DELETION_PROTECTION=false npm run deploy    # turns deletion protection off; nothing else changes',
  '  TABLE_DELETION_PROTECTION=false npm run destroy',
].join('\n');

/**
 * Refuses a destroy that would stop at the table after deleting everything else:
 * while deletion protection is on in the configuration (Terraform's
 * prevent_destroy would refuse the plan) or still on in the deployed table
 * (AWS would refuse the table's deletion, last). Nothing deployed: nothing to refuse.
 */
function checkDestroy(config: TerraformJson, env: NodeJS.ProcessEnv): void {
  const table = config.resource?.aws_dynamodb_table?.table;
  const state = readState(env);
  const deployed = state?.root_module.resources?.find((r) => r.address === TABLE);
  if (state && !deployed) return;
  const name = JSON.stringify(table?.name ?? deployed?.values.name);
  if (table?.lifecycle?.prevent_destroy) {
    throw new SetupError(
      `npm run destroy: refused, nothing was destroyed. The table ${name} has deletion protection ` +
        '(TABLE_DELETION_PROTECTION is true, the default), and Terraform refuses to destroy it (prevent_destroy).\n' +
        TWO_STEPS,
    );
  }
  if (deployed?.values.deletion_protection_enabled === true) {
    throw new SetupError(
      `npm run destroy: refused, nothing was destroyed. The deployed table ${name} still has deletion protection on, ` +
        'so AWS would refuse to delete it after everything else was gone: deploy TABLE_DELETION_PROTECTION=false first.\n' +
        TWO_STEPS,
    );
  }
}

/** Runs cdktf on the synthesized stack, relays signals to it, and resolves with its exit status. */
function runCdktf(command: Command, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cdktf = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const child = spawn(cdktf, [command, STACK_ID, '--skip-synth', '--output', outdir(env), ...args], { cwd: ROOT, env, stdio: 'inherit' });
  const relay = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, relay);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of signals) process.removeListener(s, relay);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 1));
    });
  });
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!COMMANDS.includes(command as Command)) {
    throw new SetupError(`Usage: node -r ./scripts/ts-register.js scripts/cdktf.ts <${COMMANDS.join('|')}> [cdktf options]; got ${JSON.stringify(command)}.`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1' };
  const config = synthesize(env);
  const terraformEnv = prepareProviders(config, env);
  if (command === 'destroy') checkDestroy(config, terraformEnv);
  const status = await runCdktf(command as Command, args, terraformEnv);
  // cdktf's own error (a failed terraform init) never names the way out; said after it, where it is read.
  if (status !== 0 && status < 128 && !env.TERRAFORM_PROVIDER_MIRROR && !registryReachable(terraformEnv)) {
    process.stderr.write(
      `\nnpm run ${command} failed, and registry.terraform.io cannot be reached from here. If Terraform could not install ` +
        'its providers above, set TERRAFORM_PROVIDER_MIRROR to a filesystem mirror that holds them (README: "Without the Terraform registry").\n',
    );
  }
  process.exitCode = status;
}

main().catch(exitWith);
