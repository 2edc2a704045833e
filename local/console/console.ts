/**
 * The local console page: what the tutorial does in the AWS console's Test tabs,
 * on this machine. `GET /` serves the page (./page: plain HTML, CSS and a script);
 * its data and actions live under the reserved prefix `/_console/` (no stage may be
 * called `_console`):
 *
 * - `GET  /_console/api/setup`: the stack's REST API methods, functions, tables, and the tutorial's events (events/);
 * - `POST /_console/api/test-invoke`: a test invoke of a method (../apigateway/test-invoke), as the console's Test tab;
 * - `POST /_console/api/invoke`: the function directly, as `aws lambda invoke --log-type Tail`;
 * - `GET  /_console/api/items`: a page of a table's items (a Scan of the embedded DynamoDB, read-only, at most 100 items a page).
 *
 * The page acts as a console user signed in with the local credentials, so it works
 * whatever the API's authorization. It is served on loopback only (the server does
 * not make it when HOST is beyond it), and it refuses what a browser sends from
 * another origin: a Host that is not this machine's (DNS rebinding), an Origin or
 * Sec-Fetch-Site of another site, and a POST that is not JSON (which a page of
 * another origin cannot send without a preflight, which this server never grants).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { RestApiGateway } from '../apigateway/gateway';
import { parseInput } from '../apigateway/management-api';
import { testInvoke } from '../apigateway/test-invoke';
import type { FunctionRuntime } from '../lambda/runtime';
import { readBody } from '../shared/http';
import type { StackModel } from '../stack/model';
import { scanPage } from './items';

/** The path prefix of the console's assets and endpoints, which the local server reserves for it. */
export const CONSOLE_PREFIX = '/_console/';

