/**
 * Stopping `npm start` the ways users and their tools do: SIGINT or SIGTERM to npm
 * (a process supervisor, a terminal multiplexer, `timeout`) or to its node
 * process, and Ctrl-C in a terminal; once it serves, and while it starts. Each
 * stops everything: npm exits, no process of it is left, both ports are free.
 */
import { freePort } from '../../scripts/support/free-port';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { type NpmProcess, startNpm } from '../helpers/npm';
import { alive, commandLine, descendants, portAccepts, portFree, waitUntil } from '../helpers/processes';

/** "Within a few seconds", with room for a loaded 2-core machine. */
const STOPPED_WITHIN_MS = 15_000;
const READY = 'Ready on ';

let checkout: UserCheckout;
const started: NpmProcess[] = [];

beforeAll(() => {
  checkout = userCheckout('npm-start');
});

afterAll(async () => {
  await Promise.all(started.map((run) => run.kill()));
  checkout.remove();
});

async function npmStart(options: { terminal?: boolean } = {}) {
  const port = await freePort();
  const dynamodbPort = await freePort();
  const run = startNpm(checkout.dir, 'start', [], { env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) }, ...options });
  started.push(run);
  return { run, port, dynamodbPort };
}

/** Sends `signal` to `pid`, then checks that npm ended in time with `status`, leaving no process and both ports free. */
async function expectStopped(
  { run, port, dynamodbPort }: Awaited<ReturnType<typeof npmStart>>,
  stop: () => void,
  status: number,
): Promise<void> {
  const processes = descendants(run.child.pid!);
  const signalled = Date.now();
  stop();
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([run.exited, new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), STOPPED_WITHIN_MS)))]);
  clearTimeout(timer);
  expect({ exited, output: run.output() }).toEqual({ exited: status, output: run.output() });
  expect(Date.now() - signalled).toBeLessThan(STOPPED_WITHIN_MS);
  // The esbuild services the server started end when it does, a moment later.
  await waitUntil(() => processes.every((pid) => !alive(pid)), 5000, `the end of ${processes.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
  expect([await portFree(port), await portFree(dynamodbPort)]).toEqual([true, true]);
}

function serverPid(run: NpmProcess): number {
  const pid = descendants(run.child.pid!).find((candidate) => /^\S*node .*local\/server\.ts/.test(commandLine(candidate)));
  if (pid === undefined) throw new Error(`no node process of local/server.ts under npm:\n${run.output()}`);
  return pid;
}

describe('once it serves', () => {
  test.each([
    ['SIGTERM', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGTERM', 'node'],
    ['SIGINT', 'node'],
  ] as const)('%s to %s stops everything, and exits 0', async (signal, target) => {
    const started = await npmStart();
    await started.run.waitFor(READY);
    await expectStopped(started, () => process.kill(target === 'npm' ? started.run.child.pid! : serverPid(started.run), signal), 0);
    expect(started.run.output()).toMatch(new RegExp(`${signal}: stopping; DynamoDB's data is on disk already\\.\\n[^]*Stopped\\.\\n`));
  }, 120_000);

  test('Ctrl-C in a terminal stops everything', async () => {
    const started = await npmStart({ terminal: true });
    await started.run.waitFor(READY);
    await expectStopped(started, () => started.run.ctrlC(), 0);
    expect(started.run.output()).toContain('Stopped.');
  }, 120_000);
});

describe('while it starts', () => {
  test('SIGTERM to npm during the synth ends the synth too, and no server starts', async () => {
    const started = await npmStart();
    await waitUntil(() => descendants(started.run.child.pid!).some((pid) => commandLine(pid).endsWith('main.ts')), 60_000, 'the synth');
    await expectStopped(started, () => process.kill(started.run.child.pid!, 'SIGTERM'), 0);
    expect(started.run.output()).toContain('SIGTERM: stopped before the server started.');
    expect(started.run.output()).not.toContain(READY);
  }, 120_000);

  test('SIGINT to npm after the port opened, before the server is ready, stops everything', async () => {
    const started = await npmStart();
    await waitUntil(() => portAccepts(started.port), 60_000, 'the port opening');
    await expectStopped(started, () => process.kill(started.run.child.pid!, 'SIGINT'), 0);
    expect(started.run.output()).toContain('SIGINT: stopping before the server was ready.');
    expect(started.run.output()).not.toContain(READY);
  }, 120_000);
});
