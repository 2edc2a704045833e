/**
 * `npm run invoke -- <event.json>`: runs one event through the packaged handler of
 * the synthesized stack, without a server, like `aws lambda invoke`. The result
 * (or the function's error object) goes to stdout, the function's logs to stderr;
 * the exit status is 1 on a function error.
 *
 * DynamoDB operations need a DynamoDB: AWS_ENDPOINT_URL_DYNAMODB if set, else the
 * one `npm start` runs, on 127.0.0.1:DYNAMODB_PORT (default 8000).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { exitWithError, LocalError } from './errors';
import { NODE_VARIABLE, selectFunctionNode } from './function-node';
import { FunctionRuntime } from './lambda-runtime';
import { parsePort, stackLocation } from './settings';
import { findStackFile, loadStack } from './stack-model';

const USAGE = `Usage: npm run invoke -- <event.json | -> [--function <name>]

Runs one event through the stack's packaged function, as \`aws lambda invoke\` does.
'-' reads the event from standard input.

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
}

function parseArgs(argv: readonly string[]): InvokeArgs | undefined {
  let eventFile: string | undefined;
  let functionName: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg === '--function') functionName = argv[++i];
    else if (eventFile === undefined && (arg === '-' || !arg.startsWith('-'))) eventFile = arg;
    else throw new LocalError(`Unexpected argument ${JSON.stringify(arg)}.\n${USAGE}`);
  }
  if (eventFile === undefined) throw new LocalError(`Name the event file to invoke with.\n${USAGE}`);
  return { eventFile, functionName };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(USAGE);
    return;
  }
  const payload = readEvent(args.eventFile);
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || `http://127.0.0.1:${parsePort('DYNAMODB_PORT', process.env.DYNAMODB_PORT, 8000)}`;
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
      `Note: nothing answers at ${endpoint}, so DynamoDB operations will fail. Start \`npm start\` in another terminal, or set AWS_ENDPOINT_URL_DYNAMODB.\n`,
    );
  }

  const node = selectFunctionNode(fn.runtime, process.env);
  if (node.fallbackNotice) process.stderr.write(`Note: ${node.fallbackNotice}\n`);
  const runtime = new FunctionRuntime(fn, { extraEnvironment: { AWS_ENDPOINT_URL_DYNAMODB: endpoint }, region: model.region, logTo: process.stderr, node });
  let failed = true;
  try {
    await runtime.start();
    const result = await runtime.invoke(payload);
    if (result.kind === 'rejected') {
      process.stderr.write(`Lambda refused the invocation (${result.errorType}): ${result.message}\n`);
    } else {
      process.stdout.write(`${result.payload}\n`);
      if (result.kind === 'error') process.stderr.write(`Function error (Unhandled): ${result.error.errorType}: ${result.error.errorMessage}\n`);
      else failed = false;
    }
  } finally {
    await runtime.stop();
  }
  process.exit(failed ? 1 : 0);
}

function readEvent(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new LocalError(`Cannot read the event ${file}: ${(error as Error).message}. Give the path of a JSON file, e.g. npm run invoke -- input.txt.`);
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
