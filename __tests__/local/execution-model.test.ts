/**
 * Lambda's execution model, locally, over HTTP against servers started as `npm
 * start` starts them, serving the fixture stack (./fixture-stack): an environment
 * per concurrent invocation, each with its own module state and memory, the
 * timeout clock started in the environment, throttling beyond the function's
 * concurrency, and logs written as Lambda files them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FunctionRuntime } from '../../local/lambda/runtime';
import { loadStack } from '../../local/stack/reader';
import { findStackFile } from '../../local/stack/stack-file';
import { otherNodeBinary } from '../helpers/node-binaries';
import { FIXTURE_DOCUMENT, writeFixtureStack } from './fixture-stack';
import { cleanUp, request, type Response, type RunningServer, startServer, tempDir } from './harness';

type EditableDocument = { resource: Record<string, Record<string, Record<string, unknown>>> };

function fixture(edit: (document: EditableDocument) => void): string {
  const document: EditableDocument = structuredClone(FIXTURE_DOCUMENT);
  edit(document);
  return writeFixtureStack(document);
}

const OWN_MAJOR = Number(process.versions.node.split('.')[0]);
const other = otherNodeBinary();

/**
 * The two ways environments run, one protocol and one runtime script: worker threads of the server (its
 * Node.js is of the runtime's major), and child processes of another Node.js (./function-node.test covers the lookup).
 */
const TRANSPORTS: { name: string; runtime: string; env: Record<string, string> }[] = [
  { name: "worker threads of the server's Node.js", runtime: `nodejs${OWN_MAJOR}.x`, env: {} },
  ...(other ? [{ name: `child processes of Node.js ${other.version}`, runtime: `nodejs${other.major}.x`, env: { LOCAL_LAMBDA_NODE: other.path } }] : []),
];

const servers: RunningServer[] = [];

async function serve(stackDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer({ env: { STACK_DIR: stackDir, ...env }, args: ['--in-memory'] });
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  cleanUp();
});

const invoke = (server: RunningServer, event: unknown) =>
  request(`${server.url}/2015-03-31/functions/Fixture/invocations`, { method: 'POST', body: JSON.stringify(event) });

const body = (response: Response) => JSON.parse(response.body) as Record<string, unknown>;

