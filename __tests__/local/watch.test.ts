/**
 * `npm start -- --watch`, as a user works with it in a fresh clone: the server
 * keeps running while they edit the handler and the constructs, each save is
 * served on the same port, a save that does not compile keeps the previous version
 * serving and says why once, and the data written to DynamoDB stays across reloads.
 * The tests run in order, on one server, as one editing session.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { type NpmProcess, startNpm } from '../helpers/npm';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { AWS_CLI_ENV, awsCli, cleanUp, curlPost, inParallel, type Response } from './harness';

const READY = 'Ready on ';
/** The first line of every block a save prints. */
const BLOCK = /^\d\d:\d\d:\d\d\.\d{3} (Reloaded|Not reloaded|No change)[^\n]*\n(?: {2}[^\n]*\n)*/m;

let checkout: UserCheckout;
let run: NpmProcess | undefined;
let api = '';
let dynamodbEndpoint = '';
/** How much of the server's output the blocks read so far cover. */
let seen = 0;

beforeAll(async () => {
  checkout = userCheckout('watch');
  const [port, dynamodbPort] = [await freePort(), await freePort()];
  run = startNpm(checkout.dir, 'start', ['--watch'], { env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) } });
  await run.waitFor(READY);
  seen = run.output().length;
  api = `http://127.0.0.1:${port}/prod/DynamoDBManager`;
  dynamodbEndpoint = `http://127.0.0.1:${dynamodbPort}`;
}, 180_000);

if (!awsCli) {
  console.warn('!!! No working `aws` on PATH: the tables watch mode creates are NOT checked with the AWS CLI (.ci/run installs it).');
  if (process.env.CI) throw new Error('CI is set but no AWS CLI is on PATH');
}
const withCli = awsCli ? test : test.skip;

afterAll(async () => {
  await run?.stop();
  cleanUp();
  checkout.remove();
});

/** Edits a file of the checkout as an editor saves it: `from`, which must be there, replaced by `to`. */
function save(file: string, from: string, to: string): void {
  const full = path.join(checkout.dir, file);
  const text = fs.readFileSync(full, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  fs.writeFileSync(full, text.replace(from, to));
}

/** The block the server prints for the next save (printed in one write: once its first line is there, so is the rest). */
async function nextBlock(timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = BLOCK.exec(run!.output().slice(seen));
    if (match) {
      seen += match.index + match[0].length;
      return match[0];
    }
    if (Date.now() > deadline) throw new Error(`no block after a save within ${timeoutMs / 1000} s; output since the last one:\n${run!.output().slice(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const post = (operation: string, payload?: unknown) => curlPost(api, JSON.stringify({ operation, tableName: 'lambda-apigateway', payload }));

test('serves the tutorial as npm start does, and says it watches', async () => {
  expect(run!.output()).toContain('Watching main.ts, constructs/ and function/ (and tsconfig.json, package.json, what they import)');
  expect(await post('create', { Item: { id: 'kept', name: 'across reloads' } })).toMatchObject({ status: 200 });
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong"' });
});

test("a save of the handler serves its new code on the same port, and prints the change in Terraform's words with the time from the save", async () => {
  save('function/index.ts', "ping: () => 'pong',", "ping: () => 'pong, edited',");
  const block = await nextBlock();
  expect(block).toMatch(/Reloaded after a change to function\/index\.ts: serving the new version \d+\.\d\d s after the save\.\n/);
  expect(block).toContain('  ~ aws_lambda_function.function (code)\n');
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, edited"' });
}, 120_000);

test("a save of a construct serves the new stack: the stage's throttling, changed in constructs/rest-api.ts", async () => {
  save('constructs/rest-api.ts', '  throttleRateLimit: 100,\n  throttleBurstLimit: 200,', '  throttleRateLimit: 1,\n  throttleBurstLimit: 1,');
  const block = await nextBlock();
  expect(block).toContain('Reloaded after a change to constructs/rest-api.ts');
  expect(block).toContain('  ~ aws_api_gateway_method_settings.throttling (settings)\n');
  const statuses = (await inParallel(4, 4, () => post('ping'))).map((response: Response) => response.status);
  expect(statuses).toContain(429);

  save('constructs/rest-api.ts', '  throttleRateLimit: 1,\n  throttleBurstLimit: 1,', '  throttleRateLimit: 100,\n  throttleBurstLimit: 200,');
  expect(await nextBlock()).toContain('  ~ aws_api_gateway_method_settings.throttling (settings)\n');
}, 120_000);

test('a save with a type error keeps the previous version serving and prints the error once; saving it again says so in one line', async () => {
  save('function/index.ts', "ping: () => 'pong, edited',", "ping: (): number => 'pong, mistyped',");
  const block = await nextBlock();
  expect(block).toContain('Not reloaded after a change to function/index.ts; still serving the previous version:');
  expect(block).toMatch(/ {2}function\/index\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./);
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, edited"' });

  save('function/index.ts', "'pong, mistyped'", "'pong, still mistyped'");
  const again = await nextBlock();
  expect(again).toMatch(/Not reloaded after a change to function\/index\.ts: the same error as above; still serving the previous version\.\n$/);
  expect(run!.output().match(/error TS2322: Type 'string' is not assignable to type 'number'/g)).toHaveLength(1);
}, 120_000);

test('a save with a syntax error keeps the previous version serving; the next good save recovers', async () => {
  save('function/index.ts', "ping: (): number => 'pong, still mistyped',", "ping: () => ('pong, recovered',");
  const block = await nextBlock();
  expect(block).toContain('Not reloaded after a change to function/index.ts; still serving the previous version:');
  // TypeScript's syntax errors are TS1xxx.
  expect(block).toMatch(/ {2}function\/index\.ts\(\d+,\d+\): error TS1\d{3}: /);
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, edited"' });

  save('function/index.ts', "ping: () => ('pong, recovered',", "ping: () => ('pong, recovered'),");
  expect(await nextBlock()).toContain('Reloaded after a change to function/index.ts');
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, recovered"' });
}, 120_000);

test('a save whose response template does not compile (a stack the server cannot serve) keeps the previous version serving, and says which template; reverting it recovers', async () => {
  const template = "responseTemplate: `$input.path('$.errorMessage').substring(${errorClass.length + 2})`,";
  save('function/error-contract.ts', template, template.replace(')`,', ') #if(`,'));
  const block = await nextBlock();
  expect(block).toContain('Not reloaded after a change to function/error-contract.ts; still serving the previous version:');
  expect(block).toMatch(/aws_api_gateway_integration_response\.\w+\.response_templates\["application\/json"\] is not a valid Velocity template/);
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, recovered"' });

  save('function/error-contract.ts', template.replace(')`,', ') #if(`,'), template);
  expect(await nextBlock()).toMatch(/(Reloaded|No change to the stack) after a change to function\/error-contract\.ts/);
}, 120_000);

