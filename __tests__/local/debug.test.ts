/**
 * `npm run start:debug`, as a user debugs the function: a debugger attaches to the
 * inspector the server opens, sets a breakpoint in function/index.ts (the
 * TypeScript source, as in VS Code), and a request pauses there, in the execution
 * environment that serves it, until the debugger resumes it. This test is the
 * debugger: it speaks the Chrome DevTools Protocol as VS Code and Chrome do
 * (NodeWorker for the environments' threads), and maps positions through the
 * bundle's source map as they do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../../scripts/support/free-port';
import { CdpConnection, type CdpSession } from '../helpers/cdp';
import { type NodeBinary, requireOtherNodeBinary } from '../helpers/node-binaries';
import { type NpmProcess, startNpm } from '../helpers/npm';
import { mappings, readSourceMap } from '../helpers/source-map';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { cleanUp, curlPost, type Response } from './harness';

const READY = 'Ready on ';
/** The handler's first statement: every invocation runs it. */
const BREAKPOINT_LINE = 'const started = performance.now();';
/** The function's timeout in this test: a breakpoint holds the invocation longer. */
const TIMEOUT_SECONDS = 1;

let checkout: UserCheckout;
let run: NpmProcess | undefined;
let cdp: CdpConnection | undefined;
/** The same, for a function on another Node.js. */
let childRun: NpmProcess | undefined;
let childCdp: CdpConnection | undefined;

const other: NodeBinary | undefined = requireOtherNodeBinary('debugging a function in a child process');

beforeAll(() => {
  checkout = userCheckout('debug');
});

afterAll(async () => {
  cdp?.close();
  childCdp?.close();
  await run?.stop();
  await childRun?.stop();
  cleanUp();
  checkout.remove();
});

/** The generated position of the bundle where the first mapping of `line` (0-based) of `source` (a path) starts, as a debugger finds it. */
function bundlePosition(sourceMapUrl: string, source: string, line: number): { lineNumber: number; columnNumber: number } | undefined {
  const [target] = mappings(readSourceMap(sourceMapUrl))
    .filter((mapping) => mapping.source === pathToFileURL(source).href && mapping.originalLine === line)
    .sort((a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn);
  return target && { lineNumber: target.generatedLine, columnNumber: target.generatedColumn };
}

/**
 * As a user debugs a request: a breakpoint on BREAKPOINT_LINE of function/index.ts, set through the bundle's
 * source map; a request to `port` pauses there, at that file and line; held past the function's timeout it is
 * not answered; resumed, it is.
 */
async function breakOnTheHandler(session: CdpSession, port: number): Promise<void> {
  const script = await session.next('Debugger.scriptParsed', (params) => /\/task\/index\.js$/.test(String(params.url)));
  expect(script.sourceMapURL).toMatch(/^file:\/\//);
  const source = path.join(checkout.dir, 'function', 'index.ts');
  const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((text) => text.includes(BREAKPOINT_LINE));
  const target = bundlePosition(String(script.sourceMapURL), source, line);
  expect(target).toBeDefined();
  const breakpoint = await session.send('Debugger.setBreakpointByUrl', { url: script.url, ...target });
  expect(breakpoint.locations).toHaveLength(1);

  const answer: Promise<Response> = curlPost(`http://127.0.0.1:${port}/prod/DynamoDBManager`, '{"operation":"ping"}');
  const paused = await session.next('Debugger.paused');
  const [frame] = paused.callFrames as { location: { lineNumber: number; columnNumber: number } }[];
  const original = readSourceMap(String(script.sourceMapURL)).map.findEntry(frame.location.lineNumber, frame.location.columnNumber) as {
    originalSource: string;
    originalLine: number;
  };
  expect({ file: fileURLToPath(original.originalSource), line: original.originalLine }).toEqual({ file: source, line });

  let answered = false;
  void answer.then(() => (answered = true));
  await new Promise((resolve) => setTimeout(resolve, (TIMEOUT_SECONDS + 1) * 1000));
  expect(answered).toBe(false);
  await session.send('Debugger.resume');
  expect(await answer).toMatchObject({ status: 200, body: '"pong"' });
}

/** The function's environment, as a debugger attaches to it through the server's inspector; its Debugger domain enabled. */
async function attachToEnvironment(connection: CdpConnection): Promise<CdpSession> {
  await connection.process.send('NodeWorker.enable', { waitForDebuggerOnStart: true });
  const attached = await connection.process.next('NodeWorker.attachedToWorker', (params) =>
    String((params.workerInfo as { title: string }).title).includes('LambdaFunctionOverHttps'),
  );
  const worker = connection.worker(String(attached.sessionId));
  await worker.send('Debugger.enable');
  // A thread that started after NodeWorker.enable waits for its debugger; one that ran before goes on.
  if (attached.waitingForDebugger) await worker.send('Runtime.runIfWaitingForDebugger');
  return worker;
}

test(`npm run start:debug: a breakpoint set in function/index.ts binds through the source map, pauses the request in its environment past the function's timeout, and the request completes once resumed`, async () => {
  const [port, dynamodbPort, inspectPort] = [await freePort(), await freePort(), await freePort()];
  run = startNpm(checkout.dir, 'start:debug', [`--inspect=${inspectPort}`, '--in-memory'], {
    env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), FUNCTION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) },
  });
  const banner = await run.waitFor(READY);
  expect(banner).toContain(`Debugger listening on ws://127.0.0.1:${inspectPort}/`);
  expect(banner).toContain('LambdaFunctionOverHttps: breakpoints in its TypeScript sources bind (source map index.js.map).');
  expect(banner).toContain(`VS Code: "Attach to npm run start:debug" in .vscode/launch.json, with its port set to ${inspectPort};`);
  expect(banner).toMatch(/LambdaFunctionOverHttps \(nodejs\d+\.x, .*one environment at a time \(debug mode\)\)/);

  cdp = await CdpConnection.open(inspectPort);
  await breakOnTheHandler(await attachToEnvironment(cdp), port);
  expect(await run.stop('SIGINT')).toBe(0);
  expect(run.output()).toContain("SIGINT: stopping; DynamoDB's data, in memory only (--in-memory), goes with it.");
}, 180_000);

