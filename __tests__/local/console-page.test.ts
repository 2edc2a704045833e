/**
 * The local console page in a real browser (headless Chromium): a user walks the
 * tutorial's console tests on it by keyboard (create, read, update, list, delete,
 * echo, ping), through the REST API and straight to the function, and sees the
 * status, body, headers, the function's log, API Gateway's execution log and the
 * table's items refreshing; the page is usable at a phone's width. Screenshots are
 * kept in artifacts/ (git-ignored).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserRunnable, launchBrowser } from '../helpers/browser';
import { cleanUp, curlPost, ROOT, type RunningServer, startServer, synthesize } from './harness';

const ARTIFACTS = path.join(ROOT, 'artifacts');

/** The little of the DOM the checks read in the page (the tests are compiled without the DOM's types). */
interface DomElement {
  readonly id: string;
  readonly tagName: string;
  readonly textContent: string | null;
  readonly innerText: string;
  readonly value?: string;
  readonly disabled?: boolean;
  readonly labels?: { readonly length: number } | null;
}
declare const document: {
  getElementById(id: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement> & { readonly length: number };
  readonly activeElement: DomElement | null;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};
const runnable = browserRunnable();
const maybe = runnable ? describe : describe.skip;

let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!runnable) return;
  const stack = synthesize({ API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
  [server, browser] = await Promise.all([startServer({ env: { CDKTF_OUTDIR: stack }, args: ['--in-memory'] }), launchBrowser()]);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  cleanUp();
});

interface Shown {
  readonly status: string;
  readonly body: string;
  readonly headers: string;
  readonly functionLog: string;
  readonly executionLog: string;
  readonly summary: string;
}

async function open(width: number, height: number): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('#event-select option').length > 1 && document.getElementById('items-status')!.textContent !== 'Loading…');
  expect(errors).toEqual([]);
  return page;
}

/** Sends what the form holds with Ctrl+Enter from the JSON editor, and reads what the page then shows. */
async function sendByKeyboard(page: Page): Promise<Shown> {
  await page.getByLabel('Event JSON').focus();
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => !document.getElementById('send-button')!.disabled);
  return page.evaluate(() => {
    const text = (id: string) => document.getElementById(id)!.textContent ?? '';
    return {
      status: text('result-status'),
      body: text('result-body'),
      headers: text('result-headers'),
      functionLog: text('function-log'),
      executionLog: text('execution-log'),
      summary: text('result-summary'),
    };
  });
}

async function chooseEvent(page: Page, name: string): Promise<void> {
  await page.getByLabel('Event', { exact: true }).selectOption(name);
  expect(await page.getByLabel('Event JSON').inputValue()).toBe(fs.readFileSync(path.join(ROOT, 'events', `${name}.json`), 'utf8'));
}

const itemsText = (page: Page) => page.locator('#items-body').innerText();

