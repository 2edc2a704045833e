/**
 * `npm test` leaves nothing in the temporary directory, passing or failing: the
 * run gets a directory of its own (jest's global setup), and whatever a test
 * leaves there fails the run and is removed (global teardown).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmRun, startNpm } from './helpers/npm';
import { type UserCheckout, userCheckout } from '../scripts/support/user-checkout';
import { NODE_OWN_ENTRIES } from './jest/run-tmpdir';

/** What the run left in `dir`, but for Node.js's own cache there (npm's, not the tests'). */
const leftIn = (dir: string) => fs.readdirSync(dir).filter((name) => !NODE_OWN_ENTRIES.has(name));

describe('npm test and the temporary directory', () => {
  let checkout: UserCheckout;
  let tmp = '';

  beforeAll(() => {
    checkout = userCheckout('test-run');
    tmp = path.join(checkout.dir, 'tmp');
  });
  afterAll(() => checkout?.remove());

  /** `npm test -- <files>` in the clone, with TMPDIR a directory that starts empty. */
  const npmTest = (files: string[]) => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    return npmRun(checkout.dir, 'test', files, { TMPDIR: tmp, LAMBDA_APIGATEWAY_TEST_RUN_TMPDIR: undefined });
  };

  it('leaves it as it found it after the stack tests pass (each synthesizes into a directory of its own)', () => {
    const test = npmTest(['__tests__/stack.test.ts']);
    expect({ status: test.status, output: test.status === 0 ? '' : test.output.slice(-3000) }).toEqual({ status: 0, output: '' });
    expect(leftIn(tmp)).toEqual([]);
  }, 180_000);

  it('fails a run whose test leaves something there, naming it, and still leaves nothing', () => {
    fs.writeFileSync(
      path.join(checkout.dir, '__tests__', 'leaky.test.ts'),
      [
        "import * as fs from 'node:fs';",
        "import * as os from 'node:os';",
        "import * as path from 'node:path';",
        "it('forgets its directory, and fails', () => {",
        "  fs.mkdtempSync(path.join(os.tmpdir(), 'forgotten-'));",
        '  expect(1).toBe(2);',
        '});',
      ].join('\n'),
    );
    const test = npmTest(['__tests__/leaky.test.ts']);
    expect(test.status).not.toBe(0);
    expect(test.output).toMatch(/The tests left 1 entries in the temporary directory \(removed now\): forgotten-\w+\./);
    expect(leftIn(tmp)).toEqual([]);
  }, 180_000);

  it('leaves nothing either when the run is interrupted (SIGINT, as Ctrl-C sends it), which then ends on that signal', async () => {
    fs.writeFileSync(
      path.join(checkout.dir, '__tests__', 'slow.test.ts'),
      [
        "import * as fs from 'node:fs';",
        "import * as os from 'node:os';",
        "import * as path from 'node:path';",
        "it('works in its directory until it is stopped', async () => {",
        "  fs.mkdtempSync(path.join(os.tmpdir(), 'working-'));",
        "  console.log('working');",
        '  await new Promise((resolve) => setTimeout(resolve, 120_000));',
        '}, 180_000);',
      ].join('\n'),
    );
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    const run = startNpm(checkout.dir, 'test', ['__tests__/slow.test.ts'], { env: { TMPDIR: tmp, LAMBDA_APIGATEWAY_TEST_RUN_TMPDIR: undefined } });
    try {
      await run.waitFor(/working/);
      expect(leftIn(tmp)).toHaveLength(1);
      expect(await run.stop('SIGINT')).toBe(130);
      expect(leftIn(tmp)).toEqual([]);
    } finally {
      await run.kill();
    }
  }, 180_000);
});
