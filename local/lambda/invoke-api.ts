/**
 * Lambda's Invoke operation, as `sam local start-lambda` offers it, so that the
 * AWS CLI and SDKs can invoke the stack's functions with `--endpoint-url`:
 * `POST /2015-03-31/functions/<name, ARN or partial ARN>/invocations`, invocation
 * types RequestResponse, Event and DryRun, the log's last 4 KB with `X-Amz-Log-Type: Tail`
 * (`--log-type Tail`, in `X-Amz-Log-Result`), and Lambda's own answers for a function
 * error (200 with `X-Amz-Function-Error: Unhandled`), an unknown function or one of
 * another region or account (404 ResourceNotFoundException) and a refused payload.
 *
 * Like Lambda, it takes only SigV4-signed requests (by LOCAL_CREDENTIALS, for
 * service lambda) whenever an unsigned one would open a door the stack keeps shut:
 * when the REST API requires authorization, the invoke API must not bypass it, and
 * when the server listens beyond loopback, other machines must not run the function
 * freely. Then error traces lose the host's paths too, as Lambda's show /var/task.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../shared/host';
import { percentDecode, readBody } from '../shared/http';
import { LAMBDA_SIGNING_SERVICE, verifySignature } from '../shared/sigv4';
import type { StackModel } from '../stack/model';
import { type InvocationResult, MAX_REQUEST_BYTES } from './invocation';
import { logTail } from './invocation-log';
import type { FunctionRuntime } from './runtime';

/** The path prefix of Lambda's API, which the local server reserves for it. */
export const LAMBDA_API_PREFIX = '/2015-03-31/';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** Who may call the invoke API, and what its answers may show. */
export interface InvokeApiAccess {
  /** Why requests must be SigV4-signed by LOCAL_CREDENTIALS; undefined when unsigned ones are served. */
  readonly signatureRequired: string | undefined;
  /** Error traces show the function's code at /var/task, as Lambda's do, rather than at its path on this machine. */
  readonly hidePaths: boolean;
}

/** The invoke API's access for `model` served on `host`: as open as the stack's REST API, and never open beyond this machine. */
export function invokeApiAccess(model: StackModel, host: string): InvokeApiAccess {
  const authorized = model.api?.routes.some((route) => route.authorization !== 'NONE' || route.apiKeyRequired) === true;
  const local = isLoopback(host);
  return {
    signatureRequired: !local ? `HOST=${host} lets other machines reach it` : authorized ? 'the REST API requires authorization' : undefined,
    hidePaths: !local,
  };
}

export class LambdaInvokeApi {
  constructor(
    private readonly runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly region: string,
    private readonly accountId: string,
    private readonly access: InvokeApiAccess = { signatureRequired: undefined, hidePaths: false },
  ) {}