maybe('the local console page, in Chromium', () => {
  test("walks the tutorial's console tests by keyboard through the REST API: each event's status, body, logs, and the items view following", async () => {
    const page = await open(1280, 900);
    // The focus order follows the form: event, its JSON, where to send it, Send.
    await page.getByLabel('Event', { exact: true }).focus();
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => `${document.activeElement!.tagName.toLowerCase()}#${document.activeElement!.id || document.activeElement!.value}`));
    }
    expect(order).toEqual(['textarea#event-body', 'input#rest', 'button#send-button']);
    // Every control has a name a screen reader reads out.
    expect(await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')].filter((el) => !el.labels?.length && !el.textContent?.trim()).map((el) => el.id))).toEqual([]);
    expect(await page.getByRole('status').textContent()).toBe('Nothing sent yet.');
    expect(await page.locator('#items-body').innerText()).toBe('No items.');

    const expected: Record<string, { body: string | RegExp; items: string | RegExp }> = {
      create: { body: '{}', items: /^1\s+\{"name":"Bob"\}$/ },
      read: { body: '{"Item":{"id":"1","name":"Bob"}}', items: /Bob/ },
      update: { body: '{"Attributes":{"id":"1","name":"Alice"}}', items: /^1\s+\{"name":"Alice"\}$/ },
      list: { body: /^\{"Items":\[\{"id":"1","name":"Alice"\}\],"Count":1,"ScannedCount":1\}$/, items: /Alice/ },
      delete: { body: '{}', items: 'No items.' },
      echo: { body: '"Success"', items: 'No items.' },
      ping: { body: '"pong"', items: 'No items.' },
    };
    for (const [event, { body, items }] of Object.entries(expected)) {
      await chooseEvent(page, event);
      const shown = await sendByKeyboard(page);
      expect({ event, status: shown.status, body: shown.body }).toEqual({ event, status: '200', body: typeof body === 'string' ? body : expect.stringMatching(body) });
      expect(shown.summary).toMatch(/^Status 200 in \d+ ms: /);
      expect(shown.headers).toBe('Content-Type: application/json');
      // The function's log, as Lambda files it; API Gateway's, step by step.
      expect(shown.functionLog).toMatch(/^\{"time":"[^"]+","type":"platform\.start"/);
      expect(shown.functionLog).toContain(`"operation":"${event}"`);
      expect(shown.functionLog).toMatch(/"type":"platform\.report".*"status":"success"\}\}\n?$/);
      expect(shown.executionLog).toMatch(/^Execution log for request \S+\n/);
      expect(shown.executionLog).toContain(`Method request body before transformations: ${fs.readFileSync(path.join(ROOT, 'events', `${event}.json`), 'utf8').split('\n')[0]}`);
      expect(shown.executionLog).toContain(`Endpoint response body before transformations: ${shown.body}`);
      expect(shown.executionLog.trimEnd().split('\n').at(-1)).toMatch(/ : Method completed with status: 200$/);
      // The items view has read the table since.
      await page.waitForFunction(
        (want) => (want.startsWith('/') ? new RegExp(want.slice(1, -1)) : { test: (t: string) => t === want }).test(document.getElementById('items-body')!.innerText.trim()),
        typeof items === 'string' ? items : String(items),
      );
      if (event === 'create') await page.screenshot({ path: path.join(ARTIFACTS, 'console.png'), fullPage: true });
    }
    await page.close();
  });

  test('straight to the function, an error the API maps, and an item written elsewhere showing up by itself', async () => {
    const page = await open(1280, 900);
    // Arrow keys move within the radio group, as in any form.
    await page.getByLabel(/the REST API/).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel(/the function LambdaFunctionOverHttps directly/).isChecked()).toBe(true);
    await chooseEvent(page, 'ping');
    const direct = await sendByKeyboard(page);
    expect({ status: direct.status, body: direct.body }).toEqual({ status: '200', body: '"pong"' });
    expect(direct.headers).toContain('X-Amz-Executed-Version: $LATEST');
    expect(direct.executionLog).toBe('Not sent through API Gateway: the function was invoked directly.');
    expect(direct.functionLog).toMatch(/"type":"platform\.report"/);

    await page.getByLabel(/the REST API/).check();
    await page.getByLabel('Event JSON').fill('{"operation":"create","payload":{"Item":{"name":"no id"}}}');
    expect(await page.getByLabel('Event', { exact: true }).inputValue()).toBe('');
    const refused = await sendByKeyboard(page);
    expect({ status: refused.status, body: refused.body }).toEqual({ status: '400', body: `{"message":"payload.Item.id must be a non-empty string, the table's key; got nothing."}` });
    expect(await page.locator('#result-status').getAttribute('class')).toBe('status-bad');
    expect(refused.executionLog).toMatch(/ : Function error "BadRequest: .*" matched selection pattern "BadRequest: \[\{\]\.\*": integration response 400\n/);

    // Written with curl, not through the page: the items view refreshes by itself.
    await curlPost(`${server.url}/prod/DynamoDBManager`, '{"operation":"create","payload":{"Item":{"id":"from-curl","name":"Carol"}}}');
    await page.waitForFunction(() => document.getElementById('items-body')!.innerText.includes('from-curl'), undefined, { timeout: 15_000 });
    expect(await itemsText(page)).toMatch(/from-curl\s+\{"name":"Carol"\}/);
    await curlPost(`${server.url}/prod/DynamoDBManager`, '{"operation":"delete","payload":{"Key":{"id":"from-curl"}}}');
    await page.close();
  });

  test("at a phone's width, everything fits without scrolling sideways, and the tutorial's test still works", async () => {
    const page = await open(375, 812);
    await chooseEvent(page, 'echo');
    const shown = await sendByKeyboard(page);
    expect({ status: shown.status, body: shown.body }).toEqual({ status: '200', body: '"Success"' });
    expect(await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }))).toEqual({ scroll: 375, width: 375 });
    for (const id of ['event-body', 'send-button', 'result-body', 'execution-log', 'items-table']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect({ id, right: Math.ceil(box!.x + box!.width) <= 375 }).toEqual({ id, right: true });
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-phone.png'), fullPage: true });
    await page.close();
  });
});
