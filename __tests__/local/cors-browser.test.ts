/**
 * CORS as a browser enforces it, the only place it is enforced: headless Chromium
 * (helpers/browser) opens a page served from another origin (another port of
 * 127.0.0.1) and calls the local API with `fetch` and `Content-Type:
 * application/json`, which browsers send only after a preflight. Pages of an
 * allowed origin read the answers, a 400's message included; pages of any other
 * origin get nothing: fetch rejects, and the function never runs.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { browserRunnable, launchBrowser } from '../helpers/browser';
import { cleanUp, request, type RunningServer, startServer, synthesize } from './harness';

const runnable = browserRunnable();
const maybe = runnable ? test : test.skip;

/** What `fetch` in the page came to: the answer it could read, or the error it rejected with. */
type Outcome = { status: number; body: string } | { error: string };

const pageServers: http.Server[] = [];
let browser: Browser | undefined;
let allowed = '';
let other = '';
const apis: Record<'several' | 'one' | 'any', RunningServer | undefined> = { several: undefined, one: undefined, any: undefined };

/** Serves an empty page at `/` on a port of its own: a web app's origin. */
async function pageServer(): Promise<string> {
  const server = http.createServer((_, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end('<!doctype html><title>A web app</title>');
  });
  pageServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!runnable) return;
  [allowed, other] = await Promise.all([pageServer(), pageServer()]);
  const serve = (origins: string) => startServer({ env: { CDKTF_OUTDIR: synthesize({ API_CORS_ORIGINS: origins }) }, args: ['--in-memory'] });
  // Several origins (the origin check in the templates), one (a static header), any.
  [apis.several, apis.one, apis.any, browser] = await Promise.all([
    serve(`${allowed},https://app.example.com`),
    serve(allowed),
    serve('*'),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(apis).map((api) => api?.stop()));
  await Promise.all(pageServers.map((server) => new Promise((resolve) => server.close(resolve))));
  cleanUp();
});

/** Opens a page of `origin`, runs one `fetch` of the API's endpoint from it, and closes the page. */
async function fetchFrom(origin: string, api: RunningServer, body: string, contentType = 'application/json'): Promise<Outcome> {
  const page: Page = await browser!.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ({ url, body, contentType }) => {
        try {
          const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
          return { status: response.status, body: await response.text() };
        } catch (error) {
          return { error: `${(error as Error).name}: ${(error as Error).message}` };
        }
      },
      { url: `${api.url}/prod/DynamoDBManager`, body, contentType },
    );
  } finally {
    await page.close();
  }
}

let markers = 0;

/**
 * How many requests with `method` the API's access log shows, once every request
 * answered so far is in it: the log is written asynchronously, in order, so a
 * marker request's line comes after all of theirs.
 */
async function logged(api: RunningServer, method: string): Promise<number> {
  const marker = `/prod/log-marker-${++markers}`;
  await request(`${api.url}${marker}`);
  for (const started = Date.now(); !api.output().includes(` GET ${marker} `); ) {
    if (Date.now() - started > 20_000) throw new Error(`the access log did not show ${marker} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return api.output().split('\n').filter((line) => line.includes(` ${method} /prod/DynamoDBManager `)).length;
}

const PING = '{"operation":"ping"}';
const NO_ITEM = '{"operation":"create","payload":{}}';
const UNKNOWN_OPERATION = '{"operation":"drop"}';

describe.each([
  ["the page's origin and another", 'several'],
  ["the page's origin alone", 'one'],
] as const)('API_CORS_ORIGINS naming %s', (_, variant) => {
  const api = () => apis[variant]!;

  maybe("a page of the allowed origin reads the function's 200, the function's 400 and the gateway's 400, with their messages", async () => {
    expect(await fetchFrom(allowed, api(), PING)).toEqual({ status: 200, body: '"pong"' });
    const noItem = await fetchFrom(allowed, api(), NO_ITEM);
    expect(noItem).toMatchObject({ status: 400 });
    expect(JSON.parse((noItem as { body: string }).body).message).toMatch(/^payload\.Item is missing: create needs the item to write/);
    expect(await fetchFrom(allowed, api(), UNKNOWN_OPERATION)).toEqual({ status: 400, body: '{"message":"Invalid request body"}' });
  }, 60_000);

  maybe('a page of another origin is blocked by the browser: fetch rejects, after a preflight the API refused, and the POST is never sent', async () => {
    const posts = await logged(api(), 'POST');
    const preflights = await logged(api(), 'OPTIONS');
    expect(await fetchFrom(other, api(), PING)).toEqual({ error: 'TypeError: Failed to fetch' });
    expect(await logged(api(), 'OPTIONS')).toBe(preflights + 1);
    expect(await logged(api(), 'POST')).toBe(posts);
  }, 60_000);

  maybe("a page of another origin cannot read the function's answer either when it sends no preflight (a text/plain POST)", async () => {
    const posts = await logged(api(), 'POST');
    expect(await fetchFrom(other, api(), PING, 'text/plain')).toEqual({ error: 'TypeError: Failed to fetch' });
    // Sent, as browsers send such requests: CORS keeps the answer from the page, not the request from the API.
    expect(await logged(api(), 'POST')).toBe(posts + 1);
  }, 60_000);
});

describe('API_CORS_ORIGINS=*', () => {
  maybe('a page of any origin reads the answers', async () => {
    expect(await fetchFrom(other, apis.any!, PING)).toEqual({ status: 200, body: '"pong"' });
    expect(await fetchFrom(other, apis.any!, UNKNOWN_OPERATION)).toEqual({ status: 400, body: '{"message":"Invalid request body"}' });
  }, 60_000);
});