/** The server's output once it has a line that `wanted` matches: the log arrives on stdout, apart from the HTTP answer. */
async function outputWith(server: RunningServer, wanted: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (!wanted.test(server.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return server.output();
}

/** Resolves once `count` invocations have started their handler (each leaves a file named for its request id in `dir`). */
async function started(dir: string, count: number): Promise<string[]> {
  for (;;) {
    const names = fs.readdirSync(dir);
    if (names.length >= count) return names;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(TRANSPORTS)('environments as $name (the fixture: memory 128 MB, no reserved concurrency)', ({ runtime, env }) => {
  /** The fixture as it is: a timeout of 1 s. */
  let server: RunningServer;
  /** With a timeout long enough for held invocations to outlast the checks on a busy machine. */
  let patient: RunningServer;

  beforeAll(async () => {
    [server, patient] = await Promise.all([
      serve(fixture((d) => (d.resource.aws_lambda_function.fn.runtime = runtime)), env),
      serve(
        fixture((d) => {
          d.resource.aws_lambda_function.fn.runtime = runtime;
          d.resource.aws_lambda_function.fn.timeout = 20;
        }),
        env,
      ),
    ]);
  });

  test('concurrent invocations run at once, one at a time per environment, so none waits for another and none times out for queueing (timeout 1 s)', async () => {
    // Each blocks its thread for 300 ms: taken one after another, the eighth would finish after 2.4 s, past the 1 s timeout.
    const responses = await Promise.all(Array.from({ length: 8 }, () => invoke(server, { blockMs: 300, environment: true })));
    expect(responses.map((r) => [r.status, r.headers['x-amz-function-error']])).toEqual(Array(8).fill([200, undefined]));
    const runs = responses.map(body) as { environment: string; startedAt: number; endedAt: number }[];
    for (const [i, a] of runs.entries()) {
      for (const b of runs.slice(i + 1)) {
        if (a.environment === b.environment) expect(a.endedAt <= b.startedAt || b.endedAt <= a.startedAt).toBe(true);
      }
    }
    // The server goes on serving.
    expect(body(await invoke(server, { hello: 1 }))).toMatchObject({ event: { hello: 1 } });
  });

  test('module-scope state lives per environment, and a warm environment is reused', async () => {
    const first = body(await invoke(patient, { environment: true }));
    const second = body(await invoke(patient, { environment: true }));
    expect(second.environment).toBe(first.environment);
    expect(second.invocation).toBe((first.invocation as number) + 1);

    // Three invocations held in their handlers at once: three environments.
    const dir = tempDir('started');
    const release = path.join(dir, '..', `release-${path.basename(dir)}`);
    const held = Array.from({ length: 3 }, () => invoke(patient, { startedDir: dir, holdUntil: release, environment: true }));
    await started(dir, 3);
    fs.writeFileSync(release, '');
    const results = (await Promise.all(held)).map(body);
    fs.rmSync(release);
    expect(new Set(results.map((result) => result.environment)).size).toBe(3);
    // Each counted its own invocations: the warm one its next, the new ones their first.
    const counts = results.map((result) => (result.environment === first.environment ? `warm ${result.invocation}` : `new ${result.invocation}`));
    expect(counts.sort()).toEqual(['new 1', 'new 1', `warm ${(second.invocation as number) + 1}`]);
  });

  test('a timeout is logged as Lambda logs it, with the request id, and the environment is replaced', async () => {
    const response = await invoke(server, { sleepMs: 1500 });
    const requestId = response.headers['x-amzn-requestid'] as string;
    expect(body(response)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds` });
    const line = new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 1\\.00 seconds$`, 'm');
    expect(await outputWith(server, line)).toMatch(line);
    expect(body(await invoke(server, { hello: 3 }))).toMatchObject({ event: { hello: 3 } });
  });

  test("the function's console lines are printed in Lambda's TEXT format (the stack sets no log format): time, request id, level, message", async () => {
    const response = await invoke(server, { log: true });
    const requestId = response.headers['x-amzn-requestid'] as string;
    const output = await outputWith(server, new RegExp(`\t${requestId}\tERROR\tfailed`));
    const lines = output.split('\n').filter((line) => line.includes(`\t${requestId}\t`));
    expect(lines.map((line) => line.split('\t').slice(2).join('\t'))).toEqual([
      'DEBUG\ta debug line',
      'INFO\tan info line',
      "WARN\ta warning 42 { about: 'it' }",
      "ERROR\t{ problem: 'an object', code: 7 }",
      'WARN\tTypeError: bad type',
      'ERROR\tfailed: RangeError: out of range',
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t/);
  });

  test('an environment that runs out of memory fails its own invocation with Runtime.OutOfMemory, and only that one', async () => {
    const dir = tempDir('started');
    const release = path.join(dir, '..', `release-${path.basename(dir)}`);
    const held = invoke(patient, { startedDir: dir, holdUntil: release, environment: true });
    await started(dir, 1);
    const hog = await invoke(patient, { hog: true });
    expect(hog.headers['x-amz-function-error']).toBe('Unhandled');
    expect(body(hog)).toMatchObject({ errorType: 'Runtime.OutOfMemory', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: signal: killed$/) });
    fs.writeFileSync(release, '');
    const heldResponse = await held;
    expect(heldResponse.status).toBe(200);
    expect(body(heldResponse)).toMatchObject({ environment: expect.any(String) });
    fs.rmSync(release);
    expect(body(await invoke(patient, { hello: 2 }))).toMatchObject({ event: { hello: 2 } });
  });
});

test("with logging_config JSON, each line is Lambda's JSON record, and lines below application_log_level are dropped", async () => {
  const server = await serve(fixture((d) => (d.resource.aws_lambda_function.fn.logging_config = { log_format: 'JSON', application_log_level: 'WARN' })));
  const response = await invoke(server, { log: true });
  const requestId = response.headers['x-amzn-requestid'] as string;
  const records = (await outputWith(server, new RegExp(`"requestId":"${requestId}","message":"failed`)))
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(requestId))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(records).toEqual([
    { timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), level: 'WARN', requestId, message: "a warning 42 { about: 'it' }" },
    { timestamp: expect.any(String), level: 'ERROR', requestId, message: { problem: 'an object', code: 7 } },
    {
      timestamp: expect.any(String),
      level: 'WARN',
      requestId,
      message: { errorType: 'TypeError', errorMessage: 'bad type', stackTrace: expect.arrayContaining(['TypeError: bad type']) },
    },
    {
      timestamp: expect.any(String),
      level: 'ERROR',
      requestId,
      message: expect.stringMatching(/^failed: RangeError: out of range\n {4}at /),
      errorType: 'RangeError',
      errorMessage: 'out of range',
      stackTrace: expect.arrayContaining(['RangeError: out of range']),
    },
  ]);
  // What Lambda tells the function's code (and libraries such as Powertools) about the format and level.
  expect(body(await invoke(server, { logSettings: true }))).toEqual({ format: 'JSON', level: 'WARN' });
});

describe('reserved concurrency', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await serve(
      fixture((d) => {
        d.resource.aws_lambda_function.fn.reserved_concurrent_executions = 2;
        // Long enough for the held invocations to outlast the checks on a busy machine.
        d.resource.aws_lambda_function.fn.timeout = 20;
      }),
    );
  });

  test('beyond it, Lambda answers 429 TooManyRequestsException and API Gateway 500, proxy or not; the handler never runs, and the function serves again once an environment is free', async () => {
    const dir = tempDir('started');
    const release = path.join(dir, '..', `release-${path.basename(dir)}`);
    const held = [1, 2].map(() => invoke(server, { startedDir: dir, holdUntil: release }));
    await started(dir, 2);

    const throttled = await invoke(server, { startedDir: dir });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    expect(body(throttled)).toEqual({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' });
    const internalError = { status: 500, body: '{"message":"Internal server error"}' };
    expect(await request(`${server.url}/prod/slow`, { method: 'POST', body: JSON.stringify({ startedDir: dir }) })).toMatchObject(internalError);
    expect(await request(`${server.url}/prod/items/x`, { method: 'POST', body: '{}' })).toMatchObject(internalError);
    // Only the two held invocations ever started.
    expect(fs.readdirSync(dir)).toHaveLength(2);

    fs.writeFileSync(release, '');
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    fs.rmSync(release);
    expect(body(await invoke(server, { hello: 4 }))).toMatchObject({ event: { hello: 4 } });
    expect(server.output()).toContain('up to 2 environments (reserved concurrency)');
  });
});

test('with reserved concurrency 0, every invocation is throttled, as in AWS, and startup says so', async () => {
  const server = await serve(fixture((d) => (d.resource.aws_lambda_function.fn.reserved_concurrent_executions = 0)));
  expect(server.output()).toContain('Fixture has reserved_concurrent_executions = 0, so every invocation is throttled (429 TooManyRequestsException), as in AWS.');
  const response = await invoke(server, { hello: 5 });
  expect(response.status).toBe(429);
  expect(body(response).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
});

test('an environment idle for longer than the idle time is stopped, and the next invocation starts a fresh one', async () => {
  const fn = loadStack(findStackFile({ stackDir: writeFixtureStack() }), { baseUrl: 'http://127.0.0.1:3000' }).functions[0];
  const runtime = new FunctionRuntime(fn, { extraEnvironment: {}, region: 'eu-west-1', logTo: process.stderr, idleMs: 200 });
  try {
    expect(await runtime.start()).toBeUndefined();
    const first = JSON.parse(((await runtime.invoke('{"environment":true}')) as { payload: string }).payload);
    expect(runtime.environmentCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(runtime.environmentCount).toBe(0);
    const second = JSON.parse(((await runtime.invoke('{"environment":true}')) as { payload: string }).payload);
    expect(second.environment).not.toBe(first.environment);
    expect(second.invocation).toBe(1);
  } finally {
    await runtime.stop();
  }
});
