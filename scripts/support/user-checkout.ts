/**
 * A copy of this project as a user's fresh clone has it, for tests that walk a
 * user's journey through the npm scripts (`npm run synth`, `npm start`, `npm run
 * deploy`, ...): those scripts write into the project (cdktf.out, state, .data), so
 * each journey runs in a copy of its own and leaves the real checkout alone.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface UserCheckout {
  /** The copy's root directory. */
  readonly dir: string;
  /** Removes the copy and everything the journey wrote into it. */
  remove(): void;
}

export interface UserCheckoutOptions {
  /**
   * Packages the user's `node_modules` lacks, as after `npm ci --omit=dev` (which
   * leaves out the dev dependencies): its other packages are linked one by one.
   * @default none: `node_modules` is this checkout's, linked whole
   */
  readonly withoutPackages?: readonly string[];
}

/**
 * Copies every file git would commit from the working tree (tracked files and new
 * ones not ignored; nothing ignored, so no cdktf.out, .data or state) into a new
 * temporary directory, and links `node_modules` (and `.venv`, if present) from this
 * checkout, as `npm ci` would have filled them.
 */
export function userCheckout(prefix: string, { withoutPackages = [] }: UserCheckoutOptions = {}): UserCheckout {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${ROOT}: ${listed.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `journey-${prefix}-`));
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = path.join(ROOT, file);
    // A file deleted in the working tree but still in the index is not in the user's clone either.
    if (!fs.existsSync(source)) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(source, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(source).mode);
  }
  for (const linked of withoutPackages.length > 0 ? ['.venv'] : ['node_modules', '.venv']) {
    if (fs.existsSync(path.join(ROOT, linked))) fs.symlinkSync(path.join(ROOT, linked), path.join(dir, linked), 'dir');
  }
  if (withoutPackages.length > 0) linkPackagesExcept(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), withoutPackages);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Fills `target` with links to the packages of `source` (@scope/name), but for `without`; npm's own bookkeeping (.bin, .package-lock.json) is left out. */
function linkPackagesExcept(source: string, target: string, without: readonly string[]): void {
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(source)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      fs.mkdirSync(path.join(target, entry));
      for (const name of fs.readdirSync(path.join(source, entry))) {
        if (!without.includes(`${entry}/${name}`)) fs.symlinkSync(path.join(source, entry, name), path.join(target, entry, name), 'dir');
      }
    } else if (!without.includes(entry)) fs.symlinkSync(path.join(source, entry), path.join(target, entry), 'dir');
  }
}
