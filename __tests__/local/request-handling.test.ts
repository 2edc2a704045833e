/**
 * The REST API gateway in this process, its function replaced by a stub that answers
 * at once, for what needs a given function answer and no Lambda: one request's
 * failure must not stop the server, malformed proxy answers, MOCK integrations,
 * response overrides and gateway responses' header mappings, Lambda permissions of
 * ANY methods, the order of the throttles.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { assignApiKeyValues } from '../../local/apigateway/api-keys';
import { RestApiGateway } from '../../local/apigateway/gateway';
import { answerInternalError } from '../../local/apigateway/gateway-responses';
import type { InvocationResult } from '../../local/lambda/invocation';
import { FunctionRuntime } from '../../local/lambda/runtime';
import { percentDecode } from '../../local/shared/http';
import type { StackModel } from '../../local/stack/model';
import { loadStack } from '../../local/stack/reader';
import { findStackFile } from '../../local/stack/stack-file';
import { FIXTURE_DOCUMENT, writeFixtureStack } from './fixture-stack';
import { cleanUp, request } from './harness';

type EditableDocument = { resource: Record<string, Record<string, Record<string, unknown>>> };

const servers: http.Server[] = [];
let stderr: jest.SpyInstance;

beforeEach(() => {
  // Logged errors are expected here; kept from the test output, and checked where they matter.
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => stderr.mockRestore());

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  cleanUp();
});

function fixtureDocument(edit: (document: EditableDocument) => void = () => undefined): EditableDocument {
  const document: EditableDocument = structuredClone(FIXTURE_DOCUMENT);
  edit(document);
  return document;
}

function load(document: object): StackModel {
  return loadStack(findStackFile({ stackDir: writeFixtureStack(document) }), { baseUrl: 'http://127.0.0.1:3000' });
}

/** Serves `handler` on a free port as local/server.ts does: what it throws or rejects with is answered by answerInternalError. */
async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>): Promise<string> {
  const server = http.createServer((req, res) => void Promise.resolve().then(() => handler(req, res)).catch((error: unknown) => answerInternalError(req, res, error)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The fixture's API on a free port, its function answering with `reply(payload)`. */
async function serveGateway(model: StackModel, reply: (payload: string) => string): Promise<string> {
  const stub = { invoke: async (payload: string): Promise<InvocationResult> => ({ kind: 'result', payload: reply(payload) }) } as unknown as FunctionRuntime;
  const gateway = new RestApiGateway(model.api!, new Map([['Fixture', stub]]), model.region, assignApiKeyValues(model.api!.apiKeys, undefined));
  return listen((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    return gateway.handle(req, res, url.pathname, url.searchParams);
  });
}

const INTERNAL_ERROR = { status: 500, body: '{"message":"Internal server error"}' };

describe('a failure while answering one request', () => {
  test("a stack's gateway response template that throws gives the default body, also for errors raised while handling an error", async () => {
    const throwing = '{"detail": $util.parseJson($context.error.message)}';
    const gatewayResponse = (type: string) => ({ rest_api_id: '${aws_api_gateway_rest_api.api.id}', response_type: type, response_templates: { 'application/json': throwing } });
    const model = load(fixtureDocument((d) => (d.resource.aws_api_gateway_gateway_response = { d4: gatewayResponse('DEFAULT_4XX'), d5: gatewayResponse('DEFAULT_5XX') })));
    // Not JSON, so the response template's $input.json throws, and the 500 that follows renders the throwing template.
    const url = await serveGateway(model, () => 'not json');

    expect(await request(`${url}/prod/nowhere`)).toMatchObject({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    expect(await request(`${url}/prod/templated?name=x`)).toMatchObject(INTERNAL_ERROR);
    expect(stderr.mock.calls.join('')).toContain('gateway response for API_CONFIGURATION_ERROR failed to render');
  });

  test('what a handler throws is a plain 500 without the headers it set, or a closed connection once it has answered in part; the server goes on', async () => {
    const url = await listen((req, res) => {
      res.setHeader('x-half-done', '1');
      if (req.url === '/midway') {
        res.writeHead(200);
        res.write('partial');
      }
      throw new Error(`failed at ${req.url}`);
    });
    const early = await request(`${url}/early`);
    expect(early).toMatchObject(INTERNAL_ERROR);
    expect(early.headers['x-half-done']).toBeUndefined();
    await expect(request(`${url}/midway`)).rejects.toThrow();
    expect(await request(`${url}/again`)).toMatchObject(INTERNAL_ERROR);
    expect(stderr.mock.calls.join('')).toContain('failed at /midway');
  });
});

describe('AWS_PROXY answers', () => {
  const MALFORMED: Record<string, unknown> = {
    'bad-name': { statusCode: 200, headers: { 'x-ok': '1', 'no spaces allowed': 'v' } },
    'bad-value': { statusCode: 200, headers: { 'x-ok': '1', 'x-bad': 'line\nbreak' } },
    'not-an-array': { statusCode: 200, headers: { 'x-ok': '1' }, multiValueHeaders: { 'x-multi': 'a' } },
    'object-value': { statusCode: 200, headers: { 'x-ok': '1', 'x-object': { a: 1 } } },
    'no-status': { statusCode: 42, headers: { 'x-ok': '1' } },
  };
  let url: string;

  beforeAll(async () => {
    url = await serveGateway(load(fixtureDocument()), (payload) => {
      const shape = (JSON.parse(payload) as { headers: Record<string, string> }).headers['x-shape'];
      return JSON.stringify(MALFORMED[shape] ?? { statusCode: 201, headers: { 'x-ok': '1' }, multiValueHeaders: { 'x-multi': ['a', 'b'] }, body: 'fine' });
    });
  });

  test.each(Object.keys(MALFORMED))('a response with a malformed part (%s) is a 502 carrying none of its headers', async (shape) => {
    const response = await request(`${url}/prod/items/x`, { headers: { 'x-shape': shape } });
    expect(response).toMatchObject({ status: 502, body: '{"message":"Internal server error"}' });
    expect(response.headers['x-ok']).toBeUndefined();
  });

  test('a well-formed one is answered as it is', async () => {
    const response = await request(`${url}/prod/items/x`);
    expect(response).toMatchObject({ status: 201, body: 'fine' });
    expect(response.headers).toMatchObject({ 'x-ok': '1', 'x-multi': 'a, b' });
  });
});

describe('MOCK integrations, response overrides, gateway response mappings', () => {
  const api = '${aws_api_gateway_rest_api.api.id}';
  const onMock = { rest_api_id: api, resource_id: '${aws_api_gateway_resource.mock.id}', http_method: '${aws_api_gateway_method.mock.http_method}' };
  let url: string;
  let invoked = 0;

  beforeAll(async () => {
    const model = load(
      fixtureDocument((d) => {
        d.resource.aws_api_gateway_resource.mock = { rest_api_id: api, parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'mock' };
        d.resource.aws_api_gateway_method.mock = { rest_api_id: api, resource_id: '${aws_api_gateway_resource.mock.id}', http_method: 'GET', authorization: 'NONE' };
        d.resource.aws_api_gateway_integration.mock = {
          ...onMock,
          type: 'MOCK',
          request_templates: { 'application/json': '{"statusCode": "$input.params(\'status\')"}' },
        };
        d.resource.aws_api_gateway_method_response.mock_200 = { ...onMock, status_code: '200', response_parameters: { 'method.response.header.X-Static': true } };
        d.resource.aws_api_gateway_method_response.mock_418 = { ...onMock, status_code: '418' };
        d.resource.aws_api_gateway_integration_response.mock_200 = {
          ...onMock,
          status_code: '200',
          response_parameters: { 'method.response.header.X-Static': "'static'" },
          response_templates: {
            'application/json':
              "#set($echo = $input.params('x-echo'))#if($echo != '')#set($context.responseOverride.header.X-Echo = $echo)#end" +
              "#if($input.params('twice') != '')#set($context.responseOverride.header.X-Echo = 'again')#end" +
              "#if($input.params('override') != '')#set($context.responseOverride.status = $input.params('override'))#end" +
              '{"mocked": true}',
          },
        };
        d.resource.aws_api_gateway_integration_response.mock_418 = { ...onMock, status_code: '418', selection_pattern: '41\\d', response_templates: { 'application/json': '{"teapot": "$input.params(\'status\')"}' } };
        d.resource.aws_api_gateway_gateway_response = {
          missing: {
            rest_api_id: api,
            response_type: 'MISSING_AUTHENTICATION_TOKEN',
            response_parameters: { 'gatewayresponse.header.X-Asked': 'method.request.header.X-Ask', 'gatewayresponse.header.X-Static': "'static'" },
          },
        };
      }),
    );
    url = await serveGateway(model, () => {
      invoked++;
      return '{}';
    });
  });

  test('a MOCK integration answers by itself: the default response, its template and headers, with no function invoked', async () => {
    const response = await request(`${url}/prod/mock`);
    expect(response).toMatchObject({ status: 200, body: '{"mocked": true}', headers: { 'x-static': 'static' } });
    expect(response.headers['x-echo']).toBeUndefined();
    expect(invoked).toBe(0);
  });

  test("the status its request template gives picks the integration response whose selection pattern matches it; no match, the default's", async () => {
    expect(await request(`${url}/prod/mock?status=418`)).toMatchObject({ status: 418, body: '{"teapot": "418"}' });
    expect(await request(`${url}/prod/mock?status=500`)).toMatchObject({ status: 200, body: '{"mocked": true}' });
  });

  test('a response template sets headers and the status through $context.responseOverride, over the static ones', async () => {
    const echoed = await request(`${url}/prod/mock`, { headers: { 'x-echo': 'hello' } });
    expect(echoed).toMatchObject({ status: 200, headers: { 'x-echo': 'hello', 'x-static': 'static' } });
    expect(await request(`${url}/prod/mock?override=299`)).toMatchObject({ status: 299, body: '{"mocked": true}' });
  });

  test('overriding the same header twice, or the status with something else, is a 500, as API Gateway answers it, and the log says why', async () => {
    expect(await request(`${url}/prod/mock?twice=1`, { headers: { 'x-echo': 'hello' } })).toMatchObject(INTERNAL_ERROR);
    expect(stderr.mock.calls.join('')).toContain('The response template for 200 of GET /mock failed, so API Gateway answers 500: it overrides the header X-Echo twice');
    expect(await request(`${url}/prod/mock?override=abc`)).toMatchObject(INTERNAL_ERROR);
    expect(stderr.mock.calls.join('')).toContain('it overrides the status with "abc", not an HTTP status');
  });

  test("a gateway response copies a request header it maps, its last value if several, and leaves it out when the request has none", async () => {
    const asked = await request(`${url}/prod/nowhere`, { headers: { 'x-ask': 'please' } });
    expect(asked).toMatchObject({ status: 403, body: '{"message":"Missing Authentication Token"}', headers: { 'x-asked': 'please', 'x-static': 'static' } });
    const twice = await new Promise<http.IncomingMessage>((resolve, reject) => {
      // Raw headers, one line each, as a client may send them (Node then adds no Host of its own).
      http.get(`${url}/prod/nowhere`, { headers: ['Host', new URL(url).host, 'X-Ask', 'first', 'X-Ask', 'last'] }, resolve).on('error', reject);
    });
    twice.resume();
    expect(twice.headers['x-asked']).toBe('last');
    const without = await request(`${url}/prod/nowhere`);
    expect(without.headers['x-asked']).toBeUndefined();
    expect(without.headers['x-static']).toBe('static');
  });
});

test("an ANY method's Lambda permission is checked with the request's method, as API Gateway checks it", async () => {
  const model = load(fixtureDocument((d) => (d.resource.aws_lambda_permission.items.source_arn = '${aws_api_gateway_rest_api.api.execution_arn}/*/POST/items/*')));
  expect(model.notices).toContain(
    'ANY /prod/items/{item}: no aws_lambda_permission lets API Gateway invoke Fixture for DELETE, GET, HEAD, OPTIONS, PATCH, PUT, so AWS answers those 500; so does this server.',
  );
  const url = await serveGateway(model, () => '{"statusCode":200,"body":"invoked"}');
  expect(await request(`${url}/prod/items/x`, { method: 'POST', body: '{}' })).toMatchObject({ status: 200, body: 'invoked' });
  expect(await request(`${url}/prod/items/x`)).toMatchObject(INTERNAL_ERROR);
});

test("a request a key's throttle refuses spends none of the stage's tokens", async () => {
  const api = '${aws_api_gateway_rest_api.api.id}';
  const model = load(
    fixtureDocument((d) => {
      // No refill during the test: a stage burst of 2, a burst of 1 for the tight key.
      d.resource.aws_api_gateway_method_settings.limited.settings = { throttling_rate_limit: 0.001, throttling_burst_limit: 2 };
      d.resource.aws_api_gateway_method.slow.api_key_required = true;
      d.resource.aws_api_gateway_api_key = { tight: { name: 'tight', value: 'tight-key-of-the-stack-0001' }, open: { name: 'open', value: 'open-key-of-the-stack-00001' } };
      d.resource.aws_api_gateway_usage_plan = {
        tight: { name: 'tight', api_stages: [{ api_id: api, stage: 'limited' }], throttle_settings: { rate_limit: 0.001, burst_limit: 1 } },
        open: { name: 'open', api_stages: [{ api_id: api, stage: 'limited' }] },
      };
      d.resource.aws_api_gateway_usage_plan_key = {
        tight: { key_id: '${aws_api_gateway_api_key.tight.id}', key_type: 'API_KEY', usage_plan_id: '${aws_api_gateway_usage_plan.tight.id}' },
        open: { key_id: '${aws_api_gateway_api_key.open.id}', key_type: 'API_KEY', usage_plan_id: '${aws_api_gateway_usage_plan.open.id}' },
      };
    }),
  );
  const url = await serveGateway(model, () => '{}');
  const slow = (key: string) => request(`${url}/limited/slow`, { method: 'POST', headers: { 'x-api-key': key }, body: '{}' }).then((r) => r.status);
  expect(await slow('tight-key-of-the-stack-0001')).toBe(200);
  expect(await slow('tight-key-of-the-stack-0001')).toBe(429);
  expect(await slow('open-key-of-the-stack-00001')).toBe(200);
  expect(await slow('open-key-of-the-stack-00001')).toBe(429);
});

test('a function invoked after its runtime stopped fails at once, starting no environment', async () => {
  const runtime = new FunctionRuntime(load(fixtureDocument()).functions[0], { extraEnvironment: {}, region: 'eu-west-1', logTo: process.stderr });
  expect(await runtime.start()).toBeUndefined();
  await runtime.stop();
  const result = await runtime.invoke('{}');
  expect(result).toMatchObject({ kind: 'error', error: { errorType: 'Runtime.ExitError' } });
  expect(runtime.environmentCount).toBe(0);
});

test('percent-decoding keeps what is not valid percent-encoding as received', () => {
  expect(percentDecode('a%20b%2Fc')).toBe('a b/c');
  expect(percentDecode('100%')).toBe('100%');
  expect(percentDecode('%E2%82')).toBe('%E2%82');
});
