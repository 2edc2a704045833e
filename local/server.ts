/**
 * `npm start`: serves the synthesized stack on this machine. One HTTP port carries
 * the REST API (`/<stage>/<path>`), the Lambda invoke API (`/2015-03-31/...`),
 * API Gateway's TestInvokeMethod (`/restapis/...`) and, on loopback, the console
 * page (GET `/` and `/_console/...`); the embedded DynamoDB listens on its own
 * port. DynamoDB runs in a worker thread, each Lambda function in execution
 * environments (worker threads, or child processes of another Node.js,
 * ./lambda/runtime), so the cores share the work and nothing outlives the process.
 *
 * What it serves comes from the synthesized stack only (./stack); each service it
 * emulates has a folder of its own: ./apigateway, ./lambda, ./dynamodb.
 *
 * `npm start` execs it with `--synth`, so that it is npm's child and gets the
 * signals npm forwards; SIGINT and SIGTERM stop it at any point, the synth included.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AccessLog } from './access-log';
import { assignApiKeyValues } from './apigateway/api-keys';
import { RestApiGateway } from './apigateway/gateway';
import { answerInternalError } from './apigateway/gateway-responses';
import { MANAGEMENT_API_PREFIX, ManagementApi } from './apigateway/management-api';
import { banner } from './banner';
import { ConsolePage } from './console/console';
import { EmbeddedDynamoDB } from './dynamodb/embedded-dynamodb';
import { selectFunctionNode } from './lambda/function-node';
import { invokeApiAccess, LAMBDA_API_PREFIX, LambdaInvokeApi } from './lambda/invoke-api';
import { FunctionRuntime } from './lambda/runtime';
import { loadServerSettings, parseServerArgs, type ServerSettings, USAGE } from './settings';
import { clientHost, isLoopback, urlHost } from './shared/host';
import { LOCAL_ACCOUNT_ID } from './shared/local-account';
import { exitWithError, LocalError } from './shared/local-error';
import { loadStack } from './stack/reader';
import { findStackFile } from './stack/stack-file';
import { StopRequest } from './stop-request';
import { synthesize } from './synth';

/** How long a shutdown waits for requests in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 3000;

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const settings = loadServerSettings(process.env, args);
  const stop = new StopRequest();
  if (args.synth && (await synthesize(stop.signal)) === 'stopped') {
    process.stdout.write(`\n${stop.reason}: stopped before the server started.\n`);
    process.exit(0);
  }
  const baseUrl = `http://${urlHost(clientHost(settings.host))}:${settings.port}`;
  const model = loadStack(findStackFile(settings.stackLocation), { baseUrl });
  const dynamodbEndpoint = `http://${urlHost(clientHost(settings.host))}:${settings.dynamodbPort}`;

  // One lookup per runtime: functions that share it share its Node.js, and its notice is said once.
  const nodes = new Map(model.functions.map((fn) => [fn.runtime, selectFunctionNode(fn.runtime, process.env)]));
  const runtimes = new Map(
    model.functions.map((fn) => [
      fn.name,
      new FunctionRuntime(fn, {
        extraEnvironment: { AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint },
        region: model.region,
        logTo: process.stdout,
        node: nodes.get(fn.runtime),
      }),
    ]),
  );
  const apiKeys = assignApiKeyValues(model.api?.apiKeys ?? [], settings.localApiKey);
  // Compiles templates, patterns and schemas now, so a bad one stops the server before it starts anything.
  const gateway = model.api && new RestApiGateway(model.api, runtimes, model.region, apiKeys, { executionLogTo: args.verbose ? process.stdout : undefined });
  const lambdaApi = new LambdaInvokeApi(runtimes, model.region, LOCAL_ACCOUNT_ID, invokeApiAccess(model, settings.host));
  const managementApi = new ManagementApi(() => gateway, model.region, invokeApiAccess(model, settings.host));
  // Beyond loopback the page is not served at all: it acts with the local credentials, whatever the API's authorization.
  const consolePage = isLoopback(settings.host)
    ? new ConsolePage({ model: () => model, gateway: () => gateway, runtimes: () => runtimes, dynamodbEndpoint })
    : undefined;
  const accessLog = new AccessLog(process.stdout);

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (pathname.startsWith(LAMBDA_API_PREFIX)) return lambdaApi.handle(req, res, pathname, query);
    else if (pathname.startsWith(MANAGEMENT_API_PREFIX)) return managementApi.handle(req, res, pathname);
    else if (consolePage?.serves(req.method, pathname)) return consolePage.handle(req, res, pathname, query);
    else if (gateway) return gateway.handle(req, res, pathname, query);
    else {
      res.statusCode = 403;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"Missing Authentication Token"}');
    }
  };
  // The port is bound before anything else starts, so that a busy one is reported
  // first; a request that arrives meanwhile waits, and is served once all is
  // ready, or answered 503 if startup fails or is stopped.
  const startup = deferred();
  const server = createServer((req, res) => {
    accessLog.track(req, res);
    // One request's failure is answered and logged: left unhandled, it would stop the server for every client.
    void startup.promise
      .then(
        () => dispatch(req, res),
        (error: unknown) => answerNotStarted(res, error),
      )
      .catch((error: unknown) => answerInternalError(req, res, error));
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, settings);

  const started: { dynamodb?: EmbeddedDynamoDB } = {};
  const starting = Promise.all([
    EmbeddedDynamoDB.start({ host: settings.host, port: settings.dynamodbPort, dataDir: settings.dataDir, tables: model.tables, region: model.region }).then(
      (db) => (started.dynamodb = db),
    ),
    Promise.all([...runtimes.values()].map(async (runtime) => ({ name: runtime.fn.name, error: await runtime.start() }))),
  ]);
  const stopEverything = async () => {
    // What is still starting has to finish before it can be stopped.
    await Promise.all([closeServer(server), starting.catch(() => undefined)]);
    await Promise.allSettled([...runtimes.values()].map((runtime) => runtime.stop()));
    await started.dynamodb?.stop();
    accessLog.flush();
  };
  let parts: Awaited<typeof starting> | 'stopped';
  try {
    parts = await Promise.race([starting, stop.stopped]);
  } catch (error) {
    startup.reject(new Error(`The local server could not start: ${error instanceof Error ? error.message : String(error)}`));
    await stopEverything();
    throw error;
  }
  if (parts === 'stopped') {
    startup.reject(new Error(`The local server was stopped (${stop.reason}) before it was ready.`));
    process.stdout.write(`\n${stop.reason}: stopping before the server was ready.\n`);
    await stopEverything();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  }

  const [dynamodb, inits] = parts;
  const initErrors = inits
    .filter((init) => init.error)
    .map((init) => `${init.name} failed to initialise, and answers every invocation with: ${init.error!.errorType}: ${init.error!.errorMessage}`);
  startup.resolve();
  process.stdout.write(
    banner({ model, settings, baseUrl, dynamodbEndpoint: dynamodb.endpoint, createdTables: dynamodb.created, initErrors, apiKeys, nodes, verbose: args.verbose }),
  );

  await stop.stopped;
  process.stdout.write(`\n${stop.reason}: stopping; DynamoDB's data is on disk already.\n`);
  await stopEverything();
  process.stdout.write('Stopped.\n');
  process.exit(0);
}

/** A promise with its resolve and reject at hand; a rejection nobody awaits is not reported as unhandled. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** What a request that waited for a startup that failed, or was stopped, gets: an answer saying so, and a closed connection. */
function answerNotStarted(res: ServerResponse, error: unknown): void {
  res.statusCode = 503;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Connection', 'close');
  res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
}

/** Stops accepting connections, gives the requests in flight SHUTDOWN_GRACE_MS to finish, then closes what is left. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  await closed;
  clearTimeout(grace);
}

function listen(server: Server, settings: ServerSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new LocalError(`PORT ${settings.port} is in use on ${settings.host} (another \`npm start\`?). Stop that process, or set PORT to a free port, e.g. PORT=${settings.port + 1} npm start.`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(new LocalError(`HOST=${settings.host} is not an address of this machine. Use 127.0.0.1 (the default), or 0.0.0.0 to listen on every interface.`));
      } else if (error.code === 'EACCES') {
        reject(new LocalError(`PORT ${settings.port} needs privileges this process lacks. Use a port above 1023, e.g. PORT=3000.`));
      } else reject(error);
    });
    server.listen(settings.port, settings.host, () => resolve());
  });
}

main().catch(exitWithError);
