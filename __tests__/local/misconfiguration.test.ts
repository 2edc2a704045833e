/**
 * Each way the server can be misconfigured ends it at startup with one error that
 * names the cause, shows the value and says how to fix it, and exit status 1.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cleanUp, failedStart, freePort, tempDir } from './harness';
import { FIXTURE_DOCUMENT, writeFixtureStack } from './fixture-stack';

let stackDir: string;

beforeAll(() => {
  stackDir = writeFixtureStack();
});

afterAll(cleanUp);

/** Starts the server expecting failure; returns its one error line, checking there is nothing else (no stack trace). */
async function startupError(env: Record<string, string>, args: string[] = []): Promise<string> {
  const { code, stderr } = await failedStart({ STACK_DIR: stackDir, PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), ...env }, args);
  expect(code).toBe(1);
  const message = stderr.slice(stderr.indexOf('Error: '));
  expect(message).toMatch(/^Error: /);
  expect(message).not.toMatch(/^\s+at /m);
  return message;
}

function occupy(): Promise<net.Server> {
  return new Promise((resolve) => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1', () => resolve(blocker));
  });
}

test('a PORT in use', async () => {
  const blocker = await occupy();
  const port = (blocker.address() as net.AddressInfo).port;
  expect(await startupError({ PORT: String(port) })).toContain(`PORT ${port} is in use on 127.0.0.1`);
  blocker.close();
});

test('a DYNAMODB_PORT in use', async () => {
  const blocker = await occupy();
  const port = (blocker.address() as net.AddressInfo).port;
  expect(await startupError({ DYNAMODB_PORT: String(port) }, ['--in-memory'])).toContain(`DYNAMODB_PORT ${port} is in use on 127.0.0.1`);
  blocker.close();
});

test('a DATA_DIR that cannot be written', async () => {
  const file = path.join(tempDir('file'), 'a-file');
  fs.writeFileSync(file, '');
  const message = await startupError({ DATA_DIR: path.join(file, 'data') });
  expect(message).toContain(`DATA_DIR=${path.join(file, 'data')} cannot hold DynamoDB's data`);
  expect(message).toContain('--in-memory');
});

test('no synthesized stack', async () => {
  const message = await startupError({ STACK_DIR: '', CDKTF_OUTDIR: tempDir('empty') });
  expect(message).toContain('No synthesized stack');
  expect(message).toContain('npm run synth');
});

test('stack features the server does not support, all listed at once', async () => {
  const document = structuredClone(FIXTURE_DOCUMENT) as typeof FIXTURE_DOCUMENT & { resource: Record<string, Record<string, Record<string, unknown>>> };
  document.resource.aws_api_gateway_method.slow.authorization = 'AWS_IAM';
  document.resource.aws_api_gateway_integration.templated.type = 'HTTP';
  document.resource.aws_api_gateway_rest_api_policy = { p: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', policy: '{}' } };
  const message = await startupError({ STACK_DIR: writeFixtureStack(document) });
  expect(message).toContain('uses what the local server cannot serve faithfully');
  expect(message).toContain('aws_api_gateway_method.slow.authorization is AWS_IAM');
  expect(message).toContain('aws_api_gateway_integration.templated is an integration of type HTTP');
  expect(message).toContain('aws_api_gateway_rest_api_policy.p: a resource policy can deny requests');
});

test('bad PORT, DYNAMODB_PORT and HOST values, and unknown arguments', async () => {
  expect(await startupError({ PORT: 'abc' })).toContain('PORT="abc" is not a port number');
  expect(await startupError({ DYNAMODB_PORT: '70000' })).toContain('DYNAMODB_PORT="70000" is not a port number');
  expect(await startupError({ HOST: 'example.com' })).toContain('HOST="example.com" is not an IP address');
  expect(await startupError({ HOST: '192.0.2.1' })).toContain('HOST=192.0.2.1 is not an address of this machine');
  expect(await startupError({}, ['--persist'])).toContain('Unknown argument "--persist"');
});
