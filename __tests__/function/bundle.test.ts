/**
 * The artifact Lambda runs: the esbuild bundle, loaded by plain Node from a
 * directory outside the project, where no node_modules can be found by walking
 * up. A dependency left out of the bundle fails here, not in production.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { bundleHandler, HANDLER_NAME } from '../../constructs/handler-bundle';
import { parseErrorMessage } from '../helpers/error-message';
import { handlerEnvironment, type LocalDynamo, startDynalite } from '../../scripts/support/dynalite';

const run = promisify(execFile);

let dynamo: LocalDynamo;
let bundleDir: string;
const [moduleName, exportName] = HANDLER_NAME.split('.');

beforeAll(async () => {
  dynamo = await startDynalite();
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-bundle-test-'));
  bundleHandler(bundleDir);
});

afterAll(async () => {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  await dynamo.close();
});

/**
 * Runs `script` in a fresh Node process in the bundle's directory, with only the
 * environment Lambda would give it (no NODE_PATH, no NODE_OPTIONS). Asynchronous,
 * so that the dynalite in this process keeps answering meanwhile.
 */
function runInBundleDir(script: string, env: Record<string, string> = {}) {
  return run(process.execPath, ['-e', script], {
    cwd: bundleDir,
    env: { PATH: process.env.PATH ?? '', ...handlerEnvironment(dynamo.endpoint), ...env },
  });
}

/**
 * The console as Lambda's Node.js runtime sets it up, before it loads the handler,
 * for the JSON log format (aws-lambda-nodejs-runtime-interface-client, LogPatch):
 * each method writes one JSON line whose level is the method's, and whose message
 * is a lone argument as it is, or several arguments formatted into one string.
 */
const LAMBDA_JSON_CONSOLE = `
  const util = require('node:util');
  for (const [method, level] of [['trace', 'TRACE'], ['debug', 'DEBUG'], ['info', 'INFO'], ['log', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR']]) {
    console[method] = (...params) =>
      process.stdout.write(JSON.stringify({ level, message: params.length === 1 ? params[0] : util.format(...params) }) + '\\n');
  }
`;

interface LambdaLogLine {
  readonly level: string;
  readonly message: unknown;
}

/** Runs `events` through the bundle, as Lambda loads it, and returns the log lines CloudWatch would get. */
async function lambdaLogOf(events: readonly unknown[], env: Record<string, string> = {}): Promise<{ lines: LambdaLogLine[]; text: string }> {
  const script = `
    ${LAMBDA_JSON_CONSOLE}
    const handler = require('./${moduleName}.js').${exportName};
    (async () => {
      for (const event of ${JSON.stringify(events)}) await handler(event, { awsRequestId: 'bundle-log-test' }).catch(() => undefined);
    })();
  `;
  const { stdout } = await runInBundleDir(script, env);
  return { lines: stdout.trim().split('\n').map((line) => JSON.parse(line) as LambdaLogLine), text: stdout };
}

describe('Packaged handler', () => {
  it('is where HANDLER_NAME says: one file, with nothing beside it but its source map (which the package leaves out: handler-package.test.ts)', () => {
    expect(fs.readdirSync(bundleDir)).toEqual([`${moduleName}.js`, `${moduleName}.js.map`]);
  });

  it('cannot borrow the SDK from the project, so the next test proves the bundle carries it', async () => {
    await expect(runInBundleDir("require.resolve('@aws-sdk/client-dynamodb')")).rejects.toThrow(
      /Cannot find module '@aws-sdk\/client-dynamodb'/
    );
  });

  it('answers ping, create and read against DynamoDB, and refuses with a named error class', async () => {
    const script = `
      const handler = require('./${moduleName}.js').${exportName};
      const context = { awsRequestId: 'bundle-test' };
      (async () => {
        const answers = [
          await handler({ operation: 'ping' }, context),
          await handler({ operation: 'create', tableName: 'lambda-apigateway', payload: { Item: { id: '1', name: 'Bob' } } }, context),
          await handler({ operation: 'read', tableName: 'lambda-apigateway', payload: { Key: { id: '1' } } }, context),
          await handler({ operation: 'drop' }, context).catch((error) => ({ errorType: error.name, errorMessage: error.message })),
        ];
        process.stdout.write('ANSWERS ' + JSON.stringify(answers) + '\\n');
      })().catch((error) => { console.error(error); process.exit(1); });
    `;
    const { stdout } = await runInBundleDir(script);
    const answers = JSON.parse(stdout.trim().split('\n').pop()!.replace(/^ANSWERS /, '')) as unknown[];

    expect(answers.slice(0, 3)).toEqual(['pong', {}, { Item: { id: '1', name: 'Bob' } }]);
    const refusal = answers[3] as { errorType: string; errorMessage: string };
    // The minifier renames classes; errorType must survive it.
    expect(refusal.errorType).toBe('BadRequestError');
    expect(parseErrorMessage(refusal.errorMessage)?.errorClass).toBe('BadRequest');

    const stored = await dynamo.snapshot();
    expect(stored).toEqual([{ id: { S: '1' }, name: { S: 'Bob' } }]);
  });

  it("files each invocation's record at its level, as one structured object, through Lambda's JSON log format", async () => {
    const { lines, text } = await lambdaLogOf([
      { operation: 'ping' },
      { operation: 'create', tableName: 'lambda-apigateway', payload: { Item: { id: 'log-1', name: 'Bob Personal' } } },
      { operation: 'drop' },
      { operation: 'read', payload: { Key: { id: 'log-1', name: 'Bob Personal' } } },
    ]);
    expect(lines).toEqual([
      { level: 'INFO', message: expect.objectContaining({ requestId: 'bundle-log-test', operation: 'ping', table: null, outcome: 'Success' }) },
      { level: 'INFO', message: expect.objectContaining({ operation: 'create', table: 'lambda-apigateway', outcome: 'Success' }) },
      { level: 'WARN', message: expect.objectContaining({ operation: null, outcome: 'BadRequest' }) },
      { level: 'WARN', message: expect.objectContaining({ operation: 'read', outcome: 'BadRequest' }) },
    ]);
    for (const { message } of lines) {
      expect(Object.keys(message as object).sort()).toEqual(['durationMs', 'operation', 'outcome', 'requestId', 'table']);
    }
    expect(text).not.toContain('Bob Personal');
  });

  it('files an internal failure at ERROR, with its cause for the operator and no item data', async () => {
    // A table the function's name points at but DynamoDB does not have: this deployment's fault, so Internal.
    const { lines, text } = await lambdaLogOf(
      [{ operation: 'create', payload: { Item: { id: 'log-2', name: 'Bob Personal' } } }],
      { TABLE_NAME: 'no-such-table' },
    );
    expect(lines).toEqual([
      {
        level: 'ERROR',
        message: {
          requestId: 'bundle-log-test',
          operation: 'create',
          table: 'no-such-table',
          outcome: 'Internal',
          durationMs: expect.any(Number),
          error: { name: 'ResourceNotFoundException', message: expect.any(String), stack: expect.stringMatching(/^at /) },
        },
      },
    ]);
    expect(text).not.toContain('Bob Personal');
  });
});
