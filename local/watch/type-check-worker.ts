/**
 * The type checker of watch mode, in a worker thread (./type-checker): the
 * project's TypeScript, with its tsconfig.json, over the files the synth reads
 * (./sources). The synth only transpiles (scripts/ts-register.js, esbuild), so a
 * type error would reach the server unseen; this finds it first.
 *
 * One program is kept between checks: the source files of unchanged files
 * (node_modules' declarations above all) are reused, and the builder re-checks only
 * the files a change affects, so a check after a save takes a fraction of the
 * first one.
 *
 * It uses TypeScript, a dev dependency (`npm install` brings it; `--omit=dev` does
 * not): without it the worker fails to load, and watch mode goes on unchecked.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as ts from 'typescript';
import { isSource } from './sources';

export interface TypeCheckWorkerData {
  readonly projectDir: string;
}

export type ToTypeCheck = { readonly kind: 'check'; readonly id: number };

export type FromTypeCheck = {
  readonly kind: 'checked';
  readonly id: number;
  /** Each error as tsc prints it: `function/index.ts(12,5): error TS2322: ...`. */
  readonly errors: readonly string[];
  /** The project's files the program read (outside node_modules), relative to the project's root. */
  readonly files: readonly string[];
};

const { projectDir } = workerData as TypeCheckWorkerData;
const configFile = path.join(projectDir, 'tsconfig.json');

interface Cached {
  mtimeMs: number;
  text: string;
  sourceFile: ts.SourceFile;
}

/** Source files by path; those under node_modules are read once, the project's again when they change. */
const cache = new Map<string, Cached>();
let builder: ts.SemanticDiagnosticsBuilderProgram | undefined;
let previousOptions = '';

function getSourceFile(fileName: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined {
  const cached = cache.get(fileName);
  if (cached && fileName.includes(`${path.sep}node_modules${path.sep}`)) return cached.sourceFile;
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(fileName).mtimeMs;
  } catch {
    return undefined;
  }
  if (cached?.mtimeMs === mtimeMs) return cached.sourceFile;
  const text = fs.readFileSync(fileName, 'utf8');
  if (cached?.text === text) {
    cached.mtimeMs = mtimeMs;
    return cached.sourceFile;
  }
  const sourceFile = ts.createSourceFile(fileName, text, languageVersion);
  // The builder tells changed files from unchanged ones by this version.
  Object.assign(sourceFile, { version: createHash('sha256').update(text).digest('base64') });
  cache.set(fileName, { mtimeMs, text, sourceFile });
  return sourceFile;
}

function check(): { errors: string[]; files: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) return { errors: [`${path.relative(projectDir, configFile)}: cannot be read as a tsconfig.json`], files: [] };
  const options = JSON.stringify(config.options);
  if (options !== previousOptions) builder = undefined;
  previousOptions = options;
  const host = ts.createCompilerHost(config.options);
  host.getSourceFile = getSourceFile;
  const roots = config.fileNames.filter((file) => isSource(path.relative(projectDir, file)));
  builder = ts.createSemanticDiagnosticsBuilderProgram(roots, config.options, host, builder, config.errors);
  const diagnostics = [
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSemanticDiagnostics(),
  ].filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  const files = builder
    .getProgram()
    .getSourceFiles()
    .map((file) => path.relative(projectDir, file.fileName))
    .filter((file) => !file.startsWith('..') && !file.split(path.sep).includes('node_modules'));
  return { errors: diagnostics.map(describe), files };
}

/** A diagnostic as tsc prints it without colours. */
function describe(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ');
  if (!diagnostic.file || diagnostic.start === undefined) return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${path.relative(projectDir, diagnostic.file.fileName)}(${line + 1},${character + 1}): error TS${diagnostic.code}: ${message}`;
}

parentPort!.on('message', (message: ToTypeCheck) => {
  const { errors, files } = check();
  parentPort!.postMessage({ kind: 'checked', id: message.id, errors, files } satisfies FromTypeCheck);
});
// The first program, built now, makes the first check after a save as quick as the others.
check();
