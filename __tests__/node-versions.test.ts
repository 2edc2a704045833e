/**
 * Which Node.js versions the project supports is said in several places, and a user
 * meets each: npm's engines check at install (strict, through .npmrc), .nvmrc (the one
 * to use), the README's quick start, and the CI runs that prove it (.ci/run here, the
 * GitHub workflows). These tests keep them saying the same thing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { synthStack } from './helpers/synth';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
const nvmrc = read('.nvmrc').trim();
/** The Node.js majors `.ci/run` tests on: its pinned `NODE_<major>=<version>` lines. */
const ciPins = [...read('.ci/run').matchAll(/^NODE_(\d+)=(\d+)\.\d+\.\d+$/gm)].map(([, major, pinned]) => ({ major: Number(major), pinned: Number(pinned) }));
const ciMajors = ciPins.map((pin) => pin.major).sort((a, b) => a - b);

describe('supported Node.js versions', () => {
  it('CI tests on two majors, each pinned to a release of that major', () => {
    expect(ciMajors.length).toBe(2);
    for (const pin of ciPins) expect(pin.pinned).toBe(pin.major);
  });

  it("npm refuses to install on a Node.js older than the oldest one CI tests, and accepts every one it tests", () => {
    const minimum = /^>=(\d+)$/.exec(engines);
    expect({ engines, form: Boolean(minimum) }).toEqual({ engines, form: true });
    expect(Number(minimum![1])).toBe(ciMajors[0]);
    expect(read('.npmrc')).toMatch(/^engine-strict=true$/m);
  });

  it(".nvmrc names the major of the function's Lambda runtime, one CI tests", () => {
    const stack = JSON.parse(synthStack()) as { resource: { aws_lambda_function: Record<string, { runtime: string }> } };
    const runtimes = Object.values(stack.resource.aws_lambda_function).map((fn) => fn.runtime);
    expect(runtimes).toEqual([`nodejs${nvmrc}.x`]);
    expect(ciMajors).toContain(Number(nvmrc));
  });

  it('the GitHub workflows test on the same majors and deploy on .nvmrc\'s', () => {
    const dir = path.join(root, '.github', 'workflows');
    for (const file of fs.readdirSync(dir)) {
      const workflow = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
        jobs: Record<string, { strategy?: { matrix?: { node?: number[] } }; steps: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      for (const [name, job] of Object.entries(workflow.jobs)) {
        const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
        if (!setup) continue;
        const matrix = job.strategy?.matrix?.node;
        const uses = matrix ? { matrix, version: setup.with?.['node-version'] } : { versionFile: setup.with?.['node-version-file'] };
        const expected = matrix ? { matrix: ciMajors, version: '${{ matrix.node }}' } : { versionFile: '.nvmrc' };
        expect({ file, job: name, ...uses }).toEqual({ file, job: name, ...expected });
      }
    }
  });

  it("the README's quick start names the supported versions and the default", () => {
    const quickStart = /## Quick start\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
    expect(quickStart).toContain(`Node.js ${ciMajors.join(' or ')}`);
    expect(quickStart).toContain(`.nvmrc`);
  });
});