test('a request in flight across a reload completes on the version it arrived at', async () => {
  save('function/index.ts', "echo: () => 'Success',", "echo: async () => (await new Promise((resolve) => setTimeout(resolve, 6000)), 'Success, slowly'),");
  expect(await nextBlock()).toContain('Reloaded after a change to function/index.ts');

  // Sent before the save; it takes 6 s, a reload over a second (a type check and a synth): the swap comes while it runs.
  let answered = false;
  const slow = post('echo', {}).finally(() => (answered = true));
  save('function/index.ts', "'Success, slowly'", "'Success, slowly, edited'");
  expect(await nextBlock()).toContain('Reloaded after a change to function/index.ts');
  expect(answered).toBe(false);
  expect(await slow).toMatchObject({ status: 200, body: '"Success, slowly"' });
  expect(await post('echo', {})).toMatchObject({ status: 200, body: '"Success, slowly, edited"' });
}, 120_000);

/** `aws dynamodb <args>` against the embedded DynamoDB, as a user runs it; its JSON answer. */
function dynamodb(...args: string[]): Record<string, unknown> {
  const run = spawnSync('aws', ['dynamodb', ...args, '--endpoint-url', dynamodbEndpoint, '--output', 'json'], {
    env: { ...process.env, ...AWS_CLI_ENV },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`aws dynamodb ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout.trim() ? (JSON.parse(run.stdout) as Record<string, unknown>) : {};
}

const keySchema = (table: string) => (dynamodb('describe-table', '--table-name', table).Table as { KeySchema: unknown }).KeySchema;

/** A second table, added to the stack as a user would: its Terraform address is aws_dynamodb_table.audit. */
const AUDIT_TABLE = `
    const audit = new DynamodbTable(this, 'audit', {
      name: 'audit-log',
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'at',
      attribute: [{ name: 'at', type: 'S' }],
    });
    audit.overrideLogicalId('audit');
`;
const STACK = 'constructs/lambda-apigateway-stack.ts';
const AUDIT_KEY = "hashKey: 'at',\n      attribute: [{ name: 'at', type: 'S' }],";
const AUDIT_KEY_RENAMED = "hashKey: 'when',\n      attribute: [{ name: 'when', type: 'S' }],";

withCli("a save that adds a table creates it in the embedded DynamoDB, prints it in Terraform's words, and leaves the other table's data as it was", async () => {
  save(STACK, "import { AwsProvider } from '@cdktf/provider-aws/lib/provider';", "import { AwsProvider } from '@cdktf/provider-aws/lib/provider';\nimport { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';");
  save(STACK, '    const handler = new HandlerFunction(', `${AUDIT_TABLE}\n    const handler = new HandlerFunction(`);
  const block = await nextBlock();
  expect(block).toContain(`Reloaded after a change to ${STACK}`);
  expect(block).toContain('  + aws_dynamodb_table.audit\n');
  expect(block).toContain('  The embedded DynamoDB created table audit-log.\n');

  expect((dynamodb('list-tables').TableNames as string[]).sort()).toEqual(['audit-log', 'lambda-apigateway']);
  expect(keySchema('audit-log')).toEqual([{ AttributeName: 'at', KeyType: 'HASH' }]);
  dynamodb('put-item', '--table-name', 'audit-log', '--item', '{"at":{"S":"05:00"},"what":{"S":"kept"}}');
  expect(await post('read', { Key: { id: 'kept' } })).toMatchObject({ status: 200, body: JSON.stringify({ Item: { id: 'kept', name: 'across reloads' } }) });
}, 120_000);

withCli("a save that changes a table's key is refused with how to delete the table; the previous version keeps serving, the data stays, and saving the key back recovers", async () => {
  save(STACK, AUDIT_KEY, AUDIT_KEY_RENAMED);
  const block = await nextBlock();
  expect(block).toContain(`Not reloaded after a change to ${STACK}; still serving the previous version:`);
  expect(block).toContain('The table audit-log in the embedded DynamoDB has');
  expect(block).toContain(`delete it (aws dynamodb delete-table --table-name audit-log --endpoint-url ${dynamodbEndpoint}), then save again; or keep its keys.`);
  expect(keySchema('audit-log')).toEqual([{ AttributeName: 'at', KeyType: 'HASH' }]);
  expect(dynamodb('get-item', '--table-name', 'audit-log', '--key', '{"at":{"S":"05:00"}}').Item).toEqual({ at: { S: '05:00' }, what: { S: 'kept' } });
  expect(await post('ping')).toMatchObject({ status: 200, body: '"pong, recovered"' });

  save(STACK, AUDIT_KEY_RENAMED, AUDIT_KEY);
  expect(await nextBlock()).toMatch(/No change to the stack after a change to constructs\/lambda-apigateway-stack\.ts: serving it as before\.\n$/);
  expect(dynamodb('get-item', '--table-name', 'audit-log', '--key', '{"at":{"S":"05:00"}}').Item).toEqual({ at: { S: '05:00' }, what: { S: 'kept' } });
}, 120_000);

withCli('a table whose key changed is served with its new key once deleted with the command the refusal prints, and the file is saved again', async () => {
  save(STACK, AUDIT_KEY, AUDIT_KEY_RENAMED);
  const block = await nextBlock();
  const command = /\(aws dynamodb delete-table [^)]*\)/.exec(block)?.[0].slice(1, -1);
  expect(command).toBeDefined();
  const deleted = spawnSync('sh', ['-c', command!], { env: { ...process.env, ...AWS_CLI_ENV }, encoding: 'utf8', timeout: 60_000 });
  expect(deleted).toMatchObject({ status: 0, stderr: '' });

  // Saved again as it is (an editor's save of an unchanged file writes it anew).
  const file = path.join(checkout.dir, STACK);
  fs.writeFileSync(file, fs.readFileSync(file));
  const reloaded = await nextBlock();
  expect(reloaded).toContain(`Reloaded after a change to ${STACK}`);
  expect(reloaded).toContain('  ~ aws_dynamodb_table.audit');
  expect(reloaded).toContain('  The embedded DynamoDB created table audit-log.\n');
  expect(keySchema('audit-log')).toEqual([{ AttributeName: 'when', KeyType: 'HASH' }]);
}, 120_000);

test("DynamoDB's data stays across every reload", async () => {
  expect(await post('read', { Key: { id: 'kept' } })).toMatchObject({ status: 200, body: JSON.stringify({ Item: { id: 'kept', name: 'across reloads' } }) });
});
