/**
 * What API Gateway did, step by step, as a user asks for it of the local server:
 * the tutorial's console test through the real AWS CLI (`aws apigateway
 * test-invoke-method` with the ids the banner prints), answered with status, body,
 * headers, latency and API Gateway's execution log; `aws lambda invoke --log-type
 * Tail`'s LogResult; `npm start -- --verbose` printing the log of every request;
 * and the console page's endpoints, which answer its own page only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AWS_CLI_ENV, awsCli, cleanUp, curlPost, failedStart, request, type RunningServer, startServer, synthesize, tempDir } from './harness';
import { freePort } from '../../scripts/support/free-port';

const STACK_PATH = path.join('stacks', 'lambda-apigateway');
const THROTTLE = { API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' };

let openStack: string;
let server: RunningServer;
let keyServer: RunningServer;
let stageOnlyServer: RunningServer;
let corsServer: RunningServer;
const ORIGIN = 'https://app.example.com';

if (!awsCli) {
  console.warn('!!! No working `aws` on PATH: the AWS CLI tests of TestInvokeMethod and LogResult are NOT run (.ci/run installs it).');
  if (process.env.CI) throw new Error('CI is set but no AWS CLI is on PATH');
}

beforeAll(async () => {
  openStack = synthesize(THROTTLE);
  const keyStack = synthesize({ ...THROTTLE, API_AUTHORIZATION: 'API_KEY' });
  // The tutorial's stack without its "any stage" permission: a test invoke runs in a stage no permission covers.
  const stageOnly = path.join(tempDir('stage-only'), 'stack');
  fs.cpSync(path.join(openStack, STACK_PATH), stageOnly, { recursive: true });
  const document = JSON.parse(fs.readFileSync(path.join(stageOnly, 'cdk.tf.json'), 'utf8'));
  delete document.resource.aws_lambda_permission.api_test_invoke;
  fs.writeFileSync(path.join(stageOnly, 'cdk.tf.json'), JSON.stringify(document));
  [server, keyServer, stageOnlyServer, corsServer] = await Promise.all([
    startServer({ env: { CDKTF_OUTDIR: openStack }, args: ['--in-memory', '--verbose'] }),
    startServer({ env: { CDKTF_OUTDIR: keyStack }, args: ['--in-memory'] }),
    startServer({ env: { STACK_DIR: stageOnly }, args: ['--in-memory'] }),
    startServer({ env: { CDKTF_OUTDIR: synthesize({ ...THROTTLE, API_CORS_ORIGINS: ORIGIN }) }, args: ['--in-memory', '--verbose'] }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([server, keyServer, stageOnlyServer, corsServer].map((s) => s?.stop()));
  cleanUp();
});

/** The test invoke command the banner prints, its arguments as printed. */
function bannerTestInvoke(running: RunningServer): string[] {
  const line = running.output().split('\n').find((l) => l.includes(' aws apigateway test-invoke-method '));
  if (!line) throw new Error(`the banner prints no test-invoke-method command:\n${running.output()}`);
  const words = line.trim().split(' ');
  return words.slice(words.indexOf('apigateway'), words.indexOf('--body'));
}

