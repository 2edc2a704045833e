import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '..');
const workflowsDir = path.join(root, '.github', 'workflows');
const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { needs?: string; environment?: string; steps: Step[] }>;
}

const workflows = Object.fromEntries(
  fs.readdirSync(workflowsDir).map((file) => [file, parse(fs.readFileSync(path.join(workflowsDir, file), 'utf8')) as Workflow]),
);
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('CI workflows', () => {
  it('has the pull-request, deploy and drift workflows, each a parsable YAML document', () => {
    expect(Object.keys(workflows).sort()).toEqual(['deploy.yml', 'drift.yml', 'pull-request.yml']);
  });

  it.each(Object.keys(workflows))('%s calls only npm scripts that package.json defines', (file) => {
    for (const step of steps(workflows[file])) {
      for (const [, script] of (step.run ?? '').matchAll(/npm run (\S+)/g)) expect(scripts).toHaveProperty([script]);
      if (/npm test\b/.test(step.run ?? '')) expect(scripts).toHaveProperty(['test']);
    }
  });

  it.each(Object.keys(workflows))('%s pins Terraform to one version and takes AWS credentials through OIDC', (file) => {
    const workflow = workflows[file];
    expect(workflow.env.TERRAFORM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(workflow.permissions['id-token']).toBe('write');
    const aws = steps(workflow).filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.length).toBeGreaterThan(0);
    for (const step of aws) expect(step.with?.['role-to-assume']).toMatch(/^\$\{\{ vars\.\w+ \}\}$/);
  });

  it('comments the cdktf diff of the stack on pull requests, after the tests', () => {
    const workflow = workflows['pull-request.yml'];
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.jobs.diff.needs).toBe('test');
    const action = workflow.jobs.diff.steps.find((s) => s.uses?.startsWith('hashicorp/terraform-cdk-action@'));
    expect(action?.with).toMatchObject({ mode: 'plan-only', stackName: 'lambda-apigateway', commentOnPr: true });
    expect(action?.with?.terraformVersion).toBe('${{ env.TERRAFORM_VERSION }}');
  });

  it('deploys main only through an environment that a person approves', () => {
    const workflow = workflows['deploy.yml'];
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow.jobs.deploy).toMatchObject({ needs: 'test', environment: 'production' });
  });

  it('checks drift nightly and on demand, against the remote state, with AWS credentials', () => {
    const workflow = workflows['drift.yml'];
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    expect(workflow.env.TF_STATE_BUCKET).toBe('${{ vars.TF_STATE_BUCKET }}');
    const jobSteps = workflow.jobs.drift.steps;
    const at = (predicate: (step: Step) => boolean) => jobSteps.findIndex(predicate);
    const requireState = at((s) => /test -n "\$TF_STATE_BUCKET" \|\| \{[^}]*exit 1; \}/.test(s.run ?? ''));
    const credentials = at((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false);
    const drift = at((s) => /^npm run drift$/.test(s.run ?? ''));
    expect(requireState).toBeGreaterThan(-1);
    expect(credentials).toBeGreaterThan(requireState);
    expect(drift).toBeGreaterThan(credentials);
    // The plan role: the drift check only reads.
    expect(jobSteps[credentials].with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
  });

  it('deploys and checks drift with the same configuration', () => {
    const configuration = (workflow: Workflow) => Object.fromEntries(Object.entries(workflow.env).filter(([key]) => key !== 'TERRAFORM_VERSION'));
    expect(configuration(workflows['drift.yml'])).toEqual(configuration(workflows['deploy.yml']));
  });
});
