/**
 * Runs once after every test file: whatever a test left in the run's temporary
 * directory is removed, so a run leaves nothing behind, passing or failing, and
 * the run fails, naming each leftover, so that the test that leaks gets fixed.
 */
import * as fs from 'node:fs';
import { NODE_OWN_ENTRIES, RUN_TMPDIR_VARIABLE } from './run-tmpdir';

export default function globalTeardown(): void {
  const runDir = process.env[RUN_TMPDIR_VARIABLE];
  if (!runDir || !fs.existsSync(runDir)) return;
  const leftovers = fs.readdirSync(runDir).filter((name) => !NODE_OWN_ENTRIES.has(name)).sort();
  fs.rmSync(runDir, { recursive: true, force: true });
  if (leftovers.length > 0) {
    throw new Error(
      `The tests left ${leftovers.length} entries in the temporary directory (removed now): ${leftovers.join(', ')}. ` +
        'Each test must remove what it creates, in an afterAll or finally, passing or failing.',
    );
  }
}
