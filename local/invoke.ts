/**
 * `npm run invoke -- <event.json>`: runs one event through the packaged handler of
 * the synthesized stack, without a server, like `aws lambda invoke`. The result
 * (or the function's error object) goes to stdout, the function's logs to stderr;
 * the exit status is 1 on a function error. The event's path is relative to the
 * directory the user ran npm in (npm itself runs this in the project's root).
 *
 * DynamoDB operations need a DynamoDB: AWS_ENDPOINT_URL_DYNAMODB if set, else the
 * one `npm start` runs, on 127.0.0.1:DYNAMODB_PORT (default 8000).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { NODE_VARIABLE, selectFunctionNode } from './lambda/function-node';
import { FunctionRuntime } from './lambda/runtime';
import { parsePort, stackLocation, userDirectory } from './settings';
import { exitWithError, LocalError } from './shared/local-error';
import { loadStack } from './stack/reader';
import { findStackFile } from './stack/stack-file';
import { SIGNAL_EXIT_STATUS, StopRequest } from './stop-request';
import { synthesize } from './synth';

/** One of the tutorial's events that ship with the project, for the examples in messages. */
const EXAMPLE_EVENT = path.join(__dirname, '..', 'events', 'ping.json');

const USAGE = `Usage: npm run invoke -- <event.json | -> [--function <name>]

Synthesizes the stack, then runs one event through its packaged function, as
\`aws lambda invoke\` does. The path is relative to your current directory, e.g.
npm run invoke -- events/ping.json; '-' reads the event from standard input.

Options:
  --function <name>  the function to invoke, when the stack has several
  --synth            synthesize the stack first, as \`npm run synth\` does (npm run invoke passes it)

Environment:
  AWS_ENDPOINT_URL_DYNAMODB  DynamoDB the function talks to (default: http://127.0.0.1:$DYNAMODB_PORT,
                             the one \`npm start\` runs)
  DYNAMODB_PORT              (default 8000)
  STACK_DIR, CDKTF_OUTDIR    where the synthesized stack is, as for \`npm start\`
  ${NODE_VARIABLE}          a Node.js binary of the runtime's major version to run the function with
                             (default: found as \`npm start\` finds it, see README)
`;

interface InvokeArgs {
  readonly eventFile: string;
  readonly functionName: string | undefined;
  readonly synth: boolean;
}

function parseArgs(argv: readonly string[]): InvokeArgs | undefined {
  let eventFile: string | undefined;
  let functionName: string | undefined;
  let synth = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg === '--function') functionName = argv[++i];
    else if (arg === '--synth') synth = true;
    else if (eventFile === undefined && (arg === '-' || !arg.startsWith('-'))) eventFile = arg;
    else throw new LocalError(`Unexpected argument ${JSON.stringify(arg)}.\n${USAGE}`);
  }
  if (eventFile === undefined) throw new LocalError(`Name the event file to invoke with.\n${USAGE}`);
  return { eventFile, functionName, synth };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(USAGE);
    return;
  }
  // Read before anything else, so that a wrong path changes nothing (the synth writes cdktf.out).
  const payload = readEvent(args.eventFile, userDirectory(process.env));
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || `http://127.0.0.1:${parsePort('DYNAMODB_PORT', process.env.DYNAMODB_PORT, 8000)}`;
  const stop = new StopRequest();
  if (args.synth && (await synthesize(stop.signal)) === 'stopped') exitStopped(stop, 'the function did not run');
  const model = loadStack(findStackFile(stackLocation(process.env)), { baseUrl: 'http://127.0.0.1:3000' });
  const fn = args.functionName ? model.functions.find((f) => f.name === args.functionName) : model.functions[0];
  if (!fn || (!args.functionName && model.functions.length > 1)) {
    throw new LocalError(
      `${args.functionName ? `The stack has no function ${args.functionName}` : 'The stack has several functions'}; ` +
        `name one with --function: ${model.functions.map((f) => f.name).join(', ') || '(none)'}.`,
    );
  }
  if (!(await reachable(endpoint))) {
    process.stderr.write(
      `Note: nothing answers at ${endpoint}, so DynamoDB operations will fail. Start \`npm start\` in another terminal, ` +
        'or, if it runs on another port, give this the same DYNAMODB_PORT (or set AWS_ENDPOINT_URL_DYNAMODB).\n',
    );
  }

  const node = selectFunctionNode(fn.runtime, process.env);
  if (node.fallbackNotice) process.stderr.write(`Note: ${node.fallbackNotice}\n`);
  const runtime = new FunctionRuntime(fn, { extraEnvironment: { AWS_ENDPOINT_URL_DYNAMODB: endpoint }, region: model.region, logTo: process.stderr, node });
  const invocation = runtime.start().then(() => runtime.invoke(payload));
  // Abandoned at a stop: what it settles with then is of no interest.
  invocation.catch(() => undefined);
  let outcome: Awaited<typeof invocation> | 'stopped';
  try {
    outcome = await Promise.race([invocation, stop.stopped]);
  } finally {
    await runtime.stop();
  }
  if (outcome === 'stopped') exitStopped(stop, 'the invocation was abandoned');
  if (outcome.kind === 'rejected') {
    process.stderr.write(`Lambda refused the invocation (${outcome.errorType}): ${outcome.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${outcome.payload}\n`);
  if (outcome.kind === 'error') {
    process.stderr.write(`Function error (Unhandled): ${outcome.error.errorType}: ${outcome.error.errorMessage}\n`);
    process.exit(1);
  }
  process.exit(0);
}

/** Ends the process after a stop request, with the status of a process that signal ended: the event did not run to its end. */
function exitStopped(stop: StopRequest, what: string): never {
  const signal = stop.reason ?? 'SIGTERM';
  process.stderr.write(`${signal}: stopped; ${what}.\n`);
  process.exit(SIGNAL_EXIT_STATUS[signal]);
}

/** The event's text, from `file` (relative to `userDir`) or standard input ('-'), checked to be JSON. */
function readEvent(file: string, userDir: string): string {
  const location = file === '-' ? 'standard input' : path.resolve(userDir, file);
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : location, 'utf8');
  } catch (error) {
    throw new LocalError(
      `Cannot read the event ${file === '-' ? 'from standard input' : `${file} (${location})`}: ${(error as Error).message}. ` +
        `Give the path of a JSON file relative to your current directory, ${userDir}, e.g. npm run invoke -- ${path.relative(userDir, EXAMPLE_EVENT)}.`,
    );
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new LocalError(`The event ${file} is not JSON (${(error as Error).message}); Lambda would refuse it with InvalidRequestContentException.`);
  }
  return text;
}

/** Whether something accepts TCP connections at `url`'s host and port. */
function reachable(url: string): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  } catch {
    throw new LocalError(`AWS_ENDPOINT_URL_DYNAMODB=${JSON.stringify(url)} is not a URL; expected one such as http://127.0.0.1:8000.`);
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

main().catch(exitWithError);
