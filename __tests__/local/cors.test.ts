/**
 * CORS (API_CORS_ORIGINS) as the local server serves it, over real HTTP, from
 * stacks synthesized by the app: the preflight's MOCK integration, the origin
 * check of the response templates ($context.responseOverride), the static
 * headers, and the gateway responses that copy the request's Origin. What a
 * browser then does with these headers is __tests__/local/cors-browser.test.ts.
 */
import { cleanUp, curlPost, request, type Response, type RunningServer, startServer, synthesize } from './harness';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const OTHER = 'https://elsewhere.example';
const API_KEY_HEADERS = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token';

let several: RunningServer;
let any: RunningServer;
let none: RunningServer;

beforeAll(async () => {
  [several, any, none] = await Promise.all([
    startServer({ env: { CDKTF_OUTDIR: synthesize({ API_CORS_ORIGINS: `${APP},${DEV}` }) }, args: ['--in-memory'] }),
    startServer({ env: { CDKTF_OUTDIR: synthesize({ API_CORS_ORIGINS: '*', API_AUTHORIZATION: 'API_KEY' }) }, args: ['--in-memory'] }),
    startServer({ env: { CDKTF_OUTDIR: synthesize() }, args: ['--in-memory'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([several, any, none].map((server) => server?.stop()));
  cleanUp();
});

const endpoint = (server: RunningServer) => `${server.url}/prod/DynamoDBManager`;

/** What a browser sends before a cross-origin POST with Content-Type application/json. */
const preflight = (server: RunningServer, origin: string) =>
  request(endpoint(server), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

/** A cross-origin POST as a browser sends it after the preflight. */
const post = (server: RunningServer, origin: string | undefined, event: unknown, path = '/prod/DynamoDBManager') =>
  request(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin && { origin }) },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });

const corsHeaders = (response: Response) =>
  Object.fromEntries(Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'));

describe('with several origins', () => {
  test('the preflight of a listed origin is answered by the MOCK integration: 200, that origin, the methods and headers, Vary: Origin', async () => {
    for (const origin of [APP, DEV]) {
      const response = await preflight(several, origin);
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: '' });
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'OPTIONS,POST',
        'access-control-allow-headers': API_KEY_HEADERS,
        vary: 'Origin',
      });
    }
    // The function never ran: a preflight is API Gateway's alone.
    expect(several.output()).not.toMatch(/"operation"/);
  });

  test('the preflight of another origin allows no origin, so the browser sends nothing', async () => {
    const response = await preflight(several, OTHER);
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers.vary).toBe('Origin');
  });

  test("the function's answers, success and error, carry the request's Origin when it is listed, and no origin otherwise", async () => {
    const ok = await post(several, DEV, { operation: 'ping' });
    expect(ok).toMatchObject({ status: 200, body: '"pong"' });
    expect(corsHeaders(ok)).toEqual({ 'access-control-allow-origin': DEV, vary: 'Origin' });

    const refused = await post(several, APP, { operation: 'create', payload: {} });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).message).toMatch(/^payload\.Item is missing/);
    expect(corsHeaders(refused)).toEqual({ 'access-control-allow-origin': APP, vary: 'Origin' });

    const foreign = await post(several, OTHER, { operation: 'read', tableName: 'other', payload: { Key: { id: '1' } } });
    expect(foreign.status).toBe(403);
    expect(corsHeaders(foreign)).toEqual({ vary: 'Origin' });
  });

  test("API Gateway's own errors copy the request's Origin, whichever it is: a malformed body, an unknown path", async () => {
    const invalid = await post(several, APP, '{"operation":"drop"}');
    expect(invalid).toMatchObject({ status: 400, body: '{"message":"Invalid request body"}' });
    expect(corsHeaders(invalid)).toEqual({ 'access-control-allow-origin': APP, vary: 'Origin' });

    const unknown = await post(several, OTHER, { operation: 'ping' }, '/prod/Nowhere');
    expect(unknown).toMatchObject({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    expect(corsHeaders(unknown)).toEqual({ 'access-control-allow-origin': OTHER, vary: 'Origin' });
  });

  test("without an Origin (curl, SDKs), answers are as before: no origin allowed, the tutorial's requests unchanged", async () => {
    const tutorial = await curlPost(endpoint(several), '{"operation":"echo","payload":{"somekey1":"somevalue1"}}');
    expect(tutorial).toMatchObject({ status: 200, body: '"Success"' });
    expect(tutorial.headers['access-control-allow-origin']).toBeUndefined();
    const unknown = await post(several, undefined, {}, '/prod/Nowhere');
    expect(unknown.status).toBe(403);
    expect(unknown.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the banner lists the preflight method, served by API Gateway itself', () => {
    expect(several.output()).toMatch(/OPTIONS http:\/\/127\.0\.0\.1:\d+\/prod\/DynamoDBManager {2}-> API Gateway \(MOCK\)/);
  });
});

describe('with any origin (*), in front of an API key', () => {
  test('the preflight needs no key, and every answer, the key refused included, allows any origin', async () => {
    const response = await preflight(any, OTHER);
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'OPTIONS,POST',
      'access-control-allow-headers': API_KEY_HEADERS,
    });
    const noKey = await post(any, OTHER, { operation: 'ping' });
    expect(noKey).toMatchObject({ status: 403, body: '{"message":"Forbidden"}' });
    expect(corsHeaders(noKey)).toEqual({ 'access-control-allow-origin': '*' });
  });
});

describe('without API_CORS_ORIGINS (the tutorial)', () => {
  test('there is no OPTIONS method, and no answer allows an origin', async () => {
    const response = await preflight(none, APP);
    expect(response).toMatchObject({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    expect(corsHeaders(response)).toEqual({});
    expect(corsHeaders(await post(none, APP, { operation: 'ping' }))).toEqual({});
  });
});
