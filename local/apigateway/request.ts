/**
 * One request on its way through the REST API (./gateway): what it carries before
 * and after its route is found, and the `$context` API Gateway gives its templates,
 * proxy events and gateway responses. A request is an HTTP request, or a test
 * invoke's simulated one (./test-invoke): the pipeline reads and answers both alike.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import type { StageModel } from '../stack/model';
import type { ExecutionLog } from './execution-log';
import type { GatewayResponseType } from './gateway-responses';
import type { CompiledRoute } from './routes';
import type { TemplateContext } from './velocity';

/** What the pipeline reads of a request: node:http's IncomingMessage has it, and so has a test invoke's. */
export interface GatewayRequest {
  readonly method?: string;
  readonly headers: IncomingHttpHeaders;
  /** Each header's values, by lower-case name. */
  readonly headersDistinct: NodeJS.Dict<string[]>;
  /** Names and values, alternating, as received. */
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  readonly socket: { readonly remoteAddress?: string };
  /** False while a body too large to read is still arriving. */
  readonly readableEnded: boolean;
}

/** What the pipeline answers on: node:http's ServerResponse, or a test invoke's recording. */
export interface GatewayResponse {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  getHeaders(): Record<string, unknown>;
  end(body?: string | Buffer): unknown;
}

/** A request as it arrives: its stage is undefined when the path names none of the API's. */
export interface RequestState {
  readonly req: GatewayRequest;
  readonly res: GatewayResponse;
  readonly requestId: string;
  readonly stage: StageModel | undefined;
  readonly path: string;
  readonly query: URLSearchParams;
  /** What API Gateway did, step by step, when someone reads it (a test invoke, --verbose); undefined otherwise, and nothing is logged. */
  readonly log: ExecutionLog | undefined;
}

/** A request whose stage and method were found: what every step after routing works on. */
export interface RoutedRequest extends RequestState {
  readonly stage: StageModel;
  readonly route: CompiledRoute;
  readonly pathParams: Readonly<Record<string, string>>;
}

/** Which API, in which region, a request context describes. */
export interface ApiIdentity {
  readonly apiId: string;
  readonly region: string;
}

/** API Gateway's `$context` (and a proxy event's requestContext) for `state`, with the gateway response's error if it is one. */
export function requestContext(state: RequestState | RoutedRequest, api: ApiIdentity, error?: { type: GatewayResponseType; message: string }) {
  const now = Date.now();
  const route = 'route' in state ? state.route : undefined;
  return {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: api.apiId,
    domainName: state.req.headers.host ?? 'localhost',
    extendedRequestId: state.requestId,
    httpMethod: state.req.method,
    identity: { sourceIp: state.req.socket.remoteAddress ?? '127.0.0.1', userAgent: state.req.headers['user-agent'] ?? null },
    path: `/${state.stage?.name ?? ''}${state.path}`,
    protocol: `HTTP/${state.req.httpVersion}`,
    requestId: state.requestId,
    requestTime: new Date(now).toUTCString(),
    requestTimeEpoch: now,
    resourceId: route?.model.resourceId,
    resourcePath: route?.model.resourcePath,
    stage: state.stage?.name,
    region: api.region,
    ...(error && { error: { message: error.message, messageString: JSON.stringify(error.message), responseType: error.type } }),
  };
}

/** What a mapping template of the route sees: `body` as `$input`, the request's parameters, `$context`, `$stageVariables`. */
export function templateInput(state: RoutedRequest, body: string, api: ApiIdentity): TemplateContext {
  return {
    body,
    params: {
      path: state.pathParams,
      querystring: Object.fromEntries(state.query),
      header: Object.fromEntries(Object.entries(state.req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')])),
    },
    context: requestContext(state, api),
    stageVariables: state.stage.variables,
  };
}

/** Whether the request carries the required parameter `name` (`querystring.x`, `header.x` or `path.x`), not blank. */
export function hasParameter(state: RoutedRequest, name: string): boolean {
  const [location, key] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  const value =
    location === 'querystring' ? state.query.get(key) : location === 'header' ? state.req.headers[key.toLowerCase()] : state.pathParams[key];
  return typeof value === 'string' ? value.trim() !== '' : Array.isArray(value) && value.length > 0;
}
