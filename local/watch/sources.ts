/**
 * What `npm run synth` reads, and so what watch mode watches and type-checks: the
 * app (main.ts, and what it imports), the constructs, and the handler, which
 * constructs/handler-bundle.ts bundles by its path rather than importing it; with
 * the configuration that changes how they compile.
 */
import * as path from 'node:path';

/** Directories whose files the synth reads, relative to the project's root. */
export const SOURCE_DIRS = ['constructs', 'function'] as const;
/** Files at the project's root that the synth reads. */
export const ROOT_FILES = ['main.ts', 'tsconfig.json', 'package.json'] as const;

/** Extensions of the files that make the stack: code, and the JSON it may import. */
const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;

/**
 * Whether a change to `file` (a path relative to the project's root) can change the
 * stack: editors' backups and swap files (`.index.ts.swp`, `index.ts~`, vim's `4913`) cannot.
 */
export function isSource(file: string): boolean {
  const parts = file.split(path.sep);
  if (parts.some((part) => part.startsWith('.') || part === 'node_modules')) return false;
  if (parts.length === 1) return (ROOT_FILES as readonly string[]).includes(file);
  return (SOURCE_DIRS as readonly string[]).includes(parts[0]) && SOURCE_FILE.test(file);
}