const PAGE_DIR = path.join(__dirname, 'page');
/** The tutorial's events, one file per operation, shipped with the project. */
const EVENTS_DIR = path.join(__dirname, '..', '..', 'events');
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`${CONSOLE_PREFIX}app.js`]: { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  [`${CONSOLE_PREFIX}style.css`]: { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The page loads its own script and style only, and talks to this server only. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** What the console works with: the parts of the version served (a reload serves a new page with the new parts). */
export interface ConsoleParts {
  readonly model: StackModel;
  readonly gateway: RestApiGateway | undefined;
  readonly runtimes: ReadonlyMap<string, FunctionRuntime>;
  readonly dynamodbEndpoint: string;
}

export class ConsolePage {
  constructor(private readonly parts: ConsoleParts) {}

  /** Whether the request is the console's: the page (GET `/`), and everything under CONSOLE_PREFIX. */
  serves(method: string | undefined, pathname: string): boolean {
    return ((method === 'GET' || method === 'HEAD') && pathname === '/') || pathname.startsWith(CONSOLE_PREFIX);
  }

  /** Settles once answered; rejects with a failure left unanswered, for the caller to answer. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const refusal = crossSiteRefusal(req);
    if (refusal) return answer(res, 403, { message: refusal });
    const asset = ASSETS[pathname];
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('Content-Type', asset.type);
      res.end(await fs.promises.readFile(path.join(PAGE_DIR, asset.file)));
      return;
    }
    const route = `${req.method} ${pathname}`;
    if (route === `GET ${CONSOLE_PREFIX}api/setup`) return answer(res, 200, this.setup());
    if (route === `GET ${CONSOLE_PREFIX}api/items`) return this.items(res, query);
    if (route === `POST ${CONSOLE_PREFIX}api/test-invoke` || route === `POST ${CONSOLE_PREFIX}api/invoke`) {
      if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/json') {
        return answer(res, 415, { message: `The console's actions take Content-Type application/json, not ${JSON.stringify(req.headers['content-type'] ?? '')}.` });
      }
      const body = await readBody(req, MAX_REQUEST_BYTES);
      if (body === undefined) return answer(res, 413, { message: `The request is over ${MAX_REQUEST_BYTES} bytes.` });
      return pathname.endsWith('/test-invoke') ? this.testInvoke(res, body) : this.invoke(res, body);
    }
    return answer(res, 404, { message: `The console has no ${route}. Open http://${req.headers.host ?? 'localhost'}/ for the page.` });
  }

  private setup() {
    const { model } = this.parts;
    const events = fs
      .readdirSync(EVENTS_DIR)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({ name: path.basename(file, '.json'), body: fs.readFileSync(path.join(EVENTS_DIR, file), 'utf8') }));
    return {
      stackName: model.stackName,
      region: model.region,
      api: model.api && {
        id: model.api.id,
        name: model.api.name,
        methods: model.api.routes.map((route) => ({
          resourceId: route.resourceId,
          resourcePath: route.resourcePath,
          httpMethod: route.httpMethod,
          // A MOCK integration (CORS's OPTIONS) invokes no function.
          functionName: route.integration.type === 'MOCK' ? undefined : route.integration.functionName,
        })),
      },
      functions: model.functions.map((fn) => fn.name),
      tables: model.tables.map((table) => ({ name: table.name, hashKey: table.hashKey.name, rangeKey: table.rangeKey?.name })),
      events,
    };
  }

  private async testInvoke(res: ServerResponse, body: Buffer): Promise<void> {
    const request = parseJsonObject(body);
    const { gateway } = this.parts;
    if (!request || typeof request.resourceId !== 'string' || typeof request.httpMethod !== 'string') {
      return answer(res, 400, { message: 'Send {"resourceId": ..., "httpMethod": ..., "body": ...}: the method to test and the request body.' });
    }
    if (!gateway) return answer(res, 404, { message: 'The stack has no REST API.' });
    const input = parseInput(Buffer.from(JSON.stringify({ body: request.body, headers: request.headers, pathWithQueryString: request.pathWithQueryString })));
    if (typeof input === 'string') return answer(res, 400, { message: input });
    const result = await testInvoke(gateway, request.resourceId, request.httpMethod, input);
    if ('refused' in result) return answer(res, result.refused.status, { message: result.refused.message, errorType: result.refused.errorType });
    return answer(res, 200, { ...result.output, functionLog: result.functionLog ?? '' });
  }

  private async invoke(res: ServerResponse, body: Buffer): Promise<void> {
    const request = parseJsonObject(body);
    if (!request || typeof request.functionName !== 'string' || typeof request.payload !== 'string') {
      return answer(res, 400, { message: 'Send {"functionName": ..., "payload": ...}: the function to invoke and the event, as JSON text.' });
    }
    const runtime = this.parts.runtimes.get(request.functionName);
    if (!runtime) return answer(res, 404, { message: `The stack has no function ${JSON.stringify(request.functionName)}.` });
    const started = performance.now();
    const result = await runtime.invoke(request.payload, randomUUID());
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    if (result.kind === 'rejected') {
      return answer(res, 200, { status: result.status, headers: { 'x-amzn-ErrorType': result.errorType }, payload: JSON.stringify({ Type: 'User', message: result.message }), durationMs, log: '' });
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' };
    if (result.kind === 'error') headers['X-Amz-Function-Error'] = 'Unhandled';
    return answer(res, 200, { status: 200, headers, payload: result.payload, durationMs, log: result.log ?? '' });
  }

  private async items(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { tables } = this.parts.model;
    const table = tables.find((t) => t.name === query.get('table')) ?? tables[0];
    if (!table) return answer(res, 404, { message: 'The stack has no table.' });
    const page = await scanPage(this.parts.dynamodbEndpoint, table.name, query.get('limit'), query.get('start'));
    return answer(res, page.status, page.status === 200 ? { table: table.name, ...page.body } : page.body);
  }
}

/**
 * Why a request is refused as coming from another site, or undefined: the console
 * answers pages of its own origin, on this machine's name for itself, only.
 */
function crossSiteRefusal(req: IncomingMessage): string | undefined {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (!/^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(hostname)) {
    return `The console answers on this machine's own addresses only (127.0.0.1, localhost, [::1]), not Host ${JSON.stringify(host)}.`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return `The console answers its own page only, not a page of ${JSON.stringify(origin)}.`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `The console answers its own page only, not a ${site} request.`;
  return undefined;
}

function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}
