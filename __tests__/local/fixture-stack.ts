/**
 * A small stack written as Terraform JSON by hand, with a test-only function, for
 * what the tutorial's stack cannot show: a slow, stuck, blocking or memory-hungry
 * function, one that reports its environment, a proxy integration, request
 * templates, a route without a Lambda permission, a throttled stage, a function
 * error no selection pattern matches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './harness';

/** The test function: does what the event asks. */
const FUNCTION_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
// Module scope: one value per execution environment.
const ENVIRONMENT = Math.random().toString(36).slice(2);
let invocations = 0;
// Blocks this environment's thread without using the CPU, as a handler busy with synchronous work would.
const block = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

exports.handler = async (event, context) => {
  const startedAt = Date.now();
  invocations++;
  if (event.startedDir) fs.writeFileSync(path.join(event.startedDir, context.awsRequestId), '');
  if (event.holdUntil) while (!fs.existsSync(event.holdUntil)) block(10);
  if (event.blockMs) block(event.blockMs);
  if (event.hog) { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); }
  if (event.log) {
    console.debug('a debug line');
    console.info('an info line');
    console.warn('a warning', 42, { about: 'it' });
    console.error({ problem: 'an object', code: 7 });
    console.warn(new TypeError('bad type'));
    console.error('failed:', new RangeError('out of range'));
  }
  if (event.logSettings) return { format: process.env.AWS_LAMBDA_LOG_FORMAT ?? null, level: process.env.AWS_LAMBDA_LOG_LEVEL ?? null };
  if (event.environment) return { environment: ENVIRONMENT, invocation: invocations, pid: process.pid, node: process.version, startedAt, endedAt: Date.now() };
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.spin) for (;;) {}
  if (event.fail) throw new Error(event.fail);
  if (event.env) return { GREETING: process.env.GREETING, API_URL: process.env.API_URL, AWS_REGION: process.env.AWS_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB, HOME: process.env.HOME ?? null };
  if (event.httpMethod) {
    if (event.headers['x-malformed']) return 'not a proxy response';
    if (event.headers['x-fail']) throw new Error('proxy failure');
    return { statusCode: 201, headers: { 'x-proxied': event.path }, body: JSON.stringify({ resource: event.resource,
      pathParameters: event.pathParameters, query: event.queryStringParameters, body: event.body, stage: event.requestContext.stage }) };
  }
  return { event, remainingMs: context.getRemainingTimeInMillis(), functionName: context.functionName };
};
`;

const api = '${aws_api_gateway_rest_api.api.id}';
const fnArn = '${aws_lambda_function.fn.invoke_arn}';

function method(resource: string, httpMethod: string) {
  return { rest_api_id: api, resource_id: `\${aws_api_gateway_resource.${resource}.id}`, http_method: httpMethod, authorization: 'NONE' };
}

function integration(name: string, resource: string, extra: Record<string, unknown> = {}) {
  return { rest_api_id: api, resource_id: `\${aws_api_gateway_resource.${resource}.id}`, http_method: `\${aws_api_gateway_method.${name}.http_method}`, type: 'AWS', integration_http_method: 'POST', uri: fnArn, ...extra };
}

function response(name: string, resource: string, status: string, extra: Record<string, unknown> = {}) {
  return { rest_api_id: api, resource_id: `\${aws_api_gateway_resource.${resource}.id}`, http_method: `\${aws_api_gateway_method.${name}.http_method}`, status_code: status, ...extra };
}

function permission(sourcePath: string) {
  return {
    action: 'lambda:InvokeFunction',
    function_name: '${aws_lambda_function.fn.function_name}',
    principal: 'apigateway.amazonaws.com',
    source_arn: `\${aws_api_gateway_rest_api.api.execution_arn}/${sourcePath}`,
  };
}

export const FIXTURE_DOCUMENT = {
  '//': { metadata: { stackName: 'fixture' } },
  provider: { aws: [{ region: 'eu-west-1' }] },
  data: { archive_file: { code: { type: 'zip', source_dir: 'function', output_path: 'fixture.zip' } } },
  resource: {
    aws_iam_role: { role: { name: 'fixture-role', assume_role_policy: '{}' } },
    aws_lambda_function: {
      fn: {
        function_name: 'Fixture',
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        role: '${aws_iam_role.role.arn}',
        filename: '${data.archive_file.code.output_path}',
        timeout: 1,
        memory_size: 128,
        environment: { variables: { GREETING: 'hello', API_URL: '${aws_api_gateway_stage.prod.invoke_url}' } },
      },
    },
    aws_api_gateway_rest_api: { api: { name: 'FixtureApi' } },
    aws_api_gateway_resource: {
      slow: { rest_api_id: api, parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'slow' },
      items: { rest_api_id: api, parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'items' },
      item: { rest_api_id: api, parent_id: '${aws_api_gateway_resource.items.id}', path_part: '{item}' },
      templated: { rest_api_id: api, parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'templated' },
      unpermitted: { rest_api_id: api, parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'unpermitted' },
    },
    aws_api_gateway_method: {
      slow: method('slow', 'POST'),
      item: method('item', 'ANY'),
      templated: method('templated', 'GET'),
      unpermitted: method('unpermitted', 'POST'),
    },
    aws_api_gateway_integration: {
      // Shorter than the function's own 1 s timeout, so API Gateway gives up first.
      slow: integration('slow', 'slow', { timeout_milliseconds: 500 }),
      item: integration('item', 'item', { type: 'AWS_PROXY' }),
      templated: integration('templated', 'templated', {
        passthrough_behavior: 'NEVER',
        request_templates: { 'application/json': '{"name": "$util.escapeJavaScript($input.params(\'name\'))", "stage": "$context.stage"}' },
      }),
      unpermitted: integration('unpermitted', 'unpermitted'),
    },
    aws_api_gateway_method_response: {
      slow_200: response('slow', 'slow', '200'),
      slow_418: response('slow', 'slow', '418', { response_parameters: { 'method.response.header.X-Brew': true } }),
      templated_200: response('templated', 'templated', '200'),
      unpermitted_200: response('unpermitted', 'unpermitted', '200'),
    },
    aws_api_gateway_integration_response: {
      slow_200: response('slow', 'slow', '${aws_api_gateway_method_response.slow_200.status_code}'),
      slow_418: response('slow', 'slow', '418', {
        selection_pattern: 'teapot.*',
        response_templates: { 'application/json': '{"teapot": "$util.escapeJavaScript($input.path(\'$.errorMessage\'))"}' },
        response_parameters: { 'method.response.header.X-Brew': "'tea'" },
      }),
      templated_200: response('templated', 'templated', '200', {
        response_templates: { 'application/json': '{"hello": $input.json(\'$.event.name\'), "stage": $input.json(\'$.event.stage\')}' },
      }),
      unpermitted_200: response('unpermitted', 'unpermitted', '200'),
    },
    aws_api_gateway_deployment: { d: { rest_api_id: api } },
    aws_api_gateway_stage: {
      prod: { rest_api_id: api, deployment_id: '${aws_api_gateway_deployment.d.id}', stage_name: 'prod' },
      limited: { rest_api_id: api, deployment_id: '${aws_api_gateway_deployment.d.id}', stage_name: 'limited' },
    },
    aws_api_gateway_method_settings: {
      limited: {
        rest_api_id: api,
        stage_name: '${aws_api_gateway_stage.limited.stage_name}',
        method_path: '*/*',
        settings: { throttling_rate_limit: 1, throttling_burst_limit: 2 },
      },
    },
    aws_lambda_permission: {
      slow: permission('*/POST/slow'),
      items: permission('*/*/items/*'),
      templated: permission('*/GET/templated'),
    },
  },
};

/** Writes a stack directory (cdk.tf.json and the function's code) for `document`; returns it. */
export function writeFixtureStack(document: object = FIXTURE_DOCUMENT): string {
  const stackDir = tempDir('fixture');
  fs.mkdirSync(path.join(stackDir, 'function'));
  fs.writeFileSync(path.join(stackDir, 'function', 'index.js'), FUNCTION_SOURCE);
  fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(document, null, 2));
  return stackDir;
}
