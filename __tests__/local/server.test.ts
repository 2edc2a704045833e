/**
 * `npm start`'s server, over real HTTP, serving the stack as `npm run synth` makes
 * it: the tutorial's requests, API Gateway's and Lambda's answers, the embedded
 * DynamoDB.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AWS_CLI_ENV,
  awsCli,
  curlPost,
  cleanUp,
  inParallel,
  postJson,
  request,
  ROOT,
  type RunningServer,
  startServer,
  synthesize,
  tempDir,
} from './harness';
import { waitUntil } from '../helpers/processes';

const TABLE = 'lambda-apigateway';
let server: RunningServer;
let api: string;

beforeAll(async () => {
  // Throttling raised, so that this suite's bursts measure the server, not the stage's limits (tested elsewhere).
  const outDir = synthesize({ API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
  // Started as from the project's root, whose paths the banner prints relative to.
  server = await startServer({ env: { CDKTF_OUTDIR: outDir, INIT_CWD: ROOT }, args: ['--in-memory'] });
  api = `${server.url}/prod/DynamoDBManager`;
});

afterAll(async () => {
  await server?.stop();
  cleanUp();
});

describe('the tutorial, in its curl form (no Content-Type of its own: curl says form-urlencoded)', () => {
  test('create answers 200 {} and read returns the item', async () => {
    const created = await curlPost(api, `{"operation":"create","tableName":"${TABLE}","payload":{"Item":{"id":"1","name":"Bob"}}}`);
    expect(created).toMatchObject({ status: 200, body: '{}' });
    expect(created.headers['content-type']).toBe('application/json');

    const read = await curlPost(api, `{"operation":"read","tableName":"${TABLE}","payload":{"Key":{"id":"1"}}}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual({ Item: { id: '1', name: 'Bob' } });
  });

  test('echo answers the JSON string "Success", ping the JSON string "pong", quotes included', async () => {
    const echo = await curlPost(api, '{"operation":"echo","payload":{"somekey1":"somevalue1","somekey2":"somevalue2"}}');
    expect(echo).toMatchObject({ status: 200, body: '"Success"' });
    expect(await curlPost(api, '{"operation":"ping"}')).toMatchObject({ status: 200, body: '"pong"' });
  });

  test('update and delete change the item; list sees what is there', async () => {
    await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"u1","n":1}}}');
    const updated = await curlPost(
      api,
      '{"operation":"update","payload":{"Key":{"id":"u1"},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":2},"ReturnValues":"ALL_NEW"}}',
    );
    expect(JSON.parse(updated.body)).toEqual({ Attributes: { id: 'u1', n: 2 } });
    expect((await curlPost(api, '{"operation":"delete","payload":{"Key":{"id":"u1"}}}')).status).toBe(200);
    const listed = JSON.parse((await curlPost(api, '{"operation":"list"}')).body) as { Items: { id: string }[] };
    expect(listed.Items.map((item) => item.id)).not.toContain('u1');
  });
});

describe('errors, as API Gateway answers them', () => {
  test('a body that is not JSON answers 400 "Could not parse request body into json"', async () => {
    const response = await curlPost(api, 'operation=ping');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/^Could not parse request body into json: /);
  });

  test("the handler's error classes become the stack's statuses, with the handler's message as the body", async () => {
    const badRequest = await curlPost(api, '{"operation":"drop"}');
    expect(badRequest.status).toBe(400);
    expect(JSON.parse(badRequest.body).message).toMatch(/^Unknown operation: drop/);

    const forbidden = await curlPost(api, '{"operation":"read","tableName":"other-table","payload":{"Key":{"id":"1"}}}');
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body).message).toMatch(/other-table/);

    await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"c1"}}}');
    const conflict = await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"c1"},"ConditionExpression":"attribute_not_exists(id)"}}');
    expect(conflict.status).toBe(409);
    expect(Object.keys(JSON.parse(conflict.body))).toEqual(['message']);
  });

  test("with Content-Type application/json the stack's request model rejects a bad body before the function runs", async () => {
    const response = await postJson(api, { operation: 'drop' });
    expect(response).toMatchObject({ status: 400, body: '{"message":"Invalid request body"}' });
    const notJson = await request(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson).toMatchObject({ status: 400, body: '{"message":"Invalid request body"}' });
    expect((await postJson(api, { operation: 'ping' })).body).toBe('"pong"');
  });

  test('an unknown path, stage or method answers 403 Missing Authentication Token', async () => {
    const missing = '{"message":"Missing Authentication Token"}';
    for (const [method, url] of [
      ['POST', `${server.url}/prod/Nothing`],
      ['POST', `${server.url}/dev/DynamoDBManager`],
      ['POST', `${server.url}/DynamoDBManager`],
      ['GET', api],
      ['DELETE', api],
      // (GET / is the console page: __tests__/local/console-page.test.ts.)
      ['POST', `${server.url}/`],
    ]) {
      const response = await request(url, { method, body: '{}' });
      expect({ method, url, status: response.status, body: response.body }).toEqual({ method, url, status: 403, body: missing });
      expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    }
  });

  test('a body over 10 MB answers 413, and one of exactly 10 MB reaches the function', async () => {
    const tooLarge = await curlPost(api, 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(tooLarge).toMatchObject({ status: 413, body: '{"message":"Request Too Long"}' });
    // 10 MB passes API Gateway; Lambda then refuses anything over 6 MB, which API Gateway reports as a 500.
    const atLimit = await curlPost(api, `"${'x'.repeat(10 * 1024 * 1024 - 2)}"`);
    expect(atLimit).toMatchObject({ status: 500, body: '{"message":"Internal server error"}' });
  });
});

describe('the Lambda invoke API on the same port', () => {
  const invokeUrl = (name: string) => `${server.url}/2015-03-31/functions/${name}/invocations`;
  // What the AWS CLI sends for `aws lambda invoke --payload fileb://input.txt`.
  const cliHeaders = { 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': 'None', authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/us-east-2/lambda/aws4_request, SignedHeaders=host, Signature=0' };

  test("returns the function's result, by name or by ARN", async () => {
    const echo = '{"operation":"echo","payload":{"somekey1":"somevalue1","somekey2":"somevalue2"}}';
    const byName = await request(invokeUrl('LambdaFunctionOverHttps'), { method: 'POST', headers: cliHeaders, body: echo });
    expect(byName).toMatchObject({ status: 200, body: '"Success"' });
    expect(byName.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(byName.headers['x-amz-function-error']).toBeUndefined();
    const arn = encodeURIComponent('arn:aws:lambda:us-east-2:000000000000:function:LambdaFunctionOverHttps');
    expect((await request(invokeUrl(arn), { method: 'POST', headers: cliHeaders, body: '{"operation":"ping"}' })).body).toBe('"pong"');
  });

  test('a function error answers 200 with X-Amz-Function-Error: Unhandled and the error object', async () => {
    const response = await request(invokeUrl('LambdaFunctionOverHttps'), { method: 'POST', headers: cliHeaders, body: '{"operation":"drop"}' });
    expect(response.status).toBe(200);
    expect(response.headers['x-amz-function-error']).toBe('Unhandled');
    const error = JSON.parse(response.body);
    expect(Object.keys(error)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(error.errorMessage).toMatch(/Unknown operation: drop/);
  });

  test('an unknown function answers 404 ResourceNotFoundException, as Lambda does', async () => {
    const response = await request(invokeUrl('NoSuchFunction'), { method: 'POST', headers: cliHeaders, body: '{}' });
    expect(response.status).toBe(404);
    expect(response.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(response.body)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-2:000000000000:function:NoSuchFunction' });
  });

  test('a payload that is not JSON answers 400 InvalidRequestContentException', async () => {
    const response = await request(invokeUrl('LambdaFunctionOverHttps'), { method: 'POST', headers: cliHeaders, body: 'nope' });
    expect(response.status).toBe(400);
    expect(response.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
  });

  if (!awsCli) {
    console.warn('!!! No working `aws` on PATH: the AWS CLI itself is NOT run against the server (.ci/run installs it).');
    if (process.env.CI) throw new Error('CI is set but no AWS CLI is on PATH');
  }
  (awsCli ? test : test.skip)("the tutorial's `aws lambda invoke` works verbatim against the server, and `aws dynamodb scan` against its DynamoDB", async () => {
    await curlPost(api, `{"operation":"create","tableName":"${TABLE}","payload":{"Item":{"id":"1","name":"Bob"}}}`);
    const dir = tempDir('cli');
    fs.writeFileSync(path.join(dir, 'input.txt'), '{\n    "operation": "echo",\n    "payload": {\n        "somekey1": "somevalue1",\n        "somekey2": "somevalue2"\n    }\n}\n');
    const env = { ...process.env, ...AWS_CLI_ENV };
    const invoke = spawnSync(
      'aws',
      ['lambda', 'invoke', '--endpoint-url', server.url, '--function-name', 'LambdaFunctionOverHttps', '--payload', 'fileb://input.txt', 'outputfile.txt'],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expect(invoke.stderr).toBe('');
    expect(JSON.parse(invoke.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(fs.readFileSync(path.join(dir, 'outputfile.txt'), 'utf8')).toBe('"Success"');

    const scan = spawnSync('aws', ['dynamodb', 'scan', '--table-name', TABLE, '--endpoint-url', `http://127.0.0.1:${server.dynamodbPort}`], { env, encoding: 'utf8' });
    expect(scan.status).toBe(0);
    expect(JSON.parse(scan.stdout).Items).toContainEqual({ id: { S: '1' }, name: { S: 'Bob' } });
  });
});

describe('load and output', () => {
  test('200 creates at concurrency 32 all land', async () => {
    const statuses = await inParallel(200, 32, (i) =>
      curlPost(api, JSON.stringify({ operation: 'create', payload: { Item: { id: `load-${i}`, i } } })).then((r) => r.status),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const listed = JSON.parse((await curlPost(api, '{"operation":"list"}')).body) as { Items: { id: string }[] };
    const loaded = listed.Items.filter((item) => item.id.startsWith('load-'));
    expect(loaded).toHaveLength(200);
  });

  test("64 concurrent 5 MB echo requests (each under Lambda's 6 MB limit) all succeed, while another client is served and no data changes", async () => {
    await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"kept","name":"Kept"}}}');
    const ids = async () => ((JSON.parse((await curlPost(api, '{"operation":"list"}')).body) as { Items: { id: string }[] }).Items.map((item) => item.id).sort());
    const before = await ids();
    const echo = JSON.stringify({ operation: 'echo', payload: { blob: 'x'.repeat(5 * 1024 * 1024) } });
    const burst = Promise.all(Array.from({ length: 64 }, () => curlPost(api, echo)));
    // Another client, on connections of its own, while the burst is in flight.
    const other = await fetch(api, { method: 'POST', body: '{"operation":"read","payload":{"Key":{"id":"kept"}}}' });
    expect({ status: other.status, body: await other.json() }).toEqual({ status: 200, body: { Item: { id: 'kept', name: 'Kept' } } });
    expect((await burst).map((response) => `${response.status} ${response.body}`)).toEqual(Array(64).fill('200 "Success"'));
    expect(await ids()).toEqual(before);
  });

  test("startup prints the URLs and the tutorial's requests for localhost; each request gets an access-log line", async () => {
    const output = server.output();
    expect(output).toContain(`POST   ${api}`);
    expect(output).toContain(`curl -X POST -d "{\\"operation\\":\\"create\\",\\"tableName\\":\\"${TABLE}\\"`);
    expect(output).toContain(
      `AWS_DEFAULT_REGION=us-east-2 aws lambda invoke --endpoint-url ${server.url} --function-name LambdaFunctionOverHttps --payload fileb://events/echo.json outputfile.txt`,
    );
    expect(output).toContain(`AWS_DEFAULT_REGION=us-east-2 aws dynamodb scan --table-name ${TABLE} --endpoint-url http://127.0.0.1:${server.dynamodbPort}`);
    // A query string of this test's own tells its requests' lines from earlier tests' (which may still be on their way).
    const requestPath = `/prod/DynamoDBManager?logged=${randomUUID()}`;
    await curlPost(`${server.url}${requestPath}`, '{"operation":"ping"}');
    await request(`${server.url}${requestPath}`, { method: 'GET' });
    const logged = (method: string, status: number) =>
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${method} ${requestPath.replace('?', '\\?')} ${status} \\d+\\.\\d ms$`, 'm');
    // Access-log lines are written once per turn of the server's event loop, after the answers.
    await waitUntil(() => logged('POST', 200).test(server.output()) && logged('GET', 403).test(server.output()), 10_000, 'an access-log line for each request');
  });
});
