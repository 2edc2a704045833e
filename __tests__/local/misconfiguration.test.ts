/**
 * Each way the server can be misconfigured ends it at startup with one error that
 * names the cause, shows the value and says how to fix it, and exit status 1.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cleanUp, failedStart, tempDir } from './harness';
import { freePort } from '../../scripts/support/free-port';
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

type EditableDocument = typeof FIXTURE_DOCUMENT & { resource: Record<string, Record<string, Record<string, unknown>>> };

test('stack features the server does not support, all listed at once', async () => {
  const document = structuredClone(FIXTURE_DOCUMENT) as EditableDocument;
  document.resource.aws_api_gateway_method.slow.authorization = 'CUSTOM';
  document.resource.aws_api_gateway_integration.templated.type = 'HTTP';
  document.resource.aws_api_gateway_rest_api_policy = { p: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', policy: '{}' } };
  document.resource.aws_api_gateway_usage_plan = {
    quota: { name: 'quota', api_stages: [{ api_id: '${aws_api_gateway_rest_api.api.id}', stage: 'prod' }], quota_settings: { limit: 1000, period: 'DAY' } },
  };
  const functions: Record<string, Record<string, unknown>> = document.resource.aws_lambda_function;
  functions.fn.reserved_concurrent_executions = 2.5;
  functions.other = { ...functions.fn, function_name: 'Other', reserved_concurrent_executions: 1, logging_config: { log_format: 'XML' } };
  const message = await startupError({ STACK_DIR: writeFixtureStack(document) });
  expect(message).toContain('uses what the local server cannot serve faithfully');
  expect(message).toContain('aws_api_gateway_method.slow.authorization is CUSTOM; the local server serves methods with authorization NONE or AWS_IAM only');
  expect(message).toContain('aws_api_gateway_integration.templated is an integration of type HTTP');
  expect(message).toContain('aws_api_gateway_rest_api_policy.p: a resource policy can deny requests');
  expect(message).toContain('aws_api_gateway_usage_plan.quota.quota_settings is set (1000 requests per DAY); the local server does not count quotas');
  expect(message).toContain('aws_lambda_function.fn.reserved_concurrent_executions is 2.5; Lambda takes -1 (none reserved) or a whole number from 0.');
  expect(message).toContain('aws_lambda_function.other.logging_config.log_format is "XML"; Lambda takes Text or JSON.');
});

test("response header mappings AWS refuses, or the server does not make, all listed at once, each with its fix", async () => {
  const document = structuredClone(FIXTURE_DOCUMENT) as EditableDocument;
  const responses: Record<string, Record<string, unknown>> = document.resource.aws_api_gateway_integration_response;
  responses.slow_200.response_parameters = { 'method.response.header.Access-Control-Allow-Origin': 'method.request.header.Origin' };
  responses.templated_200.response_parameters = { 'method.response.header.X-Undeclared': "'value'" };
  document.resource.aws_api_gateway_gateway_response = {
    d4: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', response_type: 'DEFAULT_4XX', response_parameters: { 'gatewayresponse.header.X-Stage': 'stageVariables.name' } },
  };
  const message = await startupError({ STACK_DIR: writeFixtureStack(document) });
  expect(message).toContain(
    'aws_api_gateway_integration_response.slow_200.response_parameters maps method.response.header.Access-Control-Allow-Origin from method.request.header.Origin; ' +
      "AWS maps an integration response's headers from the integration's response, stage variables, context or literals only. " +
      'To answer with a request header, set it in the response template with $context.responseOverride.header.',
  );
  expect(message).toContain(
    'aws_api_gateway_integration_response.templated_200.response_parameters sets the header X-Undeclared, which aws_api_gateway_method_response.templated_200.response_parameters does not declare; ' +
      'AWS refuses it too. Declare "method.response.header.X-Undeclared" there.',
  );
  expect(message).toContain(
    'aws_api_gateway_gateway_response.d4.response_parameters maps gatewayresponse.header.X-Stage from "stageVariables.name"; ' +
      "the local server sets headers to literal values ('...') and request headers (method.request.header.X) only.",
  );
});

test('a LOCAL_API_KEY API Gateway would not take, or one for several keys', async () => {
  expect(await startupError({ LOCAL_API_KEY: 'short' })).toContain('LOCAL_API_KEY="short" cannot be an API key: it is 5 characters long, not 20 to 128');
  expect(await startupError({ LOCAL_API_KEY: 'twenty-characters-or-more\tbut-a-tab' })).toContain('character 26 is U+0009, not printable ASCII');

  const document = structuredClone(FIXTURE_DOCUMENT) as EditableDocument;
  document.resource.aws_api_gateway_api_key = { a: { name: 'a' }, b: { name: 'b' } };
  const message = await startupError({ STACK_DIR: writeFixtureStack(document), LOCAL_API_KEY: 'a-local-key-of-20-chars-or-more' });
  expect(message).toContain('LOCAL_API_KEY gives one value, but 2 API keys of the stack have none of their own (aws_api_gateway_api_key.a, aws_api_gateway_api_key.b)');
});

test('bad PORT, DYNAMODB_PORT and HOST values, and unknown arguments', async () => {
  expect(await startupError({ PORT: 'abc' })).toContain('PORT="abc" is not a port number');
  expect(await startupError({ DYNAMODB_PORT: '70000' })).toContain('DYNAMODB_PORT="70000" is not a port number');
  expect(await startupError({ HOST: 'example.com' })).toContain('HOST="example.com" is not an IP address');
  expect(await startupError({ HOST: '192.0.2.1' })).toContain('HOST=192.0.2.1 is not an address of this machine');
  expect(await startupError({}, ['--persist'])).toContain('Unknown argument "--persist"');
});

test('--inspect values node --inspect would not take, an inspector port in use, and --watch with a STACK_DIR to serve', async () => {
  expect(await startupError({}, ['--inspect=70000'])).toContain('--inspect=70000 is not an inspector address: expected a port (--inspect=9229) or host:port');
  expect(await startupError({}, ['--inspect=example.com:9229'])).toContain('--inspect=example.com:9229 is not an inspector address');
  const busy = await occupy();
  try {
    const port = (busy.address() as net.AddressInfo).port;
    expect(await startupError({}, [`--inspect=${port}`])).toContain(`The inspector cannot listen on 127.0.0.1:${port}`);
  } finally {
    busy.close();
  }
  expect(await startupError({}, ['--watch'])).toContain(`--watch serves what each save synthesizes into CDKTF_OUTDIR, but STACK_DIR=${stackDir} names another stack to serve`);
});

test('a LOCAL_LAMBDA_NODE that is not a Node.js binary, or not of the runtime major', async () => {
  const missing = path.join(tempDir('none'), 'node');
  expect(await startupError({ LOCAL_LAMBDA_NODE: missing })).toContain(`LOCAL_LAMBDA_NODE=${missing} is not a Node.js binary that runs here`);

  const document = structuredClone(FIXTURE_DOCUMENT) as EditableDocument;
  const ownMajor = Number(process.versions.node.split('.')[0]);
  document.resource.aws_lambda_function.fn.runtime = `nodejs${ownMajor + 2}.x`;
  expect(await startupError({ STACK_DIR: writeFixtureStack(document), LOCAL_LAMBDA_NODE: process.execPath })).toContain(
    `LOCAL_LAMBDA_NODE=${process.execPath} is Node.js ${process.version}, but the stack's functions declare nodejs${ownMajor + 2}.x. Set it to a Node.js ${ownMajor + 2} binary, or unset it.`,
  );
});
