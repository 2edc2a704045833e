/**
 * One version of the stack as the server serves it: the model read from one synth,
 * and the services built from it (the functions' runtimes, the REST API, the Lambda
 * invoke API, TestInvokeMethod and, on loopback, the console page). `npm start` serves one; watch mode (./watch) builds the next from
 * each good save and swaps it in: requests that arrived before the swap finish on
 * the version they arrived at, which then retires.
 *
 * A function the new version declares exactly as before, with the same code, keeps
 * its runtime and its warm environments; any other gets a new runtime.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { assignApiKeyValues, type LocalApiKey } from './apigateway/api-keys';
import { RestApiGateway } from './apigateway/gateway';
import { MANAGEMENT_API_PREFIX, ManagementApi } from './apigateway/management-api';
import { ConsolePage } from './console/console';
import { codeDigest } from './lambda/code';
import { type FunctionNode, selectFunctionNode } from './lambda/function-node';
import { invokeApiAccess, LAMBDA_API_PREFIX, LambdaInvokeApi } from './lambda/invoke-api';
import type { LambdaErrorObject } from './lambda/protocol';
import { FunctionRuntime } from './lambda/runtime';
import type { ServerSettings } from './settings';
import { isLoopback } from './shared/host';
import { LOCAL_ACCOUNT_ID } from './shared/local-account';
import type { FunctionModel, StackModel } from './stack/model';

export interface ServeOptions {
  readonly settings: ServerSettings;
  /** The embedded DynamoDB's URL, for the functions' AWS_ENDPOINT_URL_DYNAMODB. */
  readonly dynamodbEndpoint: string;
  /** Print API Gateway's execution log of every REST API request (`--verbose`). */
  readonly verbose: boolean;
  /** Debug mode (`--inspect`): the project the source maps lead to; undefined: Lambda's execution model. */
  readonly debug: { readonly projectDir: string } | undefined;
}

/** A function whose init failed, and the error it answers every invocation with. */
export interface InitFailure {
  readonly name: string;
  readonly error: LambdaErrorObject;
}

/** An init failure as the banner and a reload's block say it. */
export function describeInitFailure({ name, error }: InitFailure): string {
  return `${name} failed to initialise, and answers every invocation with: ${error.errorType}: ${error.errorMessage}`;
}

export class ServedStack {
  readonly runtimes = new Map<string, FunctionRuntime>();
  /** The Node.js of each runtime (nodejs22.x, ...): functions that share it share its Node.js. */
  readonly nodes = new Map<string, FunctionNode>();
  readonly apiKeys: readonly LocalApiKey[];
  /** Each function's code digest, by its address. */
  readonly codeDigests = new Map<string, string>();
  readonly gateway: RestApiGateway | undefined;
  private readonly lambdaApi: LambdaInvokeApi;
  private readonly managementApi: ManagementApi;
  /** Served on loopback only: it acts with the local credentials, whatever the API's authorization. */
  private readonly consolePage: ConsolePage | undefined;
  /** Runtimes this version made (the others it shares with the version before). */
  private readonly made: FunctionRuntime[] = [];
  /** Requests that arrived at this version and are not answered yet. */
  private requests = 0;
  private onIdle: (() => void) | undefined;

