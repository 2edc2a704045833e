/**
 * Lambda's Invoke operation, as `sam local start-lambda` offers it, so that the
 * AWS CLI and SDKs can invoke the stack's functions with `--endpoint-url`:
 * `POST /2015-03-31/functions/<name, ARN or partial ARN>/invocations`, invocation
 * types RequestResponse, Event and DryRun, and Lambda's own answers for a function
 * error (200 with `X-Amz-Function-Error: Unhandled`), an unknown function (404
 * ResourceNotFoundException) and a refused payload.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FunctionRuntime, MAX_REQUEST_BYTES } from './lambda-runtime';
import { readBody } from './rest-api';
import { percentDecode } from './sigv4';

/** The path prefix of Lambda's API, which the local server reserves for it. */
export const LAMBDA_API_PREFIX = '/2015-03-31/';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export class LambdaInvokeApi {
  constructor(
    private readonly runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** A promise when the answer is asynchronous; it rejects with a failure left unanswered, for the caller to answer. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): void | Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const match = INVOKE_PATH.exec(pathname);
    if (!match || req.method !== 'POST') {
      return this.error(res, 404, 'UnknownOperationException', `The local server implements Lambda's Invoke operation only: POST ${LAMBDA_API_PREFIX}functions/<name>/invocations, not ${req.method} ${pathname}.`);
    }
    const { name, qualifier } = parseFunctionName(percentDecode(match[1]));
    const version = query.get('Qualifier') ?? qualifier ?? '$LATEST';
    const runtime = this.runtimes.get(name);
    if (!runtime || version !== '$LATEST') {
      const arn = `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}${version === '$LATEST' ? '' : `:${version}`}`;
      return this.error(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    }
    const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
      return this.error(res, 400, 'InvalidParameterValueException', `X-Amz-Invocation-Type ${JSON.stringify(invocationType)} is not one of RequestResponse, Event or DryRun.`);
    }
    return readBody(req, MAX_REQUEST_BYTES).then(
      (body) => {
        if (body === undefined) {
          res.setHeader('Connection', 'close');
          return this.error(res, 413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`);
        }
        if (invocationType === 'DryRun') {
          res.statusCode = 204;
          res.end();
          return;
        }
        const invocation = runtime.invoke(body.toString('utf8'), requestId);
        if (invocationType === 'Event') {
          // Lambda queues the event and answers at once; its outcome goes to the function's log only.
          res.statusCode = 202;
          res.end();
          return;
        }
        return invocation.then((result) => {
          if (result.kind === 'rejected') return this.error(res, result.status, result.errorType, result.message, result.reason);
          res.statusCode = 200;
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('X-Amz-Executed-Version', '$LATEST');
          if (result.kind === 'error') res.setHeader('X-Amz-Function-Error', 'Unhandled');
          res.end(result.payload);
        });
      },
      () => void res.destroy(),
    );
  }

  /**
   * An error of Lambda's API itself (not of the function), shaped as the AWS CLI and SDKs parse it.
   * @param reason a throttle's Reason, which Lambda sends with a lower-case `message`.
   */
  private error(res: ServerResponse, status: number, errorType: string, message: string, reason?: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('x-amzn-ErrorType', errorType);
    res.end(JSON.stringify(reason === undefined ? { Type: 'User', Message: message } : { Reason: reason, Type: 'User', message }));
  }
}

/** `name`, `name:qualifier`, `123456789012:function:name[:qualifier]` or a full ARN → name and qualifier. */
function parseFunctionName(raw: string): { name: string; qualifier: string | undefined } {
  const parts = raw.split(':');
  if (parts[0] === 'arn') return { name: parts[6] ?? '', qualifier: parts[7] };
  if (parts[1] === 'function') return { name: parts[2] ?? '', qualifier: parts[3] };
  return { name: parts[0], qualifier: parts[1] };
}