  /** A promise when the answer is asynchronous; it rejects with a failure left unanswered, for the caller to answer. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): void | Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    return readBody(req, MAX_REQUEST_BYTES).then(
      (body) => {
        if (body === undefined) {
          res.setHeader('Connection', 'close');
          return this.error(res, 413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`);
        }
        if (this.access.signatureRequired) {
          const failure = verifySignature(req, body, this.region, LAMBDA_SIGNING_SERVICE);
          // AWS's front door answers these, before Lambda: `message`, not Lambda's `Message`.
          if (failure) return this.error(res, 403, failure.errorType, failure.message, { message: failure.message });
        }
        return this.invoke(req, res, pathname, query, body, requestId);
      },
      () => void res.destroy(),
    );
  }

  private invoke(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, body: Buffer, requestId: string): void | Promise<void> {
    const match = INVOKE_PATH.exec(pathname);
    if (!match || req.method !== 'POST') {
      return this.error(res, 404, 'UnknownOperationException', `The local server implements Lambda's Invoke operation only: POST ${LAMBDA_API_PREFIX}functions/<name>/invocations, not ${req.method} ${pathname}.`);
    }
    const { name, qualifier, region, accountId } = parseFunctionName(percentDecode(match[1]));
    if (region !== undefined && region !== this.region) {
      return this.error(res, 404, 'ResourceNotFoundException', `Functions from '${region}' are not reachable in this region ('${this.region}')`);
    }
    const version = query.get('Qualifier') ?? qualifier ?? '$LATEST';
    const runtime = this.runtimes.get(name);
    if (!runtime || version !== '$LATEST' || (accountId !== undefined && accountId !== this.accountId)) {
      const arn = `arn:aws:lambda:${this.region}:${accountId ?? this.accountId}:function:${name}${version === '$LATEST' ? '' : `:${version}`}`;
      return this.error(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    }
    const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
      return this.error(res, 400, 'InvalidParameterValueException', `X-Amz-Invocation-Type ${JSON.stringify(invocationType)} is not one of RequestResponse, Event or DryRun.`);
    }
    const logType = req.headers['x-amz-log-type'] ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      return this.error(res, 400, 'InvalidParameterValueException', `X-Amz-Log-Type ${JSON.stringify(logType)} is not one of None or Tail.`);
    }
    if (invocationType === 'DryRun') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const payload = body.toString('utf8');
    if (invocationType === 'Event') {
      // Lambda parses the payload before it queues the event: one it cannot parse is refused, not lost.
      try {
        JSON.parse(payload === '' ? '{}' : payload);
      } catch (error) {
        return this.error(res, 400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
      }
      // Lambda queues the event and answers at once; its outcome goes to the function's log only.
      void runtime.invoke(payload, requestId);
      res.statusCode = 202;
      res.end();
      return;
    }
    return runtime.invoke(payload, requestId).then((result) => {
      if (result.kind === 'rejected') {
        // A throttle carries its Reason, which Lambda sends with a lower-case `message`.
        const body = result.reason === undefined ? undefined : { Reason: result.reason, Type: 'User', message: result.message };
        return this.error(res, result.status, result.errorType, result.message, body);
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Amz-Executed-Version', '$LATEST');
      if (result.kind === 'error') res.setHeader('X-Amz-Function-Error', 'Unhandled');
      // Only a synchronous invocation returns its log, as in Lambda.
      if (logType === 'Tail') res.setHeader('X-Amz-Log-Result', logTail(this.access.hidePaths ? (result.log ?? '').replace(HOST_PATH, '/var/task/$1') : (result.log ?? '')));
      res.end(result.kind === 'error' && this.access.hidePaths ? withoutHostPaths(result) : result.payload);
    });
  }

  /** An error of Lambda's API itself (not of the function), shaped as the AWS CLI and SDKs parse it. */
  private error(res: ServerResponse, status: number, errorType: string, message: string, body: object = { Type: 'User', Message: message }): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('x-amzn-ErrorType', errorType);
    res.end(JSON.stringify(body));
  }
}

interface FunctionReference {
  readonly name: string;
  readonly qualifier: string | undefined;
  /** Given by a full ARN only. */
  readonly region: string | undefined;
  /** Given by a full or partial ARN. */
  readonly accountId: string | undefined;
}

/** `name`, `name:qualifier`, `123456789012:function:name[:qualifier]` or a full ARN. */
function parseFunctionName(raw: string): FunctionReference {
  const parts = raw.split(':');
  if (parts[0] === 'arn') return { name: parts[6] ?? '', qualifier: parts[7], region: parts[3], accountId: parts[4] };
  if (parts[1] === 'function') return { name: parts[2] ?? '', qualifier: parts[3], region: undefined, accountId: parts[0] };
  return { name: parts[0], qualifier: parts[1], region: undefined, accountId: undefined };
}

/** An absolute path of this machine, in a stack frame; its file name is kept. */
const HOST_PATH = /\/(?:[^/\s():]+\/)+([^/\s():]+)/g;

/** The error object with its trace pointing at /var/task, where Lambda keeps the function's code. */
function withoutHostPaths(result: Extract<InvocationResult, { kind: 'error' }>): string {
  const { trace } = result.error;
  return JSON.stringify({ ...result.error, ...(trace ? { trace: trace.map((line) => line.replace(HOST_PATH, '/var/task/$1')) } : {}) });
}
