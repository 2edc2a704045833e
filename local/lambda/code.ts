/**
 * A function's code as one version of it runs: copied (or unzipped) into a
 * directory of the runtime's own, so that a later synth, which replaces the stack's
 * assets, never changes the code of environments already serving, and with only
 * what Terraform would upload (an archive's `excludes` left out).
 *
 * For debugging, the copy of the handler's module is linked to the bundle's source
 * map, which the synth writes beside the package (`index.js.map` beside `index.js`
 * or `function.zip`) and never into it: the map's paths are relative to the project
 * the stack was synthesized from, so its copy gets them as that project's files,
 * where a debugger finds them and binds breakpoints set in the TypeScript sources.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionCode } from '../stack/model';
import { extractZip } from './zip';

/** Copies or unzips `code` into `targetDir` (which must not exist), as Lambda's /var/task would hold it. */
export function prepareCode(code: FunctionCode, targetDir: string): void {
  if (code.kind === 'zip') {
    fs.mkdirSync(targetDir, { recursive: true });
    extractZip(code.file, targetDir);
  } else if (code.kind === 'file') {
    fs.mkdirSync(targetDir, { recursive: true });
    fs.copyFileSync(code.file, path.join(targetDir, path.basename(code.file)));
  } else {
    const excluded = new Set(code.excludes.map((exclude) => path.join(code.dir, exclude)));
    fs.cpSync(code.dir, targetDir, { recursive: true, filter: (source) => !excluded.has(source) });
  }
}

/** A digest of what `code` holds (the files Terraform would upload, or the zip): equal digests, same code. */
export function codeDigest(code: FunctionCode): string {
  const hash = createHash('sha256').update(code.kind);
  if (code.kind !== 'directory') return hash.update(fs.readFileSync(code.file)).digest('base64');
  const excluded = new Set(code.excludes.map((exclude) => path.normalize(exclude)));
  const files = fs
    .readdirSync(code.dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(code.dir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !excluded.has(file))
    .sort();
  for (const file of files) hash.update(file).update('\0').update(fs.readFileSync(path.join(code.dir, file))).update('\0');
  return hash.digest('base64');
}

/** Where the code's source maps are: the directory the package is made from, or the one holding the zip. */
function sourceMapDir(code: FunctionCode): string {
  return code.kind === 'directory' ? code.dir : path.dirname(code.file);
}

export type SourceMapLink =
  | { readonly linked: true; readonly map: string }
  | { readonly linked: false; readonly why: string };

/**
 * Links the handler's module in `codeDir` (a copy made by prepareCode) to the source
 * map beside the package (`<module>.js.map`), with the map's sources resolved against
 * `projectDir`: the copy ends with a sourceMappingURL comment naming a copy of the map
 * written to `mapDir`. Says why not when there is no map, or its sources are not there.
 */
export function linkSourceMap(code: FunctionCode, handler: string, codeDir: string, projectDir: string, mapDir: string): SourceMapLink {
  const moduleFile = `${handler.slice(0, handler.lastIndexOf('.'))}.js`;
  const copy = path.join(codeDir, moduleFile);
  if (!fs.existsSync(copy)) return { linked: false, why: `the package has no ${moduleFile}` };
  if (/\/\/# sourceMappingURL=/.test(fs.readFileSync(copy, 'utf8').slice(-4096))) return { linked: true, map: `the one ${moduleFile} names` };
  const original = path.join(sourceMapDir(code), `${moduleFile}.map`);
  if (!fs.existsSync(original)) return { linked: false, why: `there is no ${moduleFile}.map beside the function's package` };
  const map = JSON.parse(fs.readFileSync(original, 'utf8')) as { sources?: unknown; sourceRoot?: unknown };
  if (!Array.isArray(map.sources) || !map.sources.every((source) => typeof source === 'string')) {
    return { linked: false, why: `${original} is not a source map (it has no list of sources)` };
  }
  const sources = (map.sources as string[]).map((source) => path.resolve(projectDir, source));
  if (!sources.some((source) => !source.includes(`${path.sep}node_modules${path.sep}`) && fs.existsSync(source))) {
    return { linked: false, why: `the sources ${original} names are not in ${projectDir}` };
  }
  fs.mkdirSync(mapDir, { recursive: true });
  const linkedMap = path.join(mapDir, `${path.basename(moduleFile)}.map`);
  fs.writeFileSync(linkedMap, JSON.stringify({ ...map, sourceRoot: undefined, sources: sources.map((source) => pathToFileURL(source).href) }));
  fs.appendFileSync(copy, `\n//# sourceMappingURL=${pathToFileURL(linkedMap).href}\n`);
  return { linked: true, map: original };
}
