/**
 * API Gateway and Lambda behaviour the tutorial's stack does not exercise, served
 * from a hand-written stack with a test-only function (./fixture-stack): timeouts,
 * proxy integrations, mapping templates, permissions, throttling.
 */
import { cleanUp, request, type RunningServer, startServer } from './harness';
import { writeFixtureStack } from './fixture-stack';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ env: { STACK_DIR: writeFixtureStack() }, args: ['--in-memory'] });
});

afterAll(async () => {
  await server?.stop();
  cleanUp();
});

const post = (path: string, event: unknown) => request(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(event) });
const invoke = (event: unknown) => request(`${server.url}/2015-03-31/functions/Fixture/invocations`, { method: 'POST', body: JSON.stringify(event) });

test("an integration slower than the stack's timeout_milliseconds answers 504", async () => {
  const started = Date.now();
  const response = await post('/prod/slow', { sleepMs: 900 });
  expect(response).toMatchObject({ status: 504, body: '{"message":"Endpoint request timed out"}' });
  expect(Date.now() - started).toBeLessThan(900);
});

test('a function running past its timeout fails as Lambda fails it, and the next invocation gets a fresh environment', async () => {
  const slow = await invoke({ sleepMs: 1500 });
  expect(slow.status).toBe(200);
  expect(slow.headers['x-amz-function-error']).toBe('Unhandled');
  expect(JSON.parse(slow.body)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });

  // A handler stuck in a loop cannot be interrupted from within; its environment is discarded.
  const stuck = await invoke({ spin: true });
  expect(JSON.parse(stuck.body).errorType).toBe('Sandbox.Timedout');
  const after = await invoke({ hello: 1 });
  expect(JSON.parse(after.body)).toMatchObject({ event: { hello: 1 }, functionName: 'Fixture' });
  expect(JSON.parse(after.body).remainingMs).toBeGreaterThan(500);
});

test("the function gets the stack's environment with references resolved, the provider's region and the local DynamoDB, nothing of the host's", async () => {
  const env = JSON.parse((await invoke({ env: true })).body);
  expect(env).toEqual({
    GREETING: 'hello',
    API_URL: `${server.url}/prod`,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${server.dynamodbPort}`,
    HOME: null,
  });
});

test('an AWS_PROXY integration hands the function the request and answers what it returns; a malformed answer is a 502', async () => {
  const response = await request(`${server.url}/prod/items/a%20b?color=red`, { method: 'PUT', body: 'raw text' });
  expect(response.status).toBe(201);
  expect(response.headers['x-proxied']).toBe('/items/a%20b');
  expect(JSON.parse(response.body)).toEqual({
    resource: '/items/{item}',
    pathParameters: { item: 'a b' },
    query: { color: 'red' },
    body: 'raw text',
    stage: 'prod',
  });
  const malformed = await request(`${server.url}/prod/items/x`, { method: 'POST', body: '{}', headers: { 'x-malformed': '1' } });
  expect(malformed).toMatchObject({ status: 502, body: '{"message":"Internal server error"}' });
  const failed = await request(`${server.url}/prod/items/x`, { headers: { 'x-fail': '1' } });
  expect(failed).toMatchObject({ status: 502, body: '{"message":"Internal server error"}' });
});

test('request and response mapping templates run as Velocity with $input, $util and $context; NEVER passthrough refuses other content types with 415', async () => {
  const response = await request(`${server.url}/prod/templated?name=Bob%20Smith`);
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ hello: 'Bob Smith', stage: 'prod' });

  const unmatched = await request(`${server.url}/prod/templated?name=x`, { headers: { 'content-type': 'text/plain' } });
  expect(unmatched).toMatchObject({ status: 415, body: '{"message":"Unsupported Media Type"}' });
});

test('a function error is mapped by the matching selection pattern; with none matching, the default response passes the error object with 200', async () => {
  const teapot = await post('/prod/slow', { fail: 'teapot: no coffee' });
  expect(teapot.status).toBe(418);
  expect(teapot.headers['x-brew']).toBe('tea');
  expect(JSON.parse(teapot.body)).toEqual({ teapot: 'teapot: no coffee' });

  const unmatched = await post('/prod/slow', { fail: 'boom' });
  expect(unmatched.status).toBe(200);
  expect(JSON.parse(unmatched.body)).toMatchObject({ errorType: 'Error', errorMessage: 'boom' });
});

test('a route no Lambda permission covers answers 500, as in AWS, and startup says why', async () => {
  expect(await post('/prod/unpermitted', {})).toMatchObject({ status: 500, body: '{"message":"Internal server error"}' });
  expect(server.output()).toMatch(/POST \/prod\/unpermitted: no aws_lambda_permission lets API Gateway invoke Fixture/);
});

test("a stage's throttling answers 429 beyond its burst, and leaves other stages alone", async () => {
  const statuses = await Promise.all(Array.from({ length: 5 }, () => post('/limited/slow', { n: 1 }).then((r) => r.status)));
  expect(statuses.filter((status) => status === 200)).toHaveLength(2);
  expect(statuses.filter((status) => status === 429)).toHaveLength(3);
  const throttled = await post('/limited/slow', {});
  expect(throttled).toMatchObject({ status: 429, body: '{"message":"Too Many Requests"}' });
  expect((await post('/prod/slow', {})).status).toBe(200);
});
