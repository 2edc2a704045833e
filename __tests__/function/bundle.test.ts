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
import { handlerEnvironment, type LocalDynamo, startDynalite } from '../helpers/dynalite';

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
function runInBundleDir(script: string) {
  return run(process.execPath, ['-e', script], {
    cwd: bundleDir,
    env: { PATH: process.env.PATH ?? '', ...handlerEnvironment(dynamo.endpoint) },
  });
}

describe('Packaged handler', () => {
  it('is where HANDLER_NAME says: one file, nothing beside it', () => {
    expect(fs.readdirSync(bundleDir)).toEqual([`${moduleName}.js`]);
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
    const lines = stdout.trim().split('\n');
    const answers = JSON.parse(lines.pop()!.replace(/^ANSWERS /, '')) as unknown[];

    expect(answers.slice(0, 3)).toEqual(['pong', {}, { Item: { id: '1', name: 'Bob' } }]);
    const refusal = answers[3] as { errorType: string; errorMessage: string };
    // The minifier renames classes; errorType must survive it.
    expect(refusal.errorType).toBe('BadRequestError');
    expect(parseErrorMessage(refusal.errorMessage)?.errorClass).toBe('BadRequest');

    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ requestId: 'bundle-test', operation: 'ping', outcome: 'Success' }),
      expect.objectContaining({ operation: 'create', outcome: 'Success' }),
      expect.objectContaining({ operation: 'read', outcome: 'Success' }),
      expect.objectContaining({ operation: null, outcome: 'BadRequest' }),
    ]);
    const stored = await dynamo.snapshot();
    expect(stored).toEqual([{ id: { S: '1' }, name: { S: 'Bob' } }]);
  });
});
