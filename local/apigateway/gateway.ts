/**
 * The stack's REST API as API Gateway serves it, at `/<stage>/<resource path>`,
 * one request at a time through API Gateway's pipeline: routing (./routes), the
 * caller's signature (AWS_IAM, ../shared/sigv4) and API key, stage and usage plan
 * throttling (./token-bucket), request validation, the Lambda integration,
 * non-proxy (AWS: request templates and passthrough, integration responses chosen
 * by selection pattern, response templates and their overrides) or proxy (AWS_PROXY,
 * ./proxy-integration), MOCK integrations (API Gateway answering by itself), and
 * API Gateway's own error answers (gateway responses, overridable by the stack:
 * ./gateway-responses).
 *
 * Everything that can be prepared from the stack is prepared once, when the
 * gateway is made: routes, compiled templates, patterns, schemas, the keys' throttles.
 *
 * The pipeline writes API Gateway's execution log of a request as it runs
 * (./execution-log) when someone reads it: a test invoke (./test-invoke), which
 * runs the same pipeline from its routed method on, or `--verbose`, which prints
 * it for every request. Nothing is logged otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvocationResult } from '../lambda/invocation';
import type { FunctionRuntime } from '../lambda/runtime';
import { readBody } from '../shared/http';
import { verifySignature } from '../shared/sigv4';
import { withTimeout } from '../shared/with-timeout';
import type { RestApiModel, StageModel } from '../stack/model';
import type { LocalApiKey } from './api-keys';
import { ExecutionLog } from './execution-log';
import { GATEWAY_RESPONSES, type GatewayResponseType } from './gateway-responses';
import { validBody } from './json-schema';
import { logEndpointRequest, logEndpointResponse, logGatewayResponse, logMethodRequest, logMethodResponse } from './pipeline-log';
import { parseProxyResponse, proxyEvent } from './proxy-integration';
import { type ApiIdentity, hasParameter, requestContext, type RequestState, type RoutedRequest, templateInput } from './request';
import { type CompiledIntegrationResponse, type CompiledRoute, RouteTree } from './routes';
import { TokenBucket } from './token-bucket';
import { compileTemplate, type MappingTemplate, renderResponse, type ResponseOverride, ResponseOverrideError } from './velocity';

/** API Gateway's limit on a request's payload. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  /** Where to print the execution log of every request (`--verbose`); unset: nowhere. */
  readonly executionLogTo?: NodeJS.WritableStream;
  /** Debug mode: no integration timeout, as a breakpoint may hold an invocation as long as it takes. @default false */
  readonly debug?: boolean;
}

interface CompiledGatewayResponse {
  readonly status: number | undefined;
  readonly template: MappingTemplate | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Header name → the request header it copies. */
  readonly requestHeaders: Readonly<Record<string, string>>;
}

type InvocationOutcome = Exclude<InvocationResult, { kind: 'rejected' }>;


export class RestApiGateway {
  private readonly stages = new Map<string, StageModel>();
  private readonly routes = new RouteTree();
  private readonly gatewayResponses = new Map<string, CompiledGatewayResponse>();
  /** Enabled keys by value: the stages their plans admit them to, each with the plan's throttle of the key. */
  private readonly apiKeys = new Map<string, Map<string, TokenBucket | undefined>>();
  private readonly identity: ApiIdentity;
  /** Each method by its resource id and HTTP method, as TestInvokeMethod names it. */
  private readonly methods = new Map<string, CompiledRoute>();

