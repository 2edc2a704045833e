/**
 * A new user's path, as the README and the banner lead it, with no AWS account and
 * no AWS configuration: a fresh clone, `npm start`, a readiness loop with curl, the
 * banner's requests run as printed (curl and the AWS CLI), every shipped event,
 * Ctrl-C; and the clone is as clean as it was.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { awsCli } from './harness';
import { type NpmProcess, startNpm } from '../helpers/npm';

const README_LOOP_TIMEOUT_MS = 60_000;

let checkout: UserCheckout;
let home: string;
let run: NpmProcess | undefined;

beforeAll(() => {
  checkout = userCheckout('tutorial');
  // A clone is a git repository: `git status` below tells whether the journey left anything behind.
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=journey', '-c', 'user.email=journey@example.com', 'commit', '-q', '-m', 'clone');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-home-'));
});

afterAll(async () => {
  await run?.kill();
  checkout.remove();
  fs.rmSync(home, { recursive: true, force: true });
});

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: checkout.dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Runs `command` in the clone with sh, as a user with no AWS configuration or credentials of their own would. */
function shell(command: string, timeoutMs = 30_000) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'), AWS_PAGER: '' };
  return spawnSync('sh', ['-c', command], { cwd: checkout.dir, env, encoding: 'utf8', timeout: timeoutMs });
}

if (!awsCli) {
  console.warn('!!! No working `aws` on PATH: the banner\'s AWS CLI commands are NOT run (.ci/run installs it).');
  if (process.env.CI) throw new Error('CI is set but no AWS CLI is on PATH');
}

test("a new user's first session: start, wait with curl, the banner's requests, every event, Ctrl-C; nothing left in the clone", async () => {
  const port = await freePort();
  const dynamodbPort = await freePort();
  const url = `http://127.0.0.1:${port}/prod/DynamoDBManager`;
  run = startNpm(checkout.dir, 'start', [], { env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) } });

  // The README's readiness loop, started with the server: its first requests meet a port that is not open yet, or a server not ready yet.
  const loop = shell(`until curl -s -X POST -d @events/ping.json ${url}; do sleep 0.05; done`, README_LOOP_TIMEOUT_MS);
  expect({ status: loop.status, stdout: loop.stdout, error: loop.error?.message }).toEqual({ status: 0, stdout: '"pong"', error: undefined });
  await run.waitFor('Ready on ');

  const banner = run.output();
  const listed = banner.slice(banner.indexOf("The tutorial's requests, for this server:\n")).split('\n').slice(1);
  const requests = listed.slice(0, listed.findIndex((line) => !line.startsWith('  '))).map((line) => line.trim());
  expect(requests.map((line) => line.replace(/^AWS_\S+ AWS_\S+ AWS_\S+ /, '').split(' ').slice(0, 3).join(' '))).toEqual([
    'curl -X POST',
    'curl -X POST',
    'curl -X POST',
    'aws lambda invoke',
    'aws apigateway test-invoke-method',
    'aws dynamodb scan',
  ]);
  const answers = requests.filter((line) => awsCli || !line.includes(' aws ')).map((line) => shell(line));
  // (curl's progress meter goes to stderr when its output is not a terminal; the AWS CLI writes nothing there unless it fails.)
  expect(answers.map(({ status, stderr }) => ({ status, error: /error|unable/i.test(stderr) ? stderr : '' }))).toEqual(
    answers.map(() => ({ status: 0, error: '' })),
  );
  expect(answers.slice(0, 3).map(({ stdout }) => stdout)).toEqual(['{}', '{"Item":{"id":"1","name":"Bob"}}', '"Success"']);
  if (awsCli) {
    expect(answers[3].stdout).toMatch(/"StatusCode": 200[^]*\}\n"Success"$/);
    expect(JSON.parse(answers[4].stdout)).toMatchObject({ status: 200, body: '"pong"', log: expect.stringContaining('Method completed with status: 200') });
    expect(JSON.parse(answers[5].stdout).Items).toEqual([{ id: { S: '1' }, name: { S: 'Bob' } }]);
  }

  // Every shipped event, as the README sends one, in an order that shows each operation's effect.
  const send = (event: string) => shell(`curl -s -X POST -d @events/${event}.json ${url}`).stdout;
  expect(
    ['create', 'read', 'update', 'read', 'list', 'delete', 'read', 'echo', 'ping'].map((event) => ({ event, answer: send(event) })),
  ).toEqual([
    { event: 'create', answer: '{}' },
    { event: 'read', answer: '{"Item":{"id":"1","name":"Bob"}}' },
    { event: 'update', answer: '{"Attributes":{"id":"1","name":"Alice"}}' },
    { event: 'read', answer: '{"Item":{"id":"1","name":"Alice"}}' },
    { event: 'list', answer: expect.stringMatching(/^\{"Items":\[\{"id":"1","name":"Alice"\}\],"Count":1,"ScannedCount":1\}$/) },
    { event: 'delete', answer: '{}' },
    { event: 'read', answer: '{}' },
    { event: 'echo', answer: '"Success"' },
    { event: 'ping', answer: '"pong"' },
  ]);
  // As an SDK or a browser sends them, declared JSON: the stack's request model takes every one.
  const events = fs.readdirSync(path.join(checkout.dir, 'events')).map((file) => path.basename(file, '.json'));
  expect(events.sort()).toEqual(['create', 'delete', 'echo', 'list', 'ping', 'read', 'update']);
  const statuses = events.map((event) => ({
    event,
    status: shell(`curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -X POST -d @events/${event}.json ${url}`).stdout,
  }));
  expect(statuses).toEqual(events.map((event) => ({ event, status: '200' })));

  process.kill(run.child.pid!, 'SIGINT');
  expect(await run.exited).toBe(0);
  expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
}, 180_000);