function aws(args: string[]) {
  const run = spawnSync('aws', args, { env: { ...process.env, ...AWS_CLI_ENV }, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The execution log's lines without their dates, which TestInvokeMethod puts before each. */
function logLines(log: string): string[] {
  return log.trimEnd().split('\n').map((line) => line.replace(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : /, ''));
}

const maybe = awsCli ? describe : describe.skip;

maybe("the tutorial's console test through the AWS CLI (aws apigateway test-invoke-method)", () => {
  test('ping: status, body, headers, latency and the execution log, step by step, with the ids the banner prints', () => {
    const run = aws([...bannerTestInvoke(server), '--body', '{"operation":"ping"}']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ status: 200, body: '"pong"', headers: { 'Content-Type': 'application/json' }, multiValueHeaders: { 'Content-Type': ['application/json'] } });
    expect(answer.latency).toEqual(expect.any(Number));
    const lines = logLines(answer.log);
    const requestId = /^Execution log for request (\S+)$/.exec(lines[0])?.[1];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.log).toMatch(/^Execution log for request \S+\n(\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : .+\n)+$/);
    const lambda = 'https://lambda.us-east-2.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-2:000000000000:function:LambdaFunctionOverHttps/invocations';
    expect(lines).toEqual([
      `Execution log for request ${requestId}`,
      `Starting execution for request: ${requestId}`,
      'HTTP Method: POST, Resource Path: /DynamoDBManager',
      'Method request path: {}',
      'Method request query string: {}',
      'Method request headers: {}',
      'Method request body before transformations: {"operation":"ping"}',
      `Endpoint request URI: ${lambda}`,
      expect.stringMatching(/^Endpoint request headers: \{x-amzn-lambda-integration-tag=.*X-Amz-Source-Arn=arn:aws:execute-api:us-east-2:000000000000:\w+\/test-invoke-stage\/POST\/DynamoDBManager\}$/),
      'Endpoint request body after transformations: {"operation":"ping"}',
      `Sending request to ${lambda}`,
      expect.stringMatching(/^Received response\. Status: 200, Integration latency: \d+ ms$/),
      expect.stringMatching(/^Endpoint response headers: \{Date=.*, x-amzn-RequestId=[0-9a-f-]{36}, X-Amz-Executed-Version=\$LATEST\}$/),
      'Endpoint response body before transformations: "pong"',
      'Method response body after transformations: "pong"',
      'Method response headers: {content-type=application/json}',
      'Successfully completed execution',
      'Method completed with status: 200',
    ]);
  });

  test("a function error: the selection pattern that matched, the response template's body, the status it mapped to", () => {
    const run = aws([...bannerTestInvoke(server), '--body', '{"operation":"create","payload":{"Item":{"name":"no id"}}}']);
    expect(run.status).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ message: "payload.Item.id must be a non-empty string, the table's key; got nothing." });
    const lines = logLines(answer.log);
    expect(lines).toContainEqual(expect.stringMatching(/^Endpoint response headers: \{.*X-Amz-Function-Error=Unhandled.*\}$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Endpoint response body before transformations: \{"errorType":"BadRequestError","errorMessage":"BadRequest: /));
    expect(lines).toContainEqual(expect.stringMatching(/^Function error "BadRequest: .*" matched selection pattern "BadRequest: \[\{\]\.\*": integration response 400$/));
    expect(lines).toContainEqual(`Method response body after transformations: ${answer.body}`);
    expect(lines.slice(-2)).toEqual(['Successfully completed execution', 'Method completed with status: 400']);
  });

  test('a body the request model refuses: the gateway response, and the function never runs', () => {
    const answer = JSON.parse(aws([...bannerTestInvoke(server), '--body', '{"operation":"drop"}']).stdout);
    expect(answer).toMatchObject({ status: 400, body: '{"message":"Invalid request body"}' });
    const lines = logLines(answer.log);
    expect(lines.slice(-5)).toEqual([
      'Request body does not match model schema for content type application/json',
      'Gateway response type: BAD_REQUEST_BODY with status code: 400',
      'Gateway response body: {"message":"Invalid request body"}',
      'Gateway response headers: {content-type=application/json, x-amzn-errortype=BadRequestException}',
      'Method completed with status: 400',
    ]);
    expect(lines.some((line) => line.startsWith('Sending request'))).toBe(false);
  });

  test("ids the API does not have: API Gateway's NotFoundException, naming what is wrong", () => {
    const [, , , , apiFlag, apiId, resourceFlag, resourceId] = bannerTestInvoke(server);
    const base = ['apigateway', 'test-invoke-method', '--endpoint-url', server.url];
    expect(aws([...base, apiFlag, 'nosuchapi0', resourceFlag, resourceId, '--http-method', 'POST']).stderr).toContain(
      'An error occurred (NotFoundException) when calling the TestInvokeMethod operation: Invalid API identifier specified 000000000000:nosuchapi0',
    );
    expect(aws([...base, apiFlag, apiId, resourceFlag, 'nosuchres0', '--http-method', 'POST']).stderr).toContain('(NotFoundException) when calling the TestInvokeMethod operation: Invalid Resource identifier specified');
    expect(aws([...base, apiFlag, apiId, resourceFlag, resourceId, '--http-method', 'GET']).stderr).toContain('(NotFoundException) when calling the TestInvokeMethod operation: Invalid Method identifier specified');
  });

  test('a stack whose only permission is for its stage: the test invoke answers 500, as in AWS, and the log says why', async () => {
    const answer = JSON.parse(aws([...bannerTestInvoke(stageOnlyServer), '--body', '{"operation":"ping"}']).stdout);
    expect(answer).toMatchObject({ status: 500, body: '{"message":"Internal server error"}' });
    expect(logLines(answer.log)).toContain('Execution failed due to configuration error: Invalid permissions on Lambda function');
    // The stage itself still works: its permission covers it.
    expect((await curlPost(`${stageOnlyServer.url}/prod/DynamoDBManager`, '{"operation":"ping"}')).body).toBe('"pong"');
  });

  test('with API_AUTHORIZATION=API_KEY a test invoke needs no key but a signature: the CLI signs it; unsigned, it is refused', async () => {
    const answer = JSON.parse(aws([...bannerTestInvoke(keyServer), '--body', '{"operation":"ping"}']).stdout);
    expect(answer).toMatchObject({ status: 200, body: '"pong"' });
    const [, , , , , apiId, , resourceId] = bannerTestInvoke(keyServer);
    const unsigned = await curlPost(`${keyServer.url}/restapis/${apiId}/resources/${resourceId}/methods/POST`, '{"body":"{\\"operation\\":\\"ping\\"}"}');
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
  });

  test("with API_CORS_ORIGINS, the preflight's MOCK integration: API Gateway answers by itself, the log goes from method request to method response", () => {
    const args = bannerTestInvoke(corsServer);
    args[args.indexOf('--http-method') + 1] = 'OPTIONS';
    const run = aws([...args, '--headers', `Origin=${ORIGIN}`]);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ status: 200, body: '', headers: { 'Access-Control-Allow-Origin': ORIGIN } });
    const lines = logLines(answer.log);
    expect(lines.slice(2, 8)).toEqual([
      'HTTP Method: OPTIONS, Resource Path: /DynamoDBManager',
      'Method request path: {}',
      'Method request query string: {}',
      `Method request headers: {Origin=${ORIGIN}}`,
      'Method request body before transformations: ',
      'Method response body after transformations: ',
    ]);
    expect(lines[8]).toMatch(new RegExp(`^Method response headers: \\{.*Access-Control-Allow-Origin=${ORIGIN}.*\\}$`, 'i'));
    expect(lines.slice(9)).toEqual(['Successfully completed execution', 'Method completed with status: 200']);
    expect(lines.some((line) => line.startsWith('Endpoint request'))).toBe(false);
  });

  test("aws lambda invoke --log-type Tail: LogResult is the invocation's log as Lambda files it, base64", () => {
    const output = path.join(tempDir('tail'), 'out.json');
    const run = spawnSync(
      'sh',
      ['-c', `aws lambda invoke --endpoint-url ${server.url} --function-name LambdaFunctionOverHttps --payload '{"operation":"ping"}' --log-type Tail --query LogResult --output text ${output} | base64 -d`],
      { env: { ...process.env, ...AWS_CLI_ENV }, encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    expect(fs.readFileSync(output, 'utf8')).toBe('"pong"');
    const records = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    const requestId = records[0].record.requestId;
    // The stack's JSON log format: Lambda's start and report records around the function's own.
    expect(records).toEqual([
      { time: expect.any(String), type: 'platform.start', record: { requestId, functionArn: 'arn:aws:lambda:us-east-2:000000000000:function:LambdaFunctionOverHttps', version: '$LATEST' } },
      expect.objectContaining({ level: 'INFO', requestId, message: expect.objectContaining({ operation: 'ping', outcome: 'Success' }) }),
      {
        time: expect.any(String),
        type: 'platform.report',
        record: {
          requestId,
          metrics: expect.objectContaining({ durationMs: expect.any(Number), billedDurationMs: expect.any(Number), memorySizeMB: 256, maxMemoryUsedMB: expect.any(Number) }),
          status: 'success',
        },
      },
    ]);
  });
});

test('--verbose prints the execution log of each REST API request, before its access-log line', async () => {
  const response = await curlPost(`${server.url}/prod/DynamoDBManager`, '{"operation":"echo","payload":{"verbose":"yes"}}');
  expect(response.body).toBe('"Success"');
  const requestId = response.headers['x-amzn-requestid'] as string;
  const deadline = Date.now() + 10_000;
  while (!server.output().includes('POST /prod/DynamoDBManager 200') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const lines = server.output().split('\n').filter((line) => line.startsWith(`(${requestId}) `));
  expect(lines[0]).toBe(`(${requestId}) Starting execution for request: ${requestId}`);
  expect(lines).toContain(`(${requestId}) Method request body before transformations: {"operation":"echo","payload":{"verbose":"yes"}}`);
  expect(lines).toContain(`(${requestId}) Endpoint response body before transformations: "Success"`);
  expect(lines.at(-1)).toBe(`(${requestId}) Method completed with status: 200`);
  const output = server.output();
  expect(output.indexOf(`(${requestId}) Method completed`)).toBeLessThan(output.indexOf('POST /prod/DynamoDBManager 200'));
  // Without --verbose, nothing of the kind.
  await curlPost(`${keyServer.url}/prod/DynamoDBManager`, '{"operation":"ping"}');
  expect(keyServer.output()).not.toContain('Starting execution for request');
});

test("--verbose with API_CORS_ORIGINS: a gateway response's log shows the CORS headers it carries", async () => {
  const response = await request(`${corsServer.url}/prod/DynamoDBManager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: '{"operation":"drop"}',
  });
  expect(response.status).toBe(400);
  const requestId = response.headers['x-amzn-requestid'] as string;
  const deadline = Date.now() + 10_000;
  while (!corsServer.output().includes(`(${requestId}) Method completed`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const lines = corsServer.output().split('\n').filter((line) => line.startsWith(`(${requestId}) `));
  expect(lines).toContain(`(${requestId}) Gateway response type: BAD_REQUEST_BODY with status code: 400`);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\(${requestId}\\) Gateway response headers: \\{.*access-control-allow-origin=${ORIGIN}.*\\}$`)));
  expect(lines.at(-1)).toBe(`(${requestId}) Method completed with status: 400`);
});

describe("the console page's endpoints", () => {
  const post = (running: RunningServer, route: string, body: unknown, headers: Record<string, string> = {}) =>
    request(`${running.url}/_console/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('work whatever the API requires: with API_KEY, a test invoke and a direct invoke answer without a key', async () => {
    const [, , , , , , , resourceId] = bannerTestInvoke(keyServer);
    const viaApi = await post(keyServer, 'test-invoke', { resourceId, httpMethod: 'POST', body: '{"operation":"ping"}' });
    expect(viaApi.status).toBe(200);
    expect(JSON.parse(viaApi.body)).toMatchObject({ status: 200, body: '"pong"', functionLog: expect.stringContaining('"type":"platform.report"') });
    const direct = await post(keyServer, 'invoke', { functionName: 'LambdaFunctionOverHttps', payload: '{"operation":"ping"}' });
    expect(JSON.parse(direct.body)).toMatchObject({ status: 200, payload: '"pong"', log: expect.stringContaining('"type":"platform.start"') });
  });

  test("refuse what a page of another origin, or another host name, sends; and a POST that is not JSON", async () => {
    const ping = { functionName: 'LambdaFunctionOverHttps', payload: '{"operation":"ping"}' };
    const foreign = await post(server, 'invoke', ping, { origin: 'http://evil.example' });
    expect({ status: foreign.status, body: JSON.parse(foreign.body) }).toEqual({
      status: 403,
      body: { message: 'The console answers its own page only, not a page of "http://evil.example".' },
    });
    const rebound = await post(server, 'invoke', ping, { host: `attacker.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).message).toContain('not Host "attacker.example:');
    const crossSite = await post(server, 'invoke', ping, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const form = await request(`${server.url}/_console/api/invoke`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ping) });
    expect(form.status).toBe(415);
    const own = await post(server, 'invoke', ping, { origin: server.url });
    expect(own.status).toBe(200);
  });

  test("the items view reads a page of the table, at most 100 items, and says what is wrong with a bad request", async () => {
    for (const id of ['a', 'b', 'c']) await curlPost(`${server.url}/prod/DynamoDBManager`, JSON.stringify({ operation: 'create', payload: { Item: { id: `items-${id}`, n: 1 } } }));
    const first = JSON.parse((await request(`${server.url}/_console/api/items?limit=2`)).body);
    expect(first).toMatchObject({ table: 'lambda-apigateway', count: 2, next: expect.any(String) });
    const rest = JSON.parse((await request(`${server.url}/_console/api/items?limit=100&start=${first.next}`)).body);
    expect([...first.items, ...rest.items].filter((item: { id: string }) => item.id.startsWith('items-'))).toHaveLength(3);
    const tooMany = await request(`${server.url}/_console/api/items?limit=1000`);
    expect({ status: tooMany.status, body: JSON.parse(tooMany.body) }).toEqual({ status: 400, body: { message: 'limit="1000": give a whole number from 1 to 100.' } });
  });

  test('beyond loopback (HOST=0.0.0.0) the page is not served, and the banner says so', async () => {
    const wide = await startServer({ env: { CDKTF_OUTDIR: openStack, HOST: '0.0.0.0' }, args: ['--in-memory'] });
    try {
      expect(wide.output()).toContain('Console page: not served, since HOST=0.0.0.0 lets other machines reach this port');
      const page = await request(`${wide.url}/`);
      expect({ status: page.status, body: page.body }).toEqual({ status: 403, body: '{"message":"Missing Authentication Token"}' });
      expect((await request(`${wide.url}/_console/api/setup`)).status).toBe(403);
    } finally {
      await wide.stop();
    }
  });
});

test.each(['restapis', '_console'])('a stage named %s is refused at startup: its paths are the local server\'s', async (stage) => {
  const stack = synthesize({ STAGE_NAME: stage });
  const { code, stderr } = await failedStart({ CDKTF_OUTDIR: stack, PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) }, ['--in-memory']);
  expect(code).toBe(1);
  expect(stderr).toContain(`names a stage ${stage}, whose URLs the local server keeps for`);
  expect(stderr).toContain('Rename the stage.');
});
