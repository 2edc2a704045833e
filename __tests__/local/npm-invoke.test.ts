/**
 * `npm run invoke` as a user runs it: with the shipped events, from wherever they
 * stand in the project, and stopped the ways they stop it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { type NpmProcess, startNpm } from '../helpers/npm';
import { alive, commandLine, descendants, waitUntil } from '../helpers/processes';

const STOPPED_WITHIN_MS = 15_000;

let checkout: UserCheckout;
let env: Record<string, string>;
const started: NpmProcess[] = [];

beforeAll(async () => {
  checkout = userCheckout('npm-invoke');
  // Nothing listens there: the events below need no DynamoDB, and no test touches port 8000.
  env = { DYNAMODB_PORT: String(await freePort()) };
});

afterAll(async () => {
  await Promise.all(started.map((run) => run.kill()));
  checkout.remove();
});

function invoke(args: readonly string[], cwd = checkout.dir, options: { terminal?: boolean } = {}): NpmProcess {
  const run = startNpm(cwd, 'invoke', args, { env, ...options });
  started.push(run);
  return run;
}

// First, while the checkout is fresh: the bad path must not even start the synth.
test('a path that does not exist is refused, naming it as resolved from where the user stands, and nothing is written', async () => {
  const run = invoke(['events/nope.json'], path.join(checkout.dir, 'function'));
  expect(await run.exited).toBe(1);
  const resolved = path.join(checkout.dir, 'function', 'events', 'nope.json');
  expect(run.output()).toContain(`Error: Cannot read the event events/nope.json (${resolved})`);
  expect(run.output()).toContain(`relative to your current directory, ${path.join(checkout.dir, 'function')}, e.g. npm run invoke -- ../events/ping.json`);
  expect(fs.existsSync(path.join(checkout.dir, 'cdktf.out'))).toBe(false);
}, 60_000);

test('a path is relative to where the user stands: cd function && npm run invoke -- ../events/ping.json', async () => {
  const run = invoke(['../events/ping.json'], path.join(checkout.dir, 'function'));
  expect({ status: await run.exited, output: run.output() }).toEqual({ status: 0, output: expect.stringContaining('\n"pong"\n') });
  // Nothing listens at DYNAMODB_PORT: an npm start on another port is found by giving the same one.
  expect(run.output()).toContain(
    `Note: nothing answers at http://127.0.0.1:${env.DYNAMODB_PORT}, so DynamoDB operations will fail. Start \`npm start\` in another terminal, or, if it runs on another port, give this the same DYNAMODB_PORT`,
  );
}, 60_000);

test("the README's npm run invoke -- events/echo.json, from the project's root, gives the tutorial's answer", async () => {
  const run = invoke(['events/echo.json']);
  expect({ status: await run.exited, output: run.output() }).toEqual({ status: 0, output: expect.stringContaining('\n"Success"\n') });
}, 60_000);

describe('stopping it while it waits for the event on standard input', () => {
  const waiting = async (options: { terminal?: boolean } = {}) => {
    const run = invoke(['-'], checkout.dir, options);
    await waitUntil(() => descendants(run.child.pid!).some((pid) => /^\S*node .*local\/invoke\.ts/.test(commandLine(pid))), 60_000, 'invoke starting');
    return run;
  };

  const expectStopped = async (run: NpmProcess, stop: (processes: number[]) => void, statuses: readonly number[]) => {
    const processes = descendants(run.child.pid!);
    stop(processes);
    const signalled = Date.now();
    expect(statuses).toContain(await run.exited);
    expect(Date.now() - signalled).toBeLessThan(STOPPED_WITHIN_MS);
    await waitUntil(() => processes.every((pid) => !alive(pid)), 5000, `the end of ${processes.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
  };

  test.each([
    ['SIGTERM', 'npm', 143],
    ['SIGINT', 'npm', 130],
    ['SIGTERM', 'node', 143],
  ] as const)('%s to %s ends it with %s, leaving no process', async (signal, target, status) => {
    const run = await waiting();
    await expectStopped(
      run,
      (processes) => process.kill(target === 'npm' ? run.child.pid! : processes.find((pid) => /^\S*node /.test(commandLine(pid)))!, signal),
      [status],
    );
  }, 60_000);

  test('Ctrl-C in a terminal ends it, leaving no process', async () => {
    const run = await waiting({ terminal: true });
    await expectStopped(run, () => run.ctrlC(), [130]);
  }, 60_000);
});

test('SIGTERM to npm during the synth ends the synth too, and the function does not run', async () => {
  const run = invoke(['events/ping.json']);
  await waitUntil(() => descendants(run.child.pid!).some((pid) => commandLine(pid).endsWith('main.ts')), 60_000, 'the synth');
  const processes = descendants(run.child.pid!);
  process.kill(run.child.pid!, 'SIGTERM');
  expect(await run.exited).toBe(143);
  expect(run.output()).toContain('SIGTERM: stopped; the function did not run.');
  expect(run.output()).not.toContain('pong');
  await waitUntil(() => processes.every((pid) => !alive(pid)), 5000, `the end of ${processes.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
}, 60_000);
