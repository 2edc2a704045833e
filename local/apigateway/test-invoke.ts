/**
 * API Gateway's TestInvokeMethod, what the console's Test tab and `aws apigateway
 * test-invoke-method` call: one method of the REST API, named by its resource id
 * and HTTP method, run with a simulated request in the stage `test-invoke-stage`,
 * answered with the method's status, body and headers, the latency and the
 * execution log. As in AWS, a test invoke skips the caller's authorization, API
 * keys and throttling; the rest is the gateway's own pipeline (./gateway), the
 * same code a request over HTTP runs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TEST_INVOKE_STAGE } from '../stack/model';
import { ExecutionLog } from './execution-log';
import { type RestApiGateway, MAX_PAYLOAD_BYTES } from './gateway';
import type { GatewayRequest, GatewayResponse, RoutedRequest } from './request';

/** TestInvokeMethod's request body (the fields this server uses; clientCertificateId has no effect on a Lambda integration). */
export interface TestInvokeInput {
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly pathWithQueryString?: string;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

/** TestInvokeMethod's answer. */
export interface TestInvokeOutput {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly log: string;
  /** Milliseconds, from the simulated request to its answer. */
  readonly latency: number;
}

/** Why a test invoke was refused before it ran: API Gateway's own error. */
export interface TestInvokeRefusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** A test invoke's outcome; `functionLog` is the invocation's log as Lambda files it, when a function ran (for the console page). */
export type TestInvokeResult = { readonly output: TestInvokeOutput; readonly functionLog: string | undefined } | { readonly refused: TestInvokeRefusal };

/** The simulated request's source address, as API Gateway reports it in `$context.identity.sourceIp`. */
const TEST_INVOKE_SOURCE_IP = 'test-invoke-source-ip';

export async function testInvoke(gateway: RestApiGateway, resourceId: string, httpMethod: string, input: TestInvokeInput): Promise<TestInvokeResult> {
  const method = gateway.method(resourceId, httpMethod);
  if (method === 'no resource') return { refused: notFound('Invalid Resource identifier specified') };
  if (!method) return { refused: notFound('Invalid Method identifier specified') };
  const target = input.pathWithQueryString || method.model.resourcePath;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  // The path fills in the resource's path parameters, so it has to be one of the resource's paths.
  const found = gateway.match(path, httpMethod);
  if (!found || found.route !== method) {
    return {
      refused: {
        status: 400,
        errorType: 'BadRequestException',
        message: `pathWithQueryString ${JSON.stringify(target)} is not a path of the resource ${method.model.resourcePath}: give one that matches it, e.g. ${JSON.stringify(method.model.resourcePath)}.`,
      },
    };
  }
  const body = Buffer.from(input.body ?? '', 'utf8');
  if (body.length > MAX_PAYLOAD_BYTES) {
    return { refused: { status: 413, errorType: 'PayloadTooLargeException', message: `The body is ${body.length} bytes; API Gateway takes at most ${MAX_PAYLOAD_BYTES}.` } };
  }
  const requestId = randomUUID();
  const log = new ExecutionLog(requestId);
  const res = new RecordedResponse();
  const state: RoutedRequest = {
    req: simulatedRequest(httpMethod, input),
    res,
    requestId,
    stage: { name: TEST_INVOKE_STAGE, variables: { ...input.stageVariables } },
    path,
    query,
    log,
    route: method,
    pathParams: found.params,
  };
  const started = performance.now();
  await gateway.execute(state, body);
  const headers = Object.fromEntries(res.headers);
  return {
    output: {
      status: res.statusCode,
      body: res.body,
      headers,
      multiValueHeaders: Object.fromEntries([...res.headers].map(([name, value]) => [name, [value]])),
      log: log.testInvokeText(),
      latency: Math.round(performance.now() - started),
    },
    functionLog: log.functionLog,
  };
}

function notFound(message: string): TestInvokeRefusal {
  return { status: 404, errorType: 'NotFoundException', message };
}

/** The request a test invoke simulates: its headers (single and multi-valued) as the caller gave them. */
function simulatedRequest(httpMethod: string, input: TestInvokeInput): GatewayRequest {
  const rawHeaders: string[] = [];
  const headers: IncomingHttpHeaders = {};
  const headersDistinct: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${String(previous)},${value}`;
    (headersDistinct[key] ??= []).push(value);
  };
  for (const [name, value] of Object.entries(input.headers ?? {})) add(name, value);
  for (const [name, values] of Object.entries(input.multiValueHeaders ?? {})) for (const value of values) add(name, value);
  return { method: httpMethod, headers, headersDistinct, rawHeaders, httpVersion: '1.1', socket: { remoteAddress: TEST_INVOKE_SOURCE_IP }, readableEnded: true };
}

/** Records the answer the pipeline gives, in place of a connection. */
class RecordedResponse implements GatewayResponse {
  statusCode = 200;
  body = '';
  headersSent = false;
  /** Names as the pipeline set them. */
  readonly headers = new Map<string, string>();

  setHeader(name: string, value: string | number | readonly string[]): this {
    for (const existing of this.headers.keys()) if (existing.toLowerCase() === name.toLowerCase()) this.headers.delete(existing);
    this.headers.set(name, Array.isArray(value) ? value.join(',') : String(value));
    return this;
  }

  getHeaders(): Record<string, string> {
    return Object.fromEntries([...this.headers].map(([name, value]) => [name.toLowerCase(), value]));
  }

  end(body: string | Buffer = ''): this {
    this.body = body.toString();
    this.headersSent = true;
    return this;
  }
}