  constructor(
    readonly api: RestApiModel,
    runtimes: ReadonlyMap<string, FunctionRuntime>,
    region: string,
    apiKeys: readonly LocalApiKey[],
    private readonly options: GatewayOptions = {},
  ) {
    this.identity = { apiId: api.id, region };
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
    for (const route of api.routes) {
      const runtime = route.integration.type === 'MOCK' ? undefined : runtimes.get(route.integration.functionName)!;
      this.methods.set(`${route.resourceId} ${route.httpMethod}`, this.routes.add(route, runtime));
    }
    for (const [type, response] of api.gatewayResponses) {
      const template = response.responseTemplates['application/json'] ?? Object.values(response.responseTemplates)[0];
      this.gatewayResponses.set(type, {
        status: response.statusCode,
        template: template ? compileTemplate(template, `the gateway response ${type}`) : undefined,
        headers: response.headers,
        requestHeaders: response.requestHeaders,
      });
    }
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
    // API Gateway answers an unknown stage, path or method alike, so as not to reveal which exist.
    const found = stage && this.routes.match(path, req.method ?? 'GET');
    if (!stage || !found) {
      this.fail({ req, res, requestId, stage, path, query, log: undefined }, 'MISSING_AUTHENTICATION_TOKEN');
      return Promise.resolve();
    }
    const log = this.options.executionLogTo && new ExecutionLog(requestId);
    const state: RoutedRequest = { req, res, requestId, stage, path, query, log, route: found.route, pathParams: found.params };
    // A signature covers the body, so the checks wait for it; they all come before any throttle takes a token.
    return readBody(req, MAX_PAYLOAD_BYTES).then(
      async (body) => {
        if (body === undefined) this.fail(state, 'REQUEST_TOO_LARGE');
        else if (this.admit(state, req, body)) return this.execute(state, body);
        this.completed(state);
      },
      () => void res.destroy(),
    );
  }

  /** The method `httpMethod` of the resource `resourceId`, if the API has it; 'no resource' when it has no such resource. */
  method(resourceId: string, httpMethod: string): CompiledRoute | 'no resource' | undefined {
    if (!this.api.routes.some((route) => route.resourceId === resourceId)) return 'no resource';
    return this.methods.get(`${resourceId} ${httpMethod}`);
  }

  /** The route `path` reaches with `httpMethod`, with its path parameters; undefined if none. */
  match(path: string, httpMethod: string): ReturnType<RouteTree['match']> {
    return this.routes.match(path, httpMethod);
  }

  /**
   * Runs an admitted request through its method: validation, templates, the
   * integration, the response. Real requests and test invokes alike come here.
   */
  async execute(state: RoutedRequest, body: Buffer): Promise<void> {
    await this.integrate(state, body).catch((error: unknown) => this.internalError(state, error));
    this.completed(state);
  }

  /** The execution log's last line, and the log printed with --verbose. */
  private completed(state: RequestState): void {
    if (!state.log) return;
    state.log.add(`Method completed with status: ${state.res.statusCode}`);
    this.options.executionLogTo?.write(state.log.cloudWatchText());
  }

