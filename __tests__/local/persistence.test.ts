/**
 * DynamoDB's data in DATA_DIR: kept across restarts, and across a SIGKILL for every
 * write the server acknowledged. Shutdown on SIGINT and SIGTERM is clean.
 */
import * as path from 'node:path';
import { cleanUp, curlPost, failedStart, inParallel, type RunningServer, startServer, synthesize, tempDir } from './harness';
import { freePort } from '../../scripts/support/free-port';

let outDir: string;
const running: RunningServer[] = [];

beforeAll(() => {
  outDir = synthesize({ API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop('SIGKILL')));
  cleanUp();
});

async function start(dataDir: string): Promise<RunningServer> {
  const server = await startServer({ env: { CDKTF_OUTDIR: outDir, DATA_DIR: dataDir } });
  running.push(server);
  return server;
}

const api = (server: RunningServer) => `${server.url}/prod/DynamoDBManager`;
const read = async (server: RunningServer, id: string) => JSON.parse((await curlPost(api(server), JSON.stringify({ operation: 'read', payload: { Key: { id } } }))).body);

test('a restart on the same DATA_DIR keeps the data; SIGTERM and SIGINT stop the server cleanly', async () => {
  const dataDir = path.join(tempDir('data'), 'nested', 'data');
  const first = await start(dataDir);
  expect((await curlPost(api(first), '{"operation":"create","payload":{"Item":{"id":"kept","name":"Bob"}}}')).status).toBe(200);
  expect(await first.stop('SIGTERM')).toBe(0);
  expect(first.output()).toMatch(/Stopped\.\n$/);

  const second = await start(dataDir);
  expect(second.output()).toContain('tables: lambda-apigateway\n'); // Found, not created again.
  expect(await read(second, 'kept')).toEqual({ Item: { id: 'kept', name: 'Bob' } });
  expect(await second.stop('SIGINT')).toBe(0);
});

test('a second server on the same DATA_DIR refuses to start, naming the directory in use', async () => {
  const dataDir = tempDir('data');
  await start(dataDir);
  const { code, stderr } = await failedStart({ CDKTF_OUTDIR: outDir, DATA_DIR: dataDir, PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) });
  expect(code).toBe(1);
  expect(stderr).toContain(`DATA_DIR=${dataDir} is in use by another local server`);
});

test('SIGKILL right after acknowledged writes loses none of them', async () => {
  const dataDir = tempDir('data');
  const first = await start(dataDir);
  const statuses = await inParallel(100, 16, (i) =>
    curlPost(api(first), JSON.stringify({ operation: 'create', payload: { Item: { id: `durable-${i}`, i } } })).then((r) => r.status),
  );
  // Killed the moment the last write was acknowledged: no shutdown, no flush, no close.
  first.process.kill('SIGKILL');
  await first.stop();
  expect(statuses.every((status) => status === 200)).toBe(true);

  const second = await start(dataDir);
  const items = await inParallel(100, 16, (i) => read(second, `durable-${i}`));
  expect(items.filter((item) => item.Item?.i === undefined)).toEqual([]);
});
