/**
 * The layout stays one a newcomer can find their way in: the import graph keeps
 * the layering written down in .dependency-cruiser.cjs (no cycles; the synthesized
 * JSON the one seam between constructs/ and local/; no product module importing
 * tests or scripts), and no file grows past MAX_LINES without saying why at its top.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const MAX_LINES = 400;
/** What a long file's opening comment says, followed by its reason. */
const REASON = 'Why this file is long:';
const CODE = /\.(ts|js|cjs|mjs|sh)$/;

describe("the project's structure", () => {
  it('keeps the layering of .dependency-cruiser.cjs: no cycles, no product module importing tests or scripts, local/ reading the stack only through the synthesized JSON', () => {
    const cruiser = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
    const run = spawnSync(process.execPath, [cruiser, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'main.ts', 'constructs', 'function', 'local', 'scripts', '__tests__'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, output: expect.stringContaining('no dependency violations found') });
  });

  it("sees each import of an npm package, so that the dev dependency rule can fail: watch mode's type checker importing typescript is its one exception", () => {
    const cruiser = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
    const run = spawnSync(process.execPath, [cruiser, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'local/watch/type-check-worker.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status).toBe(0);
    const { modules } = JSON.parse(run.stdout) as { modules: { source: string; dependencies: { module: string; dependencyTypes: string[]; valid: boolean }[] }[] };
    const worker = modules.find((module) => module.source === 'local/watch/type-check-worker.ts');
    expect(worker?.dependencies).toContainEqual(expect.objectContaining({ module: 'typescript', dependencyTypes: expect.arrayContaining(['npm-dev']), valid: true }));
  });

  it(`has no code file over ${MAX_LINES} lines without a reason at its top`, () => {
    const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
    expect(listed.status).toBe(0);
    const files = listed.stdout.split('\0').filter((file) => CODE.test(file) && fs.existsSync(path.join(ROOT, file)));
    expect(files.length).toBeGreaterThan(100);
    const unexplained = files.filter((file) => {
      const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
      return lines.length > MAX_LINES && !lines.slice(0, 40).some((line) => line.includes(REASON));
    });
    expect(unexplained).toEqual([]);
  });

  it("synthesizes with one command: cdktf.json's app is package.json's synth script", () => {
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    expect(read('cdktf.json').app).toBe(read('package.json').scripts.synth);
  });
});