  /**
   * API Gateway's checks before a method runs: the caller's signature (AWS_IAM),
   * the API key, then the stage's throttle and the key's. Answers and returns
   * false when one fails.
   */
  private admit(state: RoutedRequest, req: IncomingMessage, body: Buffer): boolean {
    const route = state.route.model;
    const stage = state.stage.name;
    if (route.authorization === 'AWS_IAM') {
      const failure = verifySignature(req, body, this.identity.region);
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
    const stageBucket = state.route.buckets.get(stage);
    // Both are checked before either is taken from: a request one refuses must not spend the other's token.
    if ((stageBucket && !stageBucket.hasToken()) || (keyBucket && !keyBucket.hasToken())) {
      this.fail(state, 'THROTTLED');
      return false;
    }
    stageBucket?.take();
    keyBucket?.take();
    return true;
  }

  private async integrate(state: RoutedRequest, body: Buffer): Promise<void> {
    const { route, req, log } = state;
    const bodyText = body.toString('utf8');
    // API Gateway takes a request without Content-Type for JSON.
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (log) logMethodRequest(state, log, bodyText);

    if (route.requiredParameters.length > 0) {
      const missing = route.requiredParameters.filter((name) => !hasParameter(state, name));
      if (missing.length > 0) {
        return this.fail(state, 'BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.map((m) => m.replace(/^\w+\./, '')).join(', ')}]`);
      }
    }
    const schema = route.bodySchemas.get(contentType) ?? route.bodySchemas.get('$default');
    if (schema && !validBody(schema, bodyText)) {
      log?.add(`Request body does not match model schema for content type ${contentType}`);
      return this.fail(state, 'BAD_REQUEST_BODY');
    }

    let payload: string;
    if (route.integration.type === 'AWS_PROXY') {
      payload = JSON.stringify(proxyEvent(state, bodyText, this.identity));
    } else {
      const template = route.requestTemplates.get(contentType);
      const behavior = route.integration.passthroughBehavior;
      if (template) {
        payload = template.render(templateInput(state, bodyText, this.identity));
      } else if (behavior === 'WHEN_NO_MATCH' || (behavior === 'WHEN_NO_TEMPLATES' && route.requestTemplates.size === 0)) {
        payload = bodyText;
      } else {
        return this.fail(state, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    // A MOCK integration sends no endpoint request: its log goes from the method request to the method response.
    if (route.integration.type === 'MOCK') return this.mockResponse(state, payload);
    if (log) logEndpointRequest(state, log, this.identity, route.runtime!.fn.arn, payload);
    if (!route.model.permittedMethods.get(state.stage.name)?.has(req.method ?? 'GET')) {
      // AWS answers so when no Lambda permission lets API Gateway invoke the function.
      log?.add('Execution failed due to configuration error: Invalid permissions on Lambda function');
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }

    // The function's request id, which is not API Gateway's.
    const lambdaRequestId = randomUUID();
    const sent = performance.now();
    const invocation = route.runtime!.invoke(payload, lambdaRequestId);
    const result = this.options.debug ? await invocation : await withTimeout(invocation, route.integration.timeoutMs);
    if (result === undefined) {
      log?.add('Execution failed due to a timeout error');
      return this.fail(state, 'INTEGRATION_TIMEOUT');
    }
    if (log) logEndpointResponse(log, result, lambdaRequestId, Math.round(performance.now() - sent));
    if (result.kind === 'rejected') {
      log?.add(`Lambda invocation failed with status: ${result.status}. Lambda request id: ${lambdaRequestId}`);
      if (result.errorType === 'InvalidRequestContentException') return this.fail(state, 'BAD_REQUEST_BODY', result.message);
      // Lambda refused the invocation: too large, or throttled (TooManyRequestsException). API Gateway answers
      // 500 "Internal server error", proxy integration or not, whatever the integration responses say
      // (Lambda developer guide, "Handling Lambda errors with an API Gateway API").
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }
    if (route.integration.type === 'AWS_PROXY') this.proxyResponse(state, result, lambdaRequestId);
    else this.lambdaResponse(state, result);
  }

  /** Picks the integration response as API Gateway does for Lambda: by selection pattern for a function error, else the default. */
  private lambdaResponse(state: RoutedRequest, result: InvocationOutcome): void {
    const { route } = state;
    const { log } = state;
    let chosen = route.defaultResponse;
    if (result.kind === 'error') {
      const message = result.error.errorMessage;
      const matched = route.responses.find((response) => response.pattern!.test(message));
      chosen = matched ?? route.defaultResponse;
      // This server's own line: API Gateway logs which response came out, not why.
      log?.add(
        matched
          ? `Function error ${JSON.stringify(message)} matched selection pattern ${JSON.stringify(matched.selectionPattern)}: integration response ${matched.statusCode}`
          : `Function error ${JSON.stringify(message)} matched no selection pattern: ${chosen ? `default integration response ${chosen.statusCode}` : 'no default integration response'}`,
      );
    }
    if (!chosen) {
      log?.add('Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 200');
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }
    this.integrationResponse(state, chosen, result.payload);
  }

  /**
   * A MOCK integration's answer: the `statusCode` of the integration request (what its
   * request template made) is matched against the selection patterns, as a back end's
   * status would be; none, or no match, takes the default response. Its body is the
   * response template's, if any: there is no back end's to pass through.
   */
  private mockResponse(state: RoutedRequest, integrationRequest: string): void {
    const status = mockStatusCode(integrationRequest);
    const { route } = state;
    const chosen = (status !== undefined && route.responses.find((response) => response.pattern!.test(status))) || route.defaultResponse;
    this.integrationResponse(state, chosen, '');
  }

  /** Answers with the chosen integration response: its template (and the overrides it sets) or the payload as it is, and its headers. */
  private integrationResponse(state: RoutedRequest, chosen: CompiledIntegrationResponse | undefined, payload: string): void {
    if (!chosen) {
      // Only a MOCK integration gets here without one: a Lambda's answer is checked in lambdaResponse, which logs it.
      state.log?.add('Execution failed due to configuration error: No match for output mapping and no default output mapping configured');
      return this.fail(state, 'API_CONFIGURATION_ERROR');
    }
    let body = payload;
    let override: ResponseOverride | undefined;
    if (chosen.template) {
      try {
        ({ body, override } = renderResponse(chosen.template, templateInput(state, payload, this.identity)));
      } catch (error) {
        if (!(error instanceof ResponseOverrideError)) throw error;
        process.stderr.write(`The response template for ${chosen.statusCode} of ${state.req.method} ${state.route.model.resourcePath} failed, so API Gateway answers 500: ${error.message}\n`);
        state.log?.add(`Execution failed due to configuration error: ${error.message}`);
        return this.fail(state, 'API_CONFIGURATION_ERROR');
      }
    }
    const { res } = state;
    res.statusCode = override?.status ?? chosen.statusCode;
    res.setHeader('Content-Type', chosen.contentType);
    for (const [name, value] of Object.entries({ ...chosen.headers, ...override?.headers })) res.setHeader(name, value);
    if (state.log) logMethodResponse(state, state.log, body);
    res.end(body);
  }

  /** A proxy integration's answer: the function returns the whole response, or API Gateway answers 502. */
  private proxyResponse(state: RoutedRequest, result: InvocationOutcome, lambdaRequestId: string): void {
    const response = result.kind === 'error' ? undefined : parseProxyResponse(result.payload);
    if (!response) {
      state.log?.add(
        result.kind === 'error'
          ? `Lambda execution failed with status 200 due to customer function error: ${result.error.errorMessage}. Lambda request id: ${lambdaRequestId}`
          : 'Execution failed due to configuration error: Malformed Lambda proxy response',
      );
      return this.fail(state, 'INTEGRATION_FAILURE');
    }
    const { res } = state;
    res.statusCode = response.statusCode;
    res.setHeader('Content-Type', 'application/json');
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (state.log) logMethodResponse(state, state.log, response.body);
    res.end(response.body);
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
          context: requestContext(state, this.identity, { type, message: text }),
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
    for (const [name, source] of Object.entries(override?.requestHeaders ?? {})) {
      // A header the request has several times gives its last value, as API Gateway's single-value mappings take it.
      const values = req.headersDistinct[source.toLowerCase()];
      if (values && values.length > 0) res.setHeader(name, values[values.length - 1]);
    }
    // A body too large to read to its end is left unread: the connection cannot be reused.
    if (type === 'REQUEST_TOO_LARGE' && !req.readableEnded) res.setHeader('Connection', 'close');
    if (state.log) logGatewayResponse(state, state.log, type, body);
    res.end(body);
  }

  private internalError(state: RoutedRequest, error: unknown): void {
    process.stderr.write(`Internal error serving ${state.req.method} /${state.stage.name}${state.path}: ${error instanceof Error ? error.stack : String(error)}\n`);
    state.log?.add(`Execution failed due to an internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (!state.res.headersSent) this.fail(state, 'API_CONFIGURATION_ERROR');
  }
}

/** The status a MOCK integration's request asks for: its JSON's `statusCode`; undefined when it names none. */
function mockStatusCode(integrationRequest: string): string | undefined {
  try {
    const statusCode = (JSON.parse(integrationRequest) as { statusCode?: unknown } | null)?.statusCode;
    return typeof statusCode === 'number' || typeof statusCode === 'string' ? String(statusCode) : undefined;
  } catch {
    return undefined;
  }
}