test('.vscode/launch.json attaches to the port npm run start:debug opens, with source maps', () => {
  const launch = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.vscode', 'launch.json'), 'utf8')) as {
    configurations: { name: string; type: string; request: string; port: number; sourceMaps: boolean }[];
  };
  expect(launch.configurations).toContainEqual(
    expect.objectContaining({ name: 'Attach to npm run start:debug', type: 'node', request: 'attach', port: 9229, sourceMaps: true }),
  );
});

(other ? test : test.skip)(`npm run start:debug with the function on another Node.js (LOCAL_LAMBDA_NODE): its child process's inspector URL is printed and reachable, and a breakpoint in function/index.ts binds there through the source map`, async () => {
  // The function's runtime names the other Node.js's major, as a user's stack would to run on it.
  const handlerFunction = path.join(checkout.dir, 'constructs', 'handler-function.ts');
  const construct = fs.readFileSync(handlerFunction, 'utf8');
  if (!construct.includes("runtime: 'nodejs22.x',")) throw new Error(`${handlerFunction} no longer sets runtime: 'nodejs22.x'`);
  fs.writeFileSync(handlerFunction, construct.replace("runtime: 'nodejs22.x',", `runtime: 'nodejs${other!.major}.x',`));

  const [port, dynamodbPort, inspectPort] = [await freePort(), await freePort(), await freePort()];
  childRun = startNpm(checkout.dir, 'start:debug', [`--inspect=${inspectPort}`, '--in-memory'], {
    env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), FUNCTION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), LOCAL_LAMBDA_NODE: other!.path },
  });
  const banner = await childRun.waitFor(READY);
  expect(banner).toContain(`runs on Node.js ${other!.version}: LOCAL_LAMBDA_NODE`);
  // The server's inspector, then the child's, which starts before the server is ready (a warm environment).
  const listening = /Debugger listening on (ws:\/\/127\.0\.0\.1:(\d+)\/[\w-]+)/g;
  const output = await childRun.waitFor(new RegExp(`Debugger listening on ws://127\\.0\\.0\\.1:(?!${inspectPort}/)\\d+/`));
  const childUrls = [...output.matchAll(listening)].filter((match) => Number(match[2]) !== inspectPort);
  expect(childUrls).toHaveLength(1);
  const [, childUrl, childPort] = childUrls[0];

  // Reachable as a debugger finds it: the inspector's /json/list names the same WebSocket URL, of a process of the other Node.js.
  const targets = (await (await fetch(`http://127.0.0.1:${childPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  expect(targets.map((target) => target.webSocketDebuggerUrl)).toEqual([childUrl]);
  const version = (await (await fetch(`http://127.0.0.1:${childPort}/json/version`)).json()) as { Browser: string };
  expect(version.Browser).toBe(`node.js/${other!.version}`);

  childCdp = await CdpConnection.open(Number(childPort));
  const environment = childCdp.process;
  await environment.send('Debugger.enable');
  await breakOnTheHandler(environment, port);
}, 180_000);
