/**
 * What the REST API's pipeline (./gateway) writes into a request's execution log
 * (./execution-log) at each step, in API Gateway's words. Called only when the
 * request has a log.
 */
import type { InvocationResult } from '../lambda/invocation';
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import { type ExecutionLog, logMap } from './execution-log';
import type { GatewayResponseType } from './gateway-responses';
import type { ApiIdentity, GatewayRequest, RequestState, RoutedRequest } from './request';

/** The method request, as the method receives it. */
export function logMethodRequest(state: RoutedRequest, log: ExecutionLog, body: string): void {
  log.add(`Starting execution for request: ${state.requestId}`);
  log.add(`HTTP Method: ${state.req.method}, Resource Path: ${state.route.model.resourcePath}`);
  log.add(`Method request path: ${logMap(Object.entries(state.pathParams))}`);
  log.add(`Method request query string: ${logMap(state.query)}`);
  log.add(`Method request headers: ${logMap(headerPairs(state.req))}`);
  log.add(`Method request body before transformations: ${body}`);
}

/** The request to Lambda's Invoke, after the request template. */
export function logEndpointRequest(state: RoutedRequest, log: ExecutionLog, api: ApiIdentity, functionArn: string, payload: string): void {
  const endpoint = `https://lambda.${api.region}.amazonaws.com/2015-03-31/functions/${functionArn}/invocations`;
  const sourceArn = `arn:aws:execute-api:${api.region}:${LOCAL_ACCOUNT_ID}:${api.apiId}/${state.stage.name}/${state.req.method}${state.route.model.resourcePath}`;
  log.add(`Endpoint request URI: ${endpoint}`);
  log.add(
    `Endpoint request headers: ${logMap([
      ['x-amzn-lambda-integration-tag', state.requestId],
      ['X-Amz-Date', new Date().toISOString().replace(/[-:]|\.\d{3}/g, '')],
      ['x-amzn-apigateway-api-id', api.apiId],
      ['Accept', 'application/json'],
      ['User-Agent', `AmazonAPIGateway_${api.apiId}`],
      ['X-Amz-Source-Arn', sourceArn],
    ])}`,
  );
  log.add(`Endpoint request body after transformations: ${payload}`);
  log.add(`Sending request to ${endpoint}`);
}

/** What the function answered, as API Gateway logs Lambda's response. */
export function logEndpointResponse(log: ExecutionLog, result: InvocationResult, lambdaRequestId: string, latencyMs: number): void {
  const payload = result.kind === 'rejected' ? JSON.stringify({ Type: 'User', message: result.message }) : result.payload;
  const status = result.kind === 'rejected' ? result.status : 200;
  log.add(`Received response. Status: ${status}, Integration latency: ${latencyMs} ms`);
  log.add(
    `Endpoint response headers: ${logMap([
      ['Date', new Date().toUTCString()],
      ['Content-Type', 'application/json'],
      ['Content-Length', Buffer.byteLength(payload)],
      ['Connection', 'keep-alive'],
      ['x-amzn-RequestId', lambdaRequestId],
      ...(result.kind === 'error' ? [['X-Amz-Function-Error', 'Unhandled'] as const] : []),
      ...(result.kind === 'rejected' ? [['x-amzn-ErrorType', result.errorType] as const] : [['X-Amz-Executed-Version', '$LATEST'] as const]),
    ])}`,
  );
  log.add(`Endpoint response body before transformations: ${payload}`);
  if (result.kind !== 'rejected') log.functionLog = result.log;
}

/** The method response, as the log shows it before the method completes. */
export function logMethodResponse(state: RoutedRequest, log: ExecutionLog, body: string | Buffer): void {
  log.add(`Method response body after transformations: ${body.toString()}`);
  log.add(`Method response headers: ${logMap(responseHeaders(state.res))}`);
  log.add('Successfully completed execution');
}

/** An answer of API Gateway's own (a gateway response), instead of the method's. */
export function logGatewayResponse(state: RequestState, log: ExecutionLog, type: GatewayResponseType, body: string): void {
  log.add(`Gateway response type: ${type} with status code: ${state.res.statusCode}`);
  log.add(`Gateway response body: ${body}`);
  log.add(`Gateway response headers: ${logMap(responseHeaders(state.res))}`);
}

/** The headers of the answer, but the request id every answer carries. */
function responseHeaders(res: RequestState['res']): [string, unknown][] {
  return Object.entries(res.getHeaders()).filter(([name]) => name !== 'x-amzn-requestid');
}

/** The request's headers as received, names in their own case. */
function headerPairs(req: GatewayRequest): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return pairs;
}
