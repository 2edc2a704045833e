/**
 * Runs once before any test file: gives the run a temporary directory of its own
 * (every worker inherits TMPDIR, so os.tmpdir() is that directory in every test)
 * and decides once whether the Terraform plan tests can run here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { terraformPlanBlocker } from '../helpers/terraform';
import { RUN_TMPDIR_VARIABLE } from './run-tmpdir';

export default function globalSetup(): void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-apigateway-test-run-'));
  process.env[RUN_TMPDIR_VARIABLE] = runDir;
  process.env.TMPDIR = runDir;
  // An interrupted run (Ctrl-C, timeout's SIGTERM, a closed terminal) gets no teardown: the directory goes with
  // the process, which then ends on the signal as it would have.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      fs.rmSync(runDir, { recursive: true, force: true });
      process.kill(process.pid, signal);
    });
  }
  terraformPlanBlocker();
}
