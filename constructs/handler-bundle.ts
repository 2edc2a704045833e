import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

const ROOT = path.join(__dirname, '..');

/** The handler's entry point. */
const HANDLER_ENTRY = path.join(ROOT, 'function', 'index.ts');

/** The Lambda `handler` setting that matches the bundle's file name and export. */
export const HANDLER_NAME = 'index.handler';

const BUNDLE_FILE = 'index.js';

/**
 * The bundle's source map, written beside it: esbuild's external map, which the
 * bundle does not link to, so Lambda never reads it and the package leaves it out
 * (HandlerPackage). The local server's debug mode links its own copy of the bundle
 * to it, so that breakpoints set in function/*.ts bind.
 */
export const SOURCE_MAP_FILE = `${BUNDLE_FILE}.map`;

/**
 * One self-contained CommonJS file that needs nothing but Node.js, AWS SDK
 * included: the SDK is bundled, not taken from the Lambda runtime, so the version
 * that was tested is the version that runs, and the local server runs the very
 * same file. The output depends only on the sources (no timestamps, no absolute
 * paths), so the same tree always gives the same bytes and `source_code_hash`.
 */
export const BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: [HANDLER_ENTRY],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  // The SDK's ES module builds tree-shake far better: a third less code, and a
  // cold start that loads in about half the time.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  absWorkingDir: ROOT,
  logLevel: 'error',
  // Paths in the map are relative to the project's root (the bundle is built as if
  // it were ROOT/index.js), the same wherever the stack is synthesized to and with no
  // path of this machine in it; the sources are not copied in: they are the project's.
  sourcemap: 'external',
  sourcesContent: false,
  outfile: path.join(ROOT, BUNDLE_FILE),
};

/**
 * Bundling takes about a quarter of a second, most of synth; a bundle is reused
 * while every file that went into it (sources, SDK, esbuild itself) is unchanged.
 */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'handler-bundle');

interface CacheRecord {
  readonly inputs: string[];
  readonly digest: string;
}

function digestOf(inputs: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(BUNDLE_OPTIONS)).update(require('esbuild/package.json').version);
  for (const input of inputs) hash.update(input).update('\0').update(fs.readFileSync(path.join(ROOT, input)));
  return hash.digest('hex');
}

/** The cached bundle and map of a given digest: named by it, so that concurrent synths of different sources never mix. */
const cachedBundle = (digest: string) => path.join(CACHE_DIR, `${digest}.js`);
const cachedMap = (digest: string) => path.join(CACHE_DIR, `${digest}.js.map`);

interface Bundle {
  readonly code: Buffer;
  readonly map: Buffer;
}

function fromCache(): Bundle | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(CACHE_DIR, 'inputs.json'), 'utf8')) as CacheRecord;
    if (digestOf(record.inputs) !== record.digest) return undefined;
    return { code: fs.readFileSync(cachedBundle(record.digest)), map: fs.readFileSync(cachedMap(record.digest)) };
  } catch {
    return undefined;
  }
}

function build(): Bundle {
  const result = buildSync({ ...BUNDLE_OPTIONS, write: false, metafile: true });
  const output = (name: string) => Buffer.from(result.outputFiles.find((file) => path.basename(file.path) === name)!.contents);
  const bundle = { code: output(BUNDLE_FILE), map: output(SOURCE_MAP_FILE) };
  const inputs = Object.keys(result.metafile.inputs).sort();
  try {
    const digest = digestOf(inputs);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Written aside and renamed into place, map and bundle before the record: a synth running
    // at the same time (another terminal, a test) never reads half a file or another tree's bundle.
    writeAtomically(cachedMap(digest), bundle.map);
    writeAtomically(cachedBundle(digest), bundle.code);
    writeAtomically(path.join(CACHE_DIR, 'inputs.json'), JSON.stringify({ inputs, digest }));
    for (const name of fs.readdirSync(CACHE_DIR)) {
      if (/\.js(\.map)?$/.test(name) && !name.startsWith(`${digest}.`)) fs.rmSync(path.join(CACHE_DIR, name), { force: true });
    }
  } catch {
    // A read-only checkout still synthesizes; it only bundles every time.
  }
  return bundle;
}

function writeAtomically(file: string, data: string | Buffer): void {
  const aside = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(aside, data);
  fs.renameSync(aside, file);
}

/**
 * Writes the handler's bundle to `outDir/index.js` and its source map to
 * `outDir/index.js.map`, replacing whatever `outDir` held, and returns the bundle's path.
 */
export function bundleHandler(outDir: string): string {
  const { code, map } = fromCache() ?? build();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, BUNDLE_FILE);
  fs.writeFileSync(outfile, code);
  fs.writeFileSync(path.join(outDir, SOURCE_MAP_FILE), map);
  return outfile;
}