  /**
   * Builds the services from `model`, reusing what `previous` has that did not change.
   * Starts nothing; compiles the REST API's templates, patterns and schemas, so that a
   * bad one throws here, before anything runs.
   */
  constructor(
    readonly model: StackModel,
    options: ServeOptions,
    previous?: ServedStack,
  ) {
    for (const fn of model.functions) {
      if (!this.nodes.has(fn.runtime)) this.nodes.set(fn.runtime, previous?.nodes.get(fn.runtime) ?? selectFunctionNode(fn.runtime, process.env));
      const digest = codeDigest(fn.code);
      this.codeDigests.set(fn.address, digest);
      const before = previous?.runtimes.get(fn.name);
      if (before && sameFunction(before.fn, fn) && previous!.codeDigests.get(before.fn.address) === digest) {
        this.runtimes.set(fn.name, before);
        continue;
      }
      const runtime = new FunctionRuntime(fn, {
        extraEnvironment: { AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint },
        region: model.region,
        logTo: process.stdout,
        node: this.nodes.get(fn.runtime),
        debug: options.debug,
      });
      this.runtimes.set(fn.name, runtime);
      this.made.push(runtime);
    }
    this.apiKeys = assignApiKeyValues(model.api?.apiKeys ?? [], options.settings.localApiKey, previous?.apiKeys);
    this.gateway =
      model.api &&
      new RestApiGateway(model.api, this.runtimes, model.region, this.apiKeys, {
        executionLogTo: options.verbose ? process.stdout : undefined,
        debug: options.debug !== undefined,
      });
    const access = invokeApiAccess(model, options.settings.host);
    this.lambdaApi = new LambdaInvokeApi(this.runtimes, model.region, LOCAL_ACCOUNT_ID, access);
    this.managementApi = new ManagementApi(this.gateway, model.region, access);
    this.consolePage = isLoopback(options.settings.host)
      ? new ConsolePage({ model, gateway: this.gateway, runtimes: this.runtimes, dynamodbEndpoint: options.dynamodbEndpoint })
      : undefined;
  }

  /** Names of the functions this version runs on new runtimes (new code or settings), and of those it took over warm. */
  get functions(): { readonly replaced: readonly string[]; readonly kept: readonly string[] } {
    const replaced = this.made.map((runtime) => runtime.fn.name);
    return { replaced, kept: [...this.runtimes.keys()].filter((name) => !replaced.includes(name)) };
  }

  /** Starts the runtimes this version made, each with one environment warm; resolves with the inits that failed. */
  async start(): Promise<InitFailure[]> {
    const inits = await Promise.all(this.made.map(async (runtime) => ({ name: runtime.fn.name, error: await runtime.start() })));
    return inits.flatMap(({ name, error }) => (error ? [{ name, error }] : []));
  }

  /**
   * Serves one request: the Lambda invoke API and TestInvokeMethod under their
   * prefixes, the console page, anything else the REST API. Settles once it is answered; rejects with a failure left unanswered.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    res.once('close', () => {
      if (--this.requests === 0) this.onIdle?.();
    });
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (pathname.startsWith(LAMBDA_API_PREFIX)) return this.lambdaApi.handle(req, res, pathname, query);
    if (pathname.startsWith(MANAGEMENT_API_PREFIX)) return this.managementApi.handle(req, res, pathname);
    if (this.consolePage?.serves(req.method, pathname)) return this.consolePage.handle(req, res, pathname, query);
    if (this.gateway) return this.gateway.handle(req, res, pathname, query);
    res.statusCode = 403;
    res.setHeader('Content-Type', 'application/json');
    res.end('{"message":"Missing Authentication Token"}');
  }

  /**
   * Once every request that arrived at this version is answered, retires the runtimes
   * `next` does not share: each stops when its invocations (Event ones included) end.
   */
  async retire(next: ServedStack): Promise<void> {
    if (this.requests > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    const shared = new Set(next.runtimes.values());
    await Promise.all([...this.runtimes.values()].filter((runtime) => !shared.has(runtime)).map((runtime) => runtime.retire()));
  }

  /** Stops the runtimes this version made, for a version that is never served (a reload given up). */
  async discard(): Promise<void> {
    await Promise.allSettled(this.made.map((runtime) => runtime.stop()));
  }

  /** Stops every runtime this version uses, at once. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.stop()));
  }
}

/** Whether two versions declare a function alike, but for where its code is (compared by digest instead). */
function sameFunction(a: FunctionModel, b: FunctionModel): boolean {
  return isDeepStrictEqual({ ...a, code: undefined }, { ...b, code: undefined });
}
