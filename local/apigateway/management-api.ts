/**
 * The one operation of API Gateway's management API the local server answers:
 * TestInvokeMethod (./test-invoke), at `POST /restapis/<api id>/resources/<resource
 * id>/methods/<HTTP method>` on the server's port, so that `aws apigateway
 * test-invoke-method --endpoint-url ...` works as the tutorial's console test does.
 * The path prefix `/restapis/` is reserved for it: no stage may be called `restapis`.
 *
 * Like the Lambda invoke API, it takes only SigV4-signed requests (by
 * LOCAL_CREDENTIALS, for service apigateway) whenever an unsigned one would open a
 * door the stack keeps shut: a test invoke skips the API's authorization.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvokeApiAccess } from '../lambda/invoke-api';
import { percentDecode, readBody } from '../shared/http';
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import { verifySignature } from '../shared/sigv4';
import type { RestApiGateway } from './gateway';
import { type TestInvokeInput, testInvoke } from './test-invoke';

/** The path prefix of API Gateway's management API, which the local server reserves for it. */
export const MANAGEMENT_API_PREFIX = '/restapis/';

/** The service API Gateway's management API is signed for. */
export const APIGATEWAY_SIGNING_SERVICE = 'apigateway';

const TEST_INVOKE_PATH = /^\/restapis\/([^/]+)\/resources\/([^/]+)\/methods\/([^/]+)\/?$/;

/** TestInvokeMethod's request is JSON of a few fields; anything near this size is not one. */
const MAX_REQUEST_BYTES = 11 * 1024 * 1024;

export class ManagementApi {
  /** @param gateway the REST API of the version served; undefined when the stack has none. */
  constructor(
    private readonly gateway: RestApiGateway | undefined,
    private readonly region: string,
    private readonly access: InvokeApiAccess,
  ) {}

  /** A promise when the answer is asynchronous; it rejects with a failure left unanswered, for the caller to answer. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    res.setHeader('x-amzn-RequestId', randomUUID());
    return readBody(req, MAX_REQUEST_BYTES).then(
      async (body) => {
        if (body === undefined) {
          res.setHeader('Connection', 'close');
          return error(res, 413, 'PayloadTooLargeException', `TestInvokeMethod's request must be smaller than ${MAX_REQUEST_BYTES} bytes.`);
        }
        if (this.access.signatureRequired) {
          const failure = verifySignature(req, body, this.region, APIGATEWAY_SIGNING_SERVICE);
          if (failure) return error(res, 403, failure.errorType, failure.message);
        }
        const match = TEST_INVOKE_PATH.exec(pathname);
        if (!match || req.method !== 'POST') {
          return error(
            res,
            404,
            'UnknownOperationException',
            `The local server implements API Gateway's TestInvokeMethod only: POST ${MANAGEMENT_API_PREFIX}<api id>/resources/<resource id>/methods/<HTTP method>, not ${req.method} ${pathname}.`,
          );
        }
        const [apiId, resourceId, httpMethod] = match.slice(1).map(percentDecode);
        const { gateway } = this;
        if (!gateway || gateway.api.id !== apiId) return error(res, 404, 'NotFoundException', `Invalid API identifier specified ${LOCAL_ACCOUNT_ID}:${apiId}`);
        const input = parseInput(body);
        if (typeof input === 'string') return error(res, 400, 'BadRequestException', input);
        const result = await testInvoke(gateway, resourceId, httpMethod, input);
        if ('refused' in result) return error(res, result.refused.status, result.refused.errorType, result.refused.message);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(result.output));
      },
      () => void res.destroy(),
    );
  }
}

/** TestInvokeMethod's input, or what is wrong with it. */
export function parseInput(body: Buffer): TestInvokeInput | string {
  let input: unknown;
  try {
    input = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch (cause) {
    return `The request body is not JSON (${(cause as Error).message}): send TestInvokeMethod's fields, e.g. {"body": "{\\"operation\\":\\"ping\\"}"}.`;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'The request body must be a JSON object of TestInvokeMethod\'s fields (body, headers, pathWithQueryString, ...).';
  const fields = input as Record<string, unknown>;
  const isStringMap = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  for (const name of ['body', 'pathWithQueryString', 'clientCertificateId'] as const) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string') return `${name} is ${JSON.stringify(fields[name])}: it must be a string.`;
  }
  for (const name of ['headers', 'stageVariables'] as const) {
    if (fields[name] !== undefined && fields[name] !== null && !isStringMap(fields[name])) return `${name} is ${JSON.stringify(fields[name])}: it must map names to string values.`;
  }
  const multi = fields.multiValueHeaders;
  if (
    multi !== undefined &&
    multi !== null &&
    !(typeof multi === 'object' && !Array.isArray(multi) && Object.values(multi).every((v) => Array.isArray(v) && v.every((one) => typeof one === 'string')))
  ) {
    return `multiValueHeaders is ${JSON.stringify(multi)}: it must map names to lists of strings.`;
  }
  return {
    body: (fields.body ?? undefined) as string | undefined,
    headers: (fields.headers ?? undefined) as Record<string, string> | undefined,
    multiValueHeaders: (multi ?? undefined) as Record<string, string[]> | undefined,
    pathWithQueryString: (fields.pathWithQueryString ?? undefined) as string | undefined,
    stageVariables: (fields.stageVariables ?? undefined) as Record<string, string> | undefined,
  };
}

/** An error of API Gateway's API itself, shaped as the AWS CLI and SDKs parse it (rest-json: the type in a header, `message` in the body). */
function error(res: ServerResponse, status: number, errorType: string, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('x-amzn-ErrorType', errorType);
  res.end(JSON.stringify({ message }));
}
