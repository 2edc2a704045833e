/**
 * `npm start`: serves the synthesized stack on this machine. One HTTP port carries
 * the REST API (`/<stage>/<path>`) and the Lambda invoke API (`/2015-03-31/...`);
 * the embedded DynamoDB listens on its own port. DynamoDB runs in a worker thread,
 * each Lambda function in execution environments (worker threads, or child
 * processes of another Node.js, ./lambda-runtime), so the cores share the work and
 * nothing outlives the process.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AccessLog } from './access-log';
import { assignApiKeyValues } from './api-keys';
import { banner } from './banner';
import { EmbeddedDynamoDB } from './dynamodb';
import { exitWithError, LocalError } from './errors';
import { LAMBDA_API_PREFIX, LambdaInvokeApi } from './lambda-invoke-api';
import { selectFunctionNode } from './function-node';
import { FunctionRuntime } from './lambda-runtime';
import { answerInternalError, RestApiGateway } from './rest-api';
import { clientHost, loadServerSettings, parseServerArgs, type ServerSettings, urlHost, USAGE } from './settings';
import { findStackFile, loadStack, LOCAL_ACCOUNT_ID } from './stack-model';

/** How long a shutdown waits for requests in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 3000;
/** Signals this close together are one request to stop, delivered twice. */
const DUPLICATE_SIGNAL_MS = 500;

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const settings = loadServerSettings(process.env, args);
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
  const gateway = model.api && new RestApiGateway(model.api, runtimes, model.region, apiKeys);
  const lambdaApi = new LambdaInvokeApi(runtimes, model.region, LOCAL_ACCOUNT_ID);
  const accessLog = new AccessLog(process.stdout);

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    accessLog.track(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (pathname.startsWith(LAMBDA_API_PREFIX)) return lambdaApi.handle(req, res, pathname, query);
    else if (gateway) return gateway.handle(req, res, pathname, query);
    else {
      res.statusCode = 403;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"Missing Authentication Token"}');
    }
  };
  // Bound first, so a busy port is reported before anything else starts; requests wait until all is ready.
  let ready: Promise<void> = new Promise(() => undefined);
  // One request's failure is answered and logged: left unhandled, it would stop the server for every client.
  const server = createServer((req, res) => void ready.then(() => dispatch(req, res)).catch((error: unknown) => answerInternalError(req, res, error)));
  server.keepAliveTimeout = 65_000;
  await listen(server, settings);

  const started: { dynamodb?: EmbeddedDynamoDB } = {};
  const stopAll = async () => {
    await Promise.allSettled([...runtimes.values()].map((runtime) => runtime.stop()));
    await started.dynamodb?.stop();
  };
  let initErrors: string[];
  try {
    const [dynamodb, inits] = await Promise.all([
      EmbeddedDynamoDB.start({ host: settings.host, port: settings.dynamodbPort, dataDir: settings.dataDir, tables: model.tables, region: model.region }).then(
        (db) => (started.dynamodb = db),
      ),
      Promise.all([...runtimes.values()].map(async (runtime) => ({ name: runtime.fn.name, error: await runtime.start() }))),
    ]);
    initErrors = inits
      .filter((init) => init.error)
      .map((init) => `${init.name} failed to initialise, and answers every invocation with: ${init.error!.errorType}: ${init.error!.errorMessage}`);
    ready = Promise.resolve();
    process.stdout.write(
      banner({ model, settings, baseUrl, dynamodbEndpoint: dynamodb.endpoint, createdTables: dynamodb.created, initErrors, apiKeys, nodes }),
    );
  } catch (error) {
    server.close();
    await stopAll();
    throw error;
  }

  let stoppingSince: number | undefined;
  const shutdown = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches both npm and this process, and npm forwards it too: only a later one means "now".
      if (performance.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(130);
    }
    stoppingSince = performance.now();
    process.stdout.write(`\n${signal}: stopping; DynamoDB's data is on disk already.\n`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(grace);
    await stopAll();
    accessLog.flush();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function listen(server: ReturnType<typeof createServer>, settings: ServerSettings): Promise<void> {
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
