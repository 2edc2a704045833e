/**
 * Lambda proxy integrations (AWS_PROXY): the event API Gateway builds from the
 * whole request, and the response the function returns whole, which API Gateway
 * answers 502 for unless it is well formed.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { type ApiIdentity, requestContext, type RoutedRequest } from './request';

/** The event of a proxy integration: the request, whole. */
export function proxyEvent(state: RoutedRequest, body: string, api: ApiIdentity) {
  const { req } = state;
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
  const pathParams = state.pathParams;
  return {
    resource: state.route.model.resourcePath,
    path: state.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(pathParams).length > 0 ? pathParams : null,
    stageVariables: Object.keys(state.stage.variables).length > 0 ? state.stage.variables : null,
    requestContext: requestContext(state, api),
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

/** A proxy integration's answer, as the function gave it. */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: readonly [string, string | string[]][];
  readonly body: string | Buffer;
}

/** The response the function's result `payload` describes, or undefined if it is malformed (API Gateway answers 502). */
export function parseProxyResponse(payload: string): ProxyResponse | undefined {
  let response: { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  try {
    response = JSON.parse(payload);
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
    return undefined;
  }
  const body = (response.body ?? '') as string;
  return { statusCode: statusCode as number, headers, body: response.isBase64Encoded === true ? Buffer.from(body, 'base64') : body };
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
