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
 * With `--watch`, each save is served anew (./watch); with `--inspect`, a debugger
 * can attach (./debug).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { AccessLog } from './access-log';
import { answerInternalError } from './apigateway/gateway-responses';
import { banner } from './banner';
import { openInspector } from './debug';
import { EmbeddedDynamoDB } from './dynamodb/embedded-dynamodb';
import { describeInitFailure, ServedStack } from './served-stack';
import { loadServerSettings, parseServerArgs, type ServerSettings, USAGE } from './settings';
import { clientHost, urlHost } from './shared/host';
import { exitWithError, LocalError } from './shared/local-error';
import { loadStack } from './stack/reader';
import { findStackFile } from './stack/stack-file';
import { StopRequest } from './stop-request';
import { PROJECT_DIR, synthesize } from './synth';
import { Reloader } from './watch/reloader';

/** How long a shutdown waits for requests in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 3000;

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const settings = loadServerSettings(process.env, args);
  // Opened first, so that a busy port is reported before anything else runs.
  const inspector = args.inspect && openInspector(args.inspect);
  const stop = new StopRequest();
  if (args.synth && (await synthesize(stop.signal)) === 'stopped') {
    process.stdout.write(`\n${stop.reason}: stopped before the server started.\n`);
    process.exit(0);
  }
  const baseUrl = `http://${urlHost(clientHost(settings.host))}:${settings.port}`;
  const stackFile = findStackFile(settings.stackLocation);
  const model = loadStack(stackFile, { baseUrl });
  const dynamodbEndpoint = `http://${urlHost(clientHost(settings.host))}:${settings.dynamodbPort}`;
  const serveOptions = { settings, dynamodbEndpoint, verbose: args.verbose, debug: inspector ? { projectDir: PROJECT_DIR } : undefined };
  // Compiles templates, patterns and schemas now, so a bad one stops the server before it starts anything.
  let served = new ServedStack(model, serveOptions);
  /** Versions a reload replaced, until their last requests are answered. */
  const retiring = new Set<ServedStack>();
  const accessLog = new AccessLog(process.stdout);
  // The port is bound before anything else starts, so that a busy one is reported
  // first; a request that arrives meanwhile waits, and is served once all is
  // ready, or answered 503 if startup fails or is stopped.
  const startup = deferred();
  const server = createServer((req, res) => {
    accessLog.track(req, res);
    // One request's failure is answered and logged: left unhandled, it would stop the server for every client.
    void startup.promise
      .then(
        () => served.handle(req, res),
        (error: unknown) => answerNotStarted(res, error),
      )
      .catch((error: unknown) => answerInternalError(req, res, error));
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, settings);

  const started: { dynamodb?: EmbeddedDynamoDB; reloader?: Reloader } = {};
  const starting = Promise.all([
    EmbeddedDynamoDB.start({ host: settings.host, port: settings.dynamodbPort, dataDir: settings.dataDir, tables: model.tables, region: model.region }).then(
      (db) => (started.dynamodb = db),
    ),
    served.start(),
  ]);
  const stopEverything = async () => {
    // What is still starting has to finish before it can be stopped.
    await Promise.all([closeServer(server), starting.catch(() => undefined), started.reloader?.close()]);
    await Promise.allSettled([served, ...retiring].map((version) => version.stop()));
    await started.dynamodb?.stop();
    accessLog.flush();
    inspector?.close();
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
  const initErrors = inits.map(describeInitFailure);
  startup.resolve();
  if (args.watch) {
    started.reloader = new Reloader(
      {
        projectDir: PROJECT_DIR,
        stackLocation: settings.stackLocation,
        baseUrl,
        serve: serveOptions,
        dynamodb,
        out: process.stdout,
        stop: stop.signal,
        current: () => served,
        swap: (next) => {
          const previous = served;
          served = next;
          retiring.add(previous);
          void previous.retire(next).finally(() => retiring.delete(previous));
        },
      },
      stackFile,
    );
  }
  process.stdout.write(
    banner({
      model,
      settings,
      baseUrl,
      dynamodbEndpoint: dynamodb.endpoint,
      createdTables: dynamodb.created,
      initErrors,
      apiKeys: served.apiKeys,
      nodes: served.nodes,
      verbose: args.verbose,
      watch: args.watch,
      debug: inspector ? { url: inspector.url, sourceMaps: [...served.runtimes.values()].map((runtime) => ({ name: runtime.fn.name, link: runtime.sourceMap })) } : undefined,
    }),
  );

  await stop.stopped;
  process.stdout.write(`\n${stop.reason}: stopping; ${settings.dataDir ? "DynamoDB's data is on disk already" : 'DynamoDB\'s data, in memory only (--in-memory), goes with it'}.\n`);
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
