/**
 * The port opens before DynamoDB and the function are up. A request that arrives
 * in that window is answered: once the server is ready, or, if startup fails,
 * with an error; never left open.
 */
import * as net from 'node:net';
import { freePort } from '../../scripts/support/free-port';
import { cleanUp, curlPost, request, type Response, spawnServer, synthesize } from './harness';
import { portAccepts, portFree, waitUntil } from '../helpers/processes';

/** A request the server leaves open gets no answer in this time; one it answers, even from a loaded machine, does. */
const ANSWER_WITHIN_MS = 30_000;

let outDir: string;

beforeAll(() => {
  outDir = synthesize();
});

afterAll(cleanUp);

function answered(pending: Promise<Response>): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms: the request was left open`)), ANSWER_WITHIN_MS);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}

/** Starts the server and resolves the moment its port accepts connections (polled in a tight loop), with what it printed by then. */
async function startUntilPortOpens(env: Record<string, string>) {
  const port = await freePort();
  const server = spawnServer({ CDKTF_OUTDIR: outDir, PORT: String(port), ...env }, ['--in-memory']);
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  await waitUntil(() => portAccepts(port), 60_000, `port ${port} opening`);
  return { server, port, url: `http://127.0.0.1:${port}`, exited, output: () => output };
}

test('requests sent while the server starts wait, and are answered once it is ready', async () => {
  const started = await startUntilPortOpens({ DYNAMODB_PORT: String(await freePort()) });
  try {
    const outputWhenSent = started.output();
    const answers = await Promise.all([
      answered(curlPost(`${started.url}/prod/DynamoDBManager`, '{"operation":"ping"}')),
      answered(curlPost(`${started.url}/prod/DynamoDBManager`, '{"operation":"create","payload":{"Item":{"id":"early","name":"Bob"}}}')),
      answered(request(`${started.url}/2015-03-31/functions/LambdaFunctionOverHttps/invocations`, { method: 'POST', body: '{"operation":"echo"}' })),
    ]);
    // They really left before the server was ready, so this proves they waited.
    expect(outputWhenSent).not.toContain('Ready on ');
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual([
      { status: 200, body: '"pong"' },
      { status: 200, body: '{}' },
      { status: 200, body: '"Success"' },
    ]);
  } finally {
    started.server.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }
});

test('a startup that fails after the port opened answers the waiting request 503 with the reason, then exits 1 and frees the port', async () => {
  const blocker = net.createServer();
  const dynamodbPort = await freePort();
  await new Promise<void>((resolve) => blocker.listen(dynamodbPort, '127.0.0.1', resolve));
  try {
    const started = await startUntilPortOpens({ DYNAMODB_PORT: String(dynamodbPort) });
    const response = await answered(curlPost(`${started.url}/prod/DynamoDBManager`, '{"operation":"ping"}'));
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      message: expect.stringMatching(new RegExp(`^The local server could not start: DYNAMODB_PORT ${dynamodbPort} is in use on 127\\.0\\.0\\.1.*set DYNAMODB_PORT to a free port`)),
    });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`Error: DYNAMODB_PORT ${dynamodbPort} is in use`);
    expect(await portFree(started.port)).toBe(true);
  } finally {
    blocker.close();
  }
});
