/**
 * A full disk under DATA_DIR, for real and without root: the server runs in a user
 * and mount namespace of its own (`unshare -rm`), where a small tmpfs is mounted on
 * DATA_DIR; the test fills it with a file it writes through /proc/<pid>/root (the
 * server's view of the file system), and frees it by deleting that file.
 *
 * Where namespaces are not allowed (some containers), the test is skipped with a
 * loud warning, and fails under CI, which must run it.
 */
import '../helpers/quiet-sdk';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { RESUME_FREE_BYTES } from '../../local/dynamodb/worker-host';
import { cleanUp, curlPost, type Response, type RunningServer, startServer, synthesize, tempDir } from './harness';

/** The tmpfs: room for the data, and more than the free space the server waits for before writing again. */
const DISK_SIZE = `${(2 * RESUME_FREE_BYTES) / 1024 / 1024}m`;
const MOUNT_ON_DATA_DIR = ['unshare', '-rm', 'sh', '-c', `mount -t tmpfs -o size=${DISK_SIZE} tmpfs "$DATA_DIR" && exec "$@"`, 'sh'];

/** Why a tmpfs cannot be mounted in a user namespace here; undefined when it can. */
function namespacesUnavailable(): string | undefined {
  const dir = tempDir('probe');
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$0" && touch "$0/written"', dir], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return probe.error?.message ?? (probe.stderr.trim() || `unshare exited with ${probe.status}`);
}

const unavailable = namespacesUnavailable();
if (unavailable) {
  console.warn(`!!! Cannot mount a tmpfs in a user namespace here (${unavailable}): the full-disk test of the local DynamoDB is NOT run.`);
  if (process.env.CI) throw new Error(`CI is set but this machine cannot run the full-disk test: ${unavailable}`);
}

let outDir: string;
let server: RunningServer | undefined;

beforeAll(() => {
  outDir = synthesize({ API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  cleanUp();
});

/** Writes to `file` until the file system refuses: 1 MiB at a time, then 4 KiB, then single bytes. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

(unavailable ? test.skip : test)(
  'a full disk: writes get 500 and one clear log line, reads go on, the server stays up, and writes work again once space is freed, with nothing half-written',
  async () => {
    const dataDir = tempDir('full-disk');
    server = await startServer({ env: { CDKTF_OUTDIR: outDir, DATA_DIR: dataDir }, wrapper: MOUNT_ON_DATA_DIR });
    const api = `${server.url}/prod/DynamoDBManager`;
    // Items bigger than a page, so that a write cannot slip into the log file's last page.
    const create = (id: string) => curlPost(api, JSON.stringify({ operation: 'create', payload: { Item: { id, text: 'x'.repeat(10_000) } } }));
    const read = async (id: string) => JSON.parse((await curlPost(api, JSON.stringify({ operation: 'read', payload: { Key: { id } } }))).body);
    const statuses = (responses: Response[]) => responses.map((response) => [response.status, response.body]);

    expect((await create('before')).status).toBe(200);
    const filler = `/proc/${server.process.pid}/root${dataDir}/filler`;
    fillUp(filler);

    const internal = [500, '{"message":"Internal server error"}'];
    expect(statuses(await Promise.all([create('during-1'), create('during-2'), create('during-3')]))).toEqual([internal, internal, internal]);
    const dynamodb = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${server.dynamodbPort}`,
      region: 'us-east-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      await expect(dynamodb.send(new PutItemCommand({ TableName: 'lambda-apigateway', Item: { id: { S: 'during-4' }, text: { S: 'x'.repeat(10_000) } } }))).rejects.toMatchObject({
        name: 'InternalServerError',
        $metadata: { httpStatusCode: 500 },
      });
    } finally {
      dynamodb.destroy();
    }
    expect((await read('before')).Item?.id).toBe('before');
    const diskLines = server.output().split('\n').filter((line) => line.includes('is full'));
    expect(diskLines).toEqual([
      expect.stringMatching(
        new RegExp(`^DynamoDB: the disk of DATA_DIR=${dataDir} is full \\(.*No space left on device\\)\\. Writes get 500 InternalServerError until it has room; reads go on, and nothing written so far is lost\\. Free some space on that disk: writing resumes by itself\\.$`),
      ),
    ]);

    fs.rmSync(filler);
    const resumed = `DynamoDB: DATA_DIR=${dataDir} has room again; writes resumed.`;
    const deadline = Date.now() + 20_000;
    while (!server.output().includes(resumed) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.output()).toContain(resumed);
    expect((await create('after')).status).toBe(200);
    expect((await read('after')).Item?.id).toBe('after');
    expect((await read('before')).Item?.id).toBe('before');
    for (const id of ['during-1', 'during-2', 'during-3', 'during-4']) expect(await read(id)).toEqual({});
    expect(server.output()).not.toMatch(/away/);
    expect(await server.stop('SIGTERM')).toBe(0);
  },
);
