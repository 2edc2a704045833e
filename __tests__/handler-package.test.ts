/**
 * The wiring between the handler's bundle and the function: the values the stack
 * snapshots leave out (withoutBundleHashes) are checked here, against the files
 * synth writes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleHandler } from '../constructs/handler-bundle';
import { extractZip } from '../local/lambda/zip';
import { npmRun } from './helpers/npm';
import { synthesize } from '../scripts/support/synth';
import { withoutBundleHashes } from './helpers/synth';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';

interface FunctionJson {
  resource: { aws_lambda_function: { function: { filename: string; source_code_hash: string } } };
  data?: { archive_file?: { function_package: { source_dir: string; output_path: string; excludes?: string[] } } };
}

const STACK = path.join('cdktf.out', 'stacks', 'lambda-apigateway');

describe("the function's package", () => {
  let work = '';
  let bundle: Buffer;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-package-'));
    bundle = fs.readFileSync(bundleHandler(path.join(work, 'bundle')));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('is, with HANDLER_PACKAGING=asset, a zip of the bundle in the stack directory, whose SHA-256 is the source_code_hash', () => {
    const stackDir = synthesize(path.join(work, 'asset'), { HANDLER_PACKAGING: 'asset' });
    const fn = (JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as FunctionJson).resource.aws_lambda_function.function;
    const zip = fs.readFileSync(path.join(stackDir, fn.filename));
    expect(fn.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
    const unzipped = path.join(work, 'unzipped');
    extractZip(path.join(stackDir, fn.filename), unzipped);
    expect(fs.readdirSync(unzipped)).toEqual(['index.js']);
    expect(fs.readFileSync(path.join(unzipped, 'index.js')).equals(bundle)).toBe(true);
    expect(fs.existsSync(path.join(path.dirname(path.join(stackDir, fn.filename)), 'index.js.map'))).toBe(true);
  });

  it("carries a source map beside the bundle that names the handler's sources relative to the project, with no path of this machine and no link from the bundle", () => {
    const map = JSON.parse(fs.readFileSync(path.join(work, 'bundle', 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources).toContain('function/index.ts');
    expect(map.sources.filter((source) => path.isAbsolute(source) || source.includes(os.homedir()))).toEqual([]);
    expect(map.sourcesContent).toBeUndefined();
    expect(bundle.toString('utf8')).not.toContain('sourceMappingURL');
  });

  it('is, with HANDLER_PACKAGING=archive, the bundle directory in the stack directory, which the archive provider zips without the source map beside the bundle', () => {
    const stackDir = synthesize(path.join(work, 'archive'), { HANDLER_PACKAGING: 'archive' });
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as FunctionJson;
    const archive = json.data!.archive_file!.function_package;
    const sourceDir = path.join(stackDir, archive.source_dir);
    expect(fs.readdirSync(sourceDir)).toEqual(['index.js', 'index.js.map']);
    expect(archive.excludes).toEqual(['index.js.map']);
    expect(fs.readFileSync(path.join(sourceDir, 'index.js')).equals(bundle)).toBe(true);
    expect(json.resource.aws_lambda_function.function).toMatchObject({
      filename: '${data.archive_file.function_package.output_path}',
      source_code_hash: '${data.archive_file.function_package.output_base64sha256}',
    });
  });

  it('is not in the stack snapshots, which change only when the infrastructure does', () => {
    const snapshots = fs.readFileSync(path.join(__dirname, '__snapshots__', 'stack.test.ts.snap'), 'utf8');
    expect(snapshots).toContain('"source_code_hash": "<sha256 of the bundle\'s zip>"');
    expect(snapshots.match(/"source_code_hash": "[A-Za-z0-9+/]{43}="/g)).toBeNull();
    expect(snapshots.match(/assets\/[\w-]+\/[0-9A-F]{32}\b/g)).toBeNull();
  });
});

describe('the hash of the package, as a user edits the handler (a fresh clone)', () => {
  let checkout: UserCheckout;
  const synth = () => {
    const run = npmRun(checkout.dir, 'synth', [], { HANDLER_PACKAGING: 'asset' });
    if (run.status !== 0) throw new Error(`npm run synth failed:\n${run.output}`);
    const json = fs.readFileSync(path.join(checkout.dir, STACK, 'cdk.tf.json'), 'utf8');
    const fn = (JSON.parse(json) as FunctionJson).resource.aws_lambda_function.function;
    return { json, hash: fn.source_code_hash, filename: fn.filename };
  };

  beforeAll(() => {
    checkout = userCheckout('handler-hash');
  });
  afterAll(() => checkout?.remove());

  it('stays the same for the same sources, and changes, with nothing else, when a source changes', () => {
    const first = synth();
    const again = synth();
    expect(again).toEqual(first);

    fs.appendFileSync(path.join(checkout.dir, 'function', 'index.ts'), '\nexport const editedByTest = 1;\n');
    const edited = synth();
    expect(edited.hash).not.toBe(first.hash);
    expect(edited.filename).not.toBe(first.filename);
    expect(fs.existsSync(path.join(checkout.dir, STACK, edited.filename))).toBe(true);
    // What the stack snapshots hold does not move with the handler.
    expect(withoutBundleHashes(edited.json)).toBe(withoutBundleHashes(first.json));
  }, 120_000);
});
