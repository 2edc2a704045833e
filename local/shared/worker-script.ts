/**
 * The script of a worker thread or child process (the Lambda sandbox, the
 * embedded DynamoDB's worker) from its TypeScript entry point: esbuild bundles it
 * with the project modules it imports into one CommonJS script, once per process.
 * So no TypeScript loader runs in the worker (a function's environment sees what
 * it would see in Lambda) and each worker starts without a compiler of its own.
 */
import { buildSync } from 'esbuild';

const scripts = new Map<string, string>();

/**
 * `entry` as one script. Packages from node_modules are not bundled: they are
 * required, as the entry point itself would require them, from its directory,
 * wherever the script is run from (a temporary file, or `eval` in a Worker).
 */
export function workerScript(entry: string): string {
  let script = scripts.get(entry);
  if (script === undefined) {
    const [output] = buildSync({ entryPoints: [entry], bundle: true, packages: 'external', platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'error' }).outputFiles;
    script = `(function (require) {\n${output.text}})(require('node:module').createRequire(${JSON.stringify(entry)}));\n`;
    scripts.set(entry, script);
  }
  return script;
}
