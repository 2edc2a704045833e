/**
 * The stack's REST API as API Gateway serves it, at `/<stage>/<resource path>`:
 * routing (literal, `{param}` and `{proxy+}` path parts, ANY), stage throttling,
 * request validation, Lambda integrations, non-proxy (AWS: request templates and
 * passthrough, integration responses chosen by selection pattern, response
 * templates) and proxy (AWS_PROXY), and API Gateway's own error answers (gateway
 * responses, overridable by the stack).
 *
 * Methods with AWS_IAM authorization take SigV4-signed requests (./sigv4); methods
 * that require an API key take the keys their usage plans admit to the stage, each
 * throttled by its plan on top of the stage.
 *
 * Everything that can be prepared from the stack is prepared once, here: routes,
 * compiled templates, patterns, schemas, the keys' throttles.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import type { LocalApiKey } from './api-keys';
import { compileSelectionPattern } from './java-regex';
import { compileSchema, type Validator } from './json-schema';
import type { FunctionRuntime, InvocationResult } from './lambda-runtime';
import { percentDecode, SIGNATURE_MISMATCH, verifySignature } from './sigv4';
import type { IntegrationModel, RestApiModel, RouteModel, StageModel, ThrottleModel } from './stack-model';
import { LOCAL_ACCOUNT_ID } from './stack-model';
import { compileTemplate, type MappingTemplate, type RequestParams } from './velocity';

/** API Gateway's limit on a request's payload. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** API Gateway's built-in gateway responses this server gives, with their default status and message. */
const GATEWAY_RESPONSES = {
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  INVALID_SIGNATURE: { status: 403, message: SIGNATURE_MISMATCH, errorType: 'InvalidSignatureException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: undefined },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Missing required request parameters', errorType: 'BadRequestException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', errorType: 'UnsupportedMediaTypeException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'InternalServerErrorException' },
  INTEGRATION_FAILURE: { status: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
} as const;

type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

interface CompiledIntegrationResponse {
  readonly statusCode: number;
  readonly pattern: RegExp | undefined;
  /** undefined: the integration's body passes through. */
  readonly template: MappingTemplate | undefined;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface CompiledRoute {
  readonly model: RouteModel;
  readonly runtime: FunctionRuntime;
  readonly integration: IntegrationModel;
  readonly requestTemplates: ReadonlyMap<string, MappingTemplate>;
  readonly responses: readonly CompiledIntegrationResponse[];
  readonly defaultResponse: CompiledIntegrationResponse | undefined;
  readonly bodySchemas: ReadonlyMap<string, Validator>;
  readonly requiredParameters: readonly string[];
  readonly buckets: ReadonlyMap<string, TokenBucket>;
}

/** A node of the resource tree: one path part. */
interface ResourceNode {
  readonly literals: Map<string, ResourceNode>;
  param: { readonly name: string; readonly node: ResourceNode } | undefined;
  greedy: { readonly name: string; readonly node: ResourceNode } | undefined;
  /** Methods of the resource this node ends, by HTTP method (ANY included). */
  readonly methods: Map<string, CompiledRoute>;
}

interface CompiledGatewayResponse {
  readonly status: number | undefined;
  readonly template: MappingTemplate | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** What one request carries through the pipeline. */
interface RequestState {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** undefined when the path names no stage of the API. */
  readonly stage: StageModel | undefined;
  readonly path: string;
  readonly query: URLSearchParams;
  route?: CompiledRoute;
  pathParams?: Record<string, string>;
}

export class RestApiGateway {
  private readonly stages = new Map<string, StageModel>();
  private readonly root: ResourceNode = newNode();
  private readonly gatewayResponses = new Map<string, CompiledGatewayResponse>();
  /** Enabled keys by value: the stages their plans admit them to, each with the plan's throttle of the key. */
  private readonly apiKeys = new Map<string, Map<string, TokenBucket | undefined>>();

  constructor(
    private readonly api: RestApiModel,
    runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly region: string,
    apiKeys: readonly LocalApiKey[],
  ) {
    for (const stage of api.stages) this.stages.set(stage.name, stage);
    for (const key of apiKeys.filter((k) => k.enabled)) {
      const stages = new Map<string, TokenBucket | undefined>();
      for (const plan of key.plans) {
        // One bucket per key and plan, shared by the plan's stages.
        const bucket = plan.throttle && new TokenBucket(plan.throttle);
        for (const stage of plan.stages) stages.set(stage, bucket);
      }
      this.apiKeys.set(key.value, stages);
    }
    for (const route of api.routes) this.addRoute(route, runtimes.get(route.integration.functionName)!);
    for (const [type, response] of api.gatewayResponses) {
      const template = response.responseTemplates['application/json'] ?? Object.values(response.responseTemplates)[0];
      this.gatewayResponses.set(type, {
        status: response.statusCode,
        template: template ? compileTemplate(template, `the gateway response ${type}`) : undefined,
        headers: response.headers,
      });
    }
  }

  private addRoute(route: RouteModel, runtime: FunctionRuntime): void {
    let node = this.root;
    for (const part of route.resourcePath.split('/').filter(Boolean)) {
      const param = /^\{(\w+)(\+?)\}$/.exec(part);
      if (!param) {
        if (!node.literals.has(part)) node.literals.set(part, newNode());
        node = node.literals.get(part)!;
      } else if (param[2]) {
        node.greedy ??= { name: param[1], node: newNode() };
        node = node.greedy.node;
      } else {
        node.param ??= { name: param[1], node: newNode() };
        node = node.param.node;
      }
    }
    const { integration } = route;
    const responses = integration.responses.map((response): CompiledIntegrationResponse => {
      const [contentType, template] = Object.entries(response.responseTemplates).find(([type]) => type === 'application/json') ??
        Object.entries(response.responseTemplates)[0] ?? ['application/json', ''];
      return {
        statusCode: Number(response.statusCode),
        pattern: response.selectionPattern === undefined ? undefined : compileSelectionPattern(response.selectionPattern, response.address),
        // An empty template is API Gateway's passthrough (the tutorial's `application/json=""`).
        template: template ? compileTemplate(template, `${response.address}.response_templates["${contentType}"]`) : undefined,
        contentType,
        headers: response.headers,
      };
    });
    const validation = route.validation;
    node.methods.set(route.httpMethod, {
      model: route,
      runtime,
      integration,
      requestTemplates: new Map(
        Object.entries(integration.requestTemplates).map(([type, source]) => [type.toLowerCase(), compileTemplate(source, `request template ${type} of ${route.httpMethod} ${route.resourcePath}`)]),
      ),
      responses: responses.filter((response) => response.pattern !== undefined),
      defaultResponse: responses.find((response) => response.pattern === undefined),
      bodySchemas: new Map(Object.entries(validation?.bodySchemas ?? {}).map(([type, schema]) => [type, compileSchema(schema, `${validation!.where} model for ${type}`)])),
      requiredParameters: validation?.requiredParameters ?? [],
      buckets: new Map([...route.throttles].map(([stage, throttle]) => [stage, new TokenBucket(throttle)])),
    });
  }

  /**
   * Serves a request that is not for the Lambda invoke API: anything else is this API's (and unknown paths get its 403).
   * Settles once the request is answered; rejects with a failure left unanswered, for the caller to answer.
   */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const slash = pathname.indexOf('/', 1);
    const stage = this.stages.get(slash < 0 ? pathname.slice(1) : pathname.slice(1, slash));
    const path = slash < 0 ? '/' : pathname.slice(slash);
    const state: RequestState = { req, res, requestId, stage, path, query };
    // API Gateway answers an unknown stage, path or method alike, so as not to reveal which exist.
    const found = stage && this.match(path, req.method ?? 'GET');
    if (!stage || !found) {
      this.fail(state, 'MISSING_AUTHENTICATION_TOKEN');
      return Promise.resolve();
    }
    state.route = found.route;
    state.pathParams = found.params;
    // A signature covers the body, so the checks wait for it; they all come before any throttle takes a token.
    return readBody(req, MAX_PAYLOAD_BYTES).then(
      async (body) => {
        if (body === undefined) this.fail(state, 'REQUEST_TOO_LARGE');
        else if (this.admit(state, body)) await this.integrate(state, body).catch((error: unknown) => this.internalError(state, error));
      },
      () => void res.destroy(),
    );
  }

  /**
   * API Gateway's checks before a method runs: the caller's signature (AWS_IAM),
   * the API key, then the stage's throttle and the key's. Answers and returns
   * false when one fails.
   */
  private admit(state: RequestState, body: Buffer): boolean {
    const route = state.route!.model;
    const stage = state.stage!.name;
    if (route.authorization === 'AWS_IAM') {
      const failure = verifySignature(state.req, body, this.region);
      if (failure) {
        this.fail(state, failure.responseType, failure.message, failure.errorType);
        return false;
      }
    }
    let keyBucket: TokenBucket | undefined;
    if (route.apiKeyRequired) {
      const key = state.req.headers['x-api-key'];
      const stages = typeof key === 'string' ? this.apiKeys.get(key) : undefined;
      // A missing key, an unknown or disabled one and one of another stage's plan all get the same 403.
      if (!stages?.has(stage)) {
        this.fail(state, 'INVALID_API_KEY');
        return false;
      }
      keyBucket = stages.get(stage);
    }
    const stageBucket = state.route!.buckets.get(stage);
    // Both are checked before either is taken from: a request one refuses must not spend the other's token.
    if ((stageBucket && !stageBucket.hasToken()) || (keyBucket && !keyBucket.hasToken())) {
      this.fail(state, 'THROTTLED');
      return false;
    }
    stageBucket?.take();
    keyBucket?.take();
    return true;
  }

  private match(path: string, method: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    const walk = (node: ResourceNode, index: number): CompiledRoute | undefined => {
      if (index === parts.length) return node.methods.get(method) ?? node.methods.get('ANY');
      const part = parts[index];
      const literal = node.literals.get(part);
      const viaLiteral = literal && walk(literal, index + 1);
      if (viaLiteral) return viaLiteral;
      if (node.param) {
        const viaParam = walk(node.param.node, index + 1);
        if (viaParam) {
          params[node.param.name] = percentDecode(part);
          return viaParam;
        }
      }
      if (node.greedy) {
        const route = node.greedy.node.methods.get(method) ?? node.greedy.node.methods.get('ANY');
        if (route) {
          params[node.greedy.name] = parts.slice(index).map(percentDecode).join('/');
          return route;
        }
      }
      return undefined;
    };
    const route = walk(this.root, 0);
    return route && { route, params };
  }

  private async integrate(state: RequestState, body: Buffer): Promise<void> {
    const route = state.route!;
    const { req } = state;
    const bodyText = body.toString('utf8');
    // API Gateway takes a request without Content-Type for JSON.
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();

    if (route.requiredParameters.length > 0) {
      const missing = route.requiredParameters.filter((name) => !hasParameter(state, name));
      if (missing.length > 0) {
        return this.fail(state, 'BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.map((m) => m.replace(/^\w+\./, '')).join(', ')}]`);
      }
    }
    const schema = route.bodySchemas.get(contentType) ?? route.bodySchemas.get('$default');
    if (schema && !validBody(schema, bodyText)) return this.fail(state, 'BAD_REQUEST_BODY');

    let payload: string;
    if (route.integration.type === 'AWS_PROXY') {
      payload = JSON.stringify(this.proxyEvent(state, bodyText));
    } else {
      const template = route.requestTemplates.get(contentType);
      const behavior = route.integration.passthroughBehavior;
      if (template) {
        payload = template.render(this.templateInput(state, bodyText));
      } else if (behavior === 'WHEN_NO_MATCH' || (behavior === 'WHEN_NO_TEMPLATES' && route.requestTemplates.size === 0)) {
        payload = bodyText;
      } else {
        return this.fail(state, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    if (!route.model.permittedMethods.get(state.stage!.name)?.has(req.method ?? 'GET')) {
      // AWS answers so when no Lambda permission lets API Gateway invoke the function.
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }

    const result = await withTimeout(route.runtime.invoke(payload), route.integration.timeoutMs);
    if (result === undefined) return this.fail(state, 'INTEGRATION_TIMEOUT');
    if (result.kind === 'rejected') {
      if (result.errorType === 'InvalidRequestContentException') return this.fail(state, 'BAD_REQUEST_BODY', result.message);
      // Lambda refused the invocation: too large, or throttled (TooManyRequestsException). API Gateway answers
      // 500 "Internal server error", proxy integration or not, whatever the integration responses say
      // (Lambda developer guide, "Handling Lambda errors with an API Gateway API").
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }
    if (route.integration.type === 'AWS_PROXY') this.proxyResponse(state, result);
    else this.integrationResponse(state, result);
  }

  /** Picks the integration response as API Gateway does for Lambda: by selection pattern for a function error, else the default. */
  private integrationResponse(state: RequestState, result: Exclude<InvocationResult, { kind: 'rejected' }>): void {
    const route = state.route!;
    let chosen = route.defaultResponse;
    if (result.kind === 'error') {
      const message = result.error.errorMessage;
      chosen = route.responses.find((response) => response.pattern!.test(message)) ?? route.defaultResponse;
    }
    if (!chosen) return this.fail(state, 'API_CONFIGURATION_ERROR');
    const body = chosen.template ? chosen.template.render(this.templateInput(state, result.payload)) : result.payload;
    const { res } = state;
    res.statusCode = chosen.statusCode;
    res.setHeader('Content-Type', chosen.contentType);
    for (const [name, value] of Object.entries(chosen.headers)) res.setHeader(name, value);
    res.end(body);
  }

  /** A proxy integration's answer: the function returns the whole response, or API Gateway answers 502. */
  private proxyResponse(state: RequestState, result: Exclude<InvocationResult, { kind: 'rejected' }>): void {
    const { res } = state;
    if (result.kind === 'error') return this.fail(state, 'INTEGRATION_FAILURE');
    let response: { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
    try {
      response = JSON.parse(result.payload);
    } catch {
      response = {};
    }
    const statusCode = response?.statusCode;
    // Checked in full before anything is set: a bad one found halfway would leave the function's headers on the 502.
    const headers = typeof response === 'object' && response !== null ? proxyHeaders(response.headers, response.multiValueHeaders) : undefined;
    if (
      !headers ||
      !Number.isInteger(statusCode) ||
      // node:http refuses to send any other status.
      (statusCode as number) < 100 ||
      (statusCode as number) > 999 ||
      (response.body !== undefined && response.body !== null && typeof response.body !== 'string')
    ) {
      return this.fail(state, 'INTEGRATION_FAILURE');
    }
    res.statusCode = statusCode as number;
    res.setHeader('Content-Type', 'application/json');
    for (const [name, value] of headers) res.setHeader(name, value);
    const body = (response.body ?? '') as string;
    res.end(response.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
  }

  private proxyEvent(state: RequestState, body: string) {
    const { req } = state;
    const route = state.route!;
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const query: Record<string, string> = {};
    const multiValueQuery: Record<string, string[]> = {};
    for (const [name, value] of state.query) {
      query[name] = value;
      (multiValueQuery[name] ??= []).push(value);
    }
    const hasQuery = Object.keys(query).length > 0;
    const pathParams = state.pathParams ?? {};
    return {
      resource: route.model.resourcePath,
      path: state.path,
      httpMethod: req.method,
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
      pathParameters: Object.keys(pathParams).length > 0 ? pathParams : null,
      stageVariables: Object.keys(state.stage!.variables).length > 0 ? state.stage!.variables : null,
      requestContext: this.requestContext(state),
      body: body === '' ? null : body,
      isBase64Encoded: false,
    };
  }

  private requestContext(state: RequestState, error?: { type: GatewayResponseType; message: string }) {
    const now = Date.now();
    return {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: this.api.id,
      domainName: state.req.headers.host ?? 'localhost',
      extendedRequestId: state.requestId,
      httpMethod: state.req.method,
      identity: { sourceIp: state.req.socket.remoteAddress ?? '127.0.0.1', userAgent: state.req.headers['user-agent'] ?? null },
      path: `/${state.stage?.name ?? ''}${state.path}`,
      protocol: `HTTP/${state.req.httpVersion}`,
      requestId: state.requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourceId: state.route?.model.resourceId,
      resourcePath: state.route?.model.resourcePath,
      stage: state.stage?.name,
      region: this.region,
      ...(error && { error: { message: error.message, messageString: JSON.stringify(error.message), responseType: error.type } }),
    };
  }

  private templateInput(state: RequestState, body: string) {
    const params: RequestParams = {
      path: state.pathParams ?? {},
      querystring: Object.fromEntries(state.query),
      header: Object.fromEntries(Object.entries(state.req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')])),
    };
    return { body, params, context: this.requestContext(state), stageVariables: state.stage?.variables ?? {} };
  }

  /**
   * Answers with one of API Gateway's gateway responses, as the stack overrides it or as AWS gives it by default.
   * @param errorType for answers that share a response type but not AWS's x-amzn-ErrorType (the signature's).
   */
  private fail(state: RequestState, type: GatewayResponseType, message?: string, errorType?: string): void {
    const { req, res } = state;
    const builtIn = GATEWAY_RESPONSES[type];
    const text = message ?? builtIn.message;
    const override =
      this.gatewayResponses.get(type) ?? this.gatewayResponses.get(builtIn.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
    let body = `{"message":${JSON.stringify(text)}}`;
    if (override?.template) {
      try {
        body = override.template.render({
          body: '',
          params: { path: {}, querystring: {}, header: {} },
          context: this.requestContext(state, { type, message: text }),
          stageVariables: state.stage?.variables ?? {},
        });
      } catch (error) {
        // The request still gets its answer; the template's fault goes to the log, where its author can see it.
        process.stderr.write(`The stack's gateway response for ${type} failed to render, so the default body was sent: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    res.statusCode = override?.status ?? builtIn.status;
    res.setHeader('Content-Type', 'application/json');
    const amznErrorType = errorType ?? builtIn.errorType;
    if (amznErrorType) res.setHeader('x-amzn-ErrorType', amznErrorType);
    for (const [name, value] of Object.entries(override?.headers ?? {})) res.setHeader(name, value);
    // A body too large to read to its end is left unread: the connection cannot be reused.
    if (type === 'REQUEST_TOO_LARGE' && !req.readableEnded) res.setHeader('Connection', 'close');
    res.end(body);
  }

  private internalError(state: RequestState, error: unknown): void {
    process.stderr.write(`Internal error serving ${state.req.method} /${state.stage?.name}${state.path}: ${error instanceof Error ? error.stack : String(error)}\n`);
    if (!state.res.headersSent) this.fail(state, 'API_CONFIGURATION_ERROR');
  }
}

/**
 * The last resort for a request whose handling threw: API Gateway's plain 500, or,
 * when part of an answer is out already, a closed connection, so that the client
 * sees the failure and the server goes on serving others.
 */
export function answerInternalError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  process.stderr.write(`Internal error serving ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}\n`);
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  // Headers set before the failure belong to an answer that is not given.
  for (const name of res.getHeaderNames()) if (name !== 'x-amzn-requestid') res.removeHeader(name);
  res.statusCode = 500;
  res.setHeader('Content-Type', 'application/json');
  res.end('{"message":"Internal server error"}');
}

function newNode(): ResourceNode {
  return { literals: new Map(), param: undefined, greedy: undefined, methods: new Map() };
}

/**
 * A proxy response's headers then multiValueHeaders, as node:http will take them; undefined
 * if any is malformed (a name or value it refuses, a multi-value entry that is no array).
 */
function proxyHeaders(headers: unknown, multiValueHeaders: unknown): [string, string | string[]][] | undefined {
  const isMap = (value: unknown) => value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
  const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (!isMap(headers) || !isMap(multiValueHeaders)) return undefined;
  const result: [string, string | string[]][] = [];
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (!isScalar(value)) return undefined;
    result.push([name, String(value)]);
  }
  for (const [name, values] of Object.entries((multiValueHeaders ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(values) || !values.every(isScalar)) return undefined;
    result.push([name, values.map(String)]);
  }
  try {
    for (const [name, value] of result) {
      validateHeaderName(name);
      for (const one of Array.isArray(value) ? value : [value]) validateHeaderValue(name, one);
    }
  } catch {
    return undefined;
  }
  return result;
}

function hasParameter(state: RequestState, name: string): boolean {
  const [location, key] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  const value =
    location === 'querystring' ? state.query.get(key) : location === 'header' ? state.req.headers[key.toLowerCase()] : state.pathParams?.[key];
  return typeof value === 'string' ? value.trim() !== '' : Array.isArray(value) && value.length > 0;
}

function validBody(schema: Validator, body: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(body === '' ? '{}' : body);
  } catch {
    return false;
  }
  return schema(value);
}

/** How much of an oversized body is read and dropped, so that the client, still sending, gets the answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads the request body, up to `limit` bytes; undefined if it is longer. An
 * oversized body is read to its end and dropped (up to DRAIN_LIMIT), so that a
 * client still sending it can read the answer, and no memory beyond `limit` is held.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length']) > DRAIN_LIMIT) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
      else if (length > DRAIN_LIMIT) {
        req.pause();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(length > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

/** `promise`'s value, or undefined if it takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** API Gateway's throttle: a bucket of `burstLimit` tokens, refilled at `rateLimit` per second; a request takes one. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly limits: ThrottleModel) {
    this.tokens = limits.burstLimit;
  }

  hasToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + ((now - this.last) / 1000) * this.limits.rateLimit);
    this.last = now;
    return this.tokens >= 1;
  }

  /** Only after hasToken() said yes, in the same turn of the event loop. */
  take(): void {
    this.tokens -= 1;
  }
}
