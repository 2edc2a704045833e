/**
 * `npm run drift`: has the deployed stack and the code parted ways? Two plans
 * against the stack's state (remote in CI, see .github/workflows/drift.yml):
 *
 * - with `-refresh=false`, the code against the state: changes there are code
 *   not deployed yet;
 * - with a refresh, the code against what AWS holds now: a change there that the
 *   first plan does not have is drift, something changed outside Terraform
 *   (the console, the CLI, another tool), which the next deploy would undo.
 *
 * A plain refresh-only plan is not the test: after every apply it reports
 * attributes the provider fills in on read (empty maps for nulls, inline policies
 * of the role), none of which any plan acts on. Both plans run without the state
 * lock: they only read, and need no write access to the state bucket.
 *
 * Prints what it found (and appends it to $GITHUB_STEP_SUMMARY when set, with
 * both plans in full), and exits 0 when code, state and AWS agree, 2 when they
 * do not, 1 when a plan could not run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STACK_ID } from '../constructs/stack-id';
import { changedAttributes, type PlannedChange } from './support/plan-changes';
import { exitWith, prepareProviders, SetupError, stackDir, synthesize } from './terraform-setup';

interface ResourceChange {
  address: string;
  change: PlannedChange;
}

interface Plan {
  /** Changes that are not no-ops, by address. */
  changes: Map<string, ResourceChange>;
  /** The plan as Terraform prints it, for a person. */
  text: string;
}

function terraform(args: string[], env: NodeJS.ProcessEnv, okStatuses = [0]): { status: number; stdout: string } {
  const run = spawnSync('terraform', [...args, '-no-color'], {
    cwd: stackDir(env),
    env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw new SetupError(`Could not run terraform (${run.error.message}). Install Terraform 1.5+ and put it on PATH.`);
  const status = run.status ?? 1;
  if (!okStatuses.includes(status)) throw new SetupError(`terraform ${args.join(' ')} failed in ${stackDir(env)}:\n${run.stderr || run.stdout}`);
  return { status, stdout: run.stdout };
}

/** Terraform's progress lines, which say nothing about the result. */
const PROGRESS = /^\S+: (Refreshing state|Reading|Read complete after|Still reading)\b/;

function plan(name: string, extraArgs: string[], env: NodeJS.ProcessEnv): Plan {
  const file = path.join(stackDir(env), `${name}.tfplan`);
  try {
    const run = terraform(['plan', '-input=false', '-lock=false', '-detailed-exitcode', `-out=${file}`, ...extraArgs], env, [0, 2]);
    const text = run.stdout
      .split('\n')
      .filter((line) => !PROGRESS.test(line))
      .join('\n')
      .trim();
    if (run.status === 0) return { changes: new Map(), text };
    const shown = JSON.parse(terraform(['show', '-json', file], env).stdout) as { resource_changes?: ResourceChange[] };
    const changes = new Map(
      (shown.resource_changes ?? []).filter((c) => !c.change.actions.every((a) => a === 'no-op' || a === 'read')).map((c) => [c.address, c]),
    );
    return { changes, text };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Whether the plan against AWS changes a resource just as the plan against the
 * state does: the same actions on the same attributes, from the same values. Not
 * the whole objects: a refresh also fills in attributes no plan acts on.
 */
function sameChange(code: ResourceChange | undefined, live: ResourceChange): boolean {
  if (!code || code.change.actions.join() !== live.change.actions.join()) return false;
  const attributes = changedAttributes(live.change);
  if (attributes.join() !== changedAttributes(code.change).join()) return false;
  return attributes.every((key) => JSON.stringify(code.change.before?.[key]) === JSON.stringify(live.change.before?.[key]));
}

const describeChange = (c: ResourceChange) => {
  const actions = c.change.actions.join('+');
  return actions === 'update' ? `${c.address}: ${actions} (${changedAttributes(c.change).join(', ')})` : `${c.address}: ${actions}`;
};

function main(): void {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1' };
  const config = synthesize(env);
  const terraformEnv = prepareProviders(config, env);
  terraform(['init', '-input=false'], terraformEnv);

  const undeployed = plan('code', ['-refresh=false'], terraformEnv);
  const live = plan('live', [], terraformEnv);
  const drifted = [...live.changes.values()].filter((c) => !sameChange(undeployed.changes.get(c.address), c));

  const list = (changes: ResourceChange[]) => (changes.length ? changes.map((c) => `  ${describeChange(c)}`).join('\n') : '  none');
  const verdict =
    drifted.length || undeployed.changes.size
      ? `drift: the deployed stack ${STACK_ID} and the code have parted ways.`
      : `drift: none. AWS, Terraform's state and the code of ${STACK_ID} agree.`;
  const report = [
    verdict,
    `Changed outside Terraform (drift; the next deploy puts these back as the code says):\n${list(drifted)}`,
    `Code not deployed yet (the next deploy applies these):\n${list([...undeployed.changes.values()])}`,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (drifted.length) process.stdout.write(`\nThe plan against AWS as it is now:\n${live.text}\n`);

  if (env.GITHUB_STEP_SUMMARY) {
    const block = (title: string, text: string) => `<details><summary>${title}</summary>\n\n\`\`\`text\n${text.trim()}\n\`\`\`\n</details>\n`;
    fs.appendFileSync(
      env.GITHUB_STEP_SUMMARY,
      `## Drift of ${STACK_ID}\n\n\`\`\`text\n${report}\n\`\`\`\n\n` +
        block('Plan against AWS as it is now (terraform plan)', live.text) +
        block("Plan against Terraform's state only (terraform plan -refresh=false)", undeployed.text),
    );
  }
  process.exitCode = drifted.length || undeployed.changes.size ? 2 : 0;
}

try {
  main();
} catch (error) {
  exitWith(error);
}
