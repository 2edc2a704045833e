/**
 * The whole stack, synthesized in memory from the configuration, part by part:
 * table, function, package, API, deployment triggers, each setting's effect,
 * state. Why this file is long: every part's assertions read the same default
 * synth (synthesized once, at the top) and the snapshot file is keyed to this
 * file's name; each construct's own edge cases are in __tests__/constructs/.
 */
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ERROR_RESPONSES, formatErrorMessage, INTERNAL_ERROR_MESSAGE } from '../function/error-contract';
import { compileSelectionPattern } from '../local/apigateway/java-regex';
import { OPERATION_NAMES } from '../function/event';
import { DOCUMENTED_ADDRESSES, DOCUMENTED_DATA_SOURCES } from './helpers/addresses';
import { synthStack, withoutBundleHashes } from './helpers/synth';

interface TerraformJson {
  terraform: { backend: Record<string, Record<string, unknown>>; required_providers: Record<string, unknown> };
  provider: Record<string, unknown[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string; sensitive?: boolean }>;
}

const defaults = synthStack();
const tf = JSON.parse(defaults) as TerraformJson;
const resource = (type: string, name: string) => tf.resource[type]?.[name];

describe('Stack: the whole picture', () => {
  it('matches the snapshot with the default configuration', () => {
    expect(withoutBundleHashes(defaults)).toMatchSnapshot();
  });

  it('matches the snapshot with a non-default configuration', () => {
    expect(
      withoutBundleHashes(synthStack({
        AWS_REGION: 'eu-west-1',
        STAGE_NAME: 'v1',
        TABLE_NAME: 'items',
        TABLE_DELETION_PROTECTION: 'false',
        LOG_RETENTION_DAYS: '30',
        HANDLER_PACKAGING: 'asset',
      })),
    ).toMatchSnapshot();
  });

  it('gives every resource the readable address the README documents', () => {
    const addresses = Object.entries(tf.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(addresses.sort()).toEqual(DOCUMENTED_ADDRESSES);
    const data = Object.entries(tf.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`));
    expect(data.sort()).toEqual(DOCUMENTED_DATA_SOURCES);
  });

  it('keeps state at a relative path in the project root, not at this machine\'s absolute path', () => {
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../terraform.lambda-apigateway.tfstate' } });
    expect(defaults).not.toContain(process.cwd());
  });

  it('tags every resource through the provider and uses the tutorial\'s region', () => {
    expect(defaults).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-2',
      default_tags: [{ tags: { Project: 'lambda-apigateway-cdktf', Stack: 'lambda-apigateway', ManagedBy: 'cdktf' } }],
    });
  });
});

describe('Stack: DynamoDB table', () => {
  it('is the tutorial\'s table, on demand, with point-in-time recovery and deletion protection', () => {
    expect(defaults).toHaveResourceWithProperties(DynamodbTable, {
      name: 'lambda-apigateway',
      hash_key: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it('is kept by Terraform too: a plan that would destroy or replace it is refused before anything changes', () => {
    expect(resource('aws_dynamodb_table', 'table')!.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('drops deletion protection, and Terraform\'s guard with it, when TABLE_DELETION_PROTECTION=false', () => {
    const unprotected = synthStack({ TABLE_DELETION_PROTECTION: 'false' });
    expect(unprotected).toHaveResourceWithProperties(DynamodbTable, { deletion_protection_enabled: false });
    expect((JSON.parse(unprotected) as TerraformJson).resource.aws_dynamodb_table.table.lifecycle).toBeUndefined();
  });
});

/**
 * The role policy's statements, read back from the `jsonencode({...})` expression
 * the stack writes: keys are quoted, so `"key" =` becomes `"key":`, and a bare
 * reference becomes the string `"${reference}"` it stands for.
 */
function policyStatements(json: TerraformJson): { Sid: string; Effect: string; Action: string[]; Resource: string[] }[] {
  const policy = json.resource.aws_iam_role_policy.role_policy.policy as string;
  const object = /^\$\{jsonencode\((.*)\)\}$/s.exec(policy)?.[1];
  if (!object) throw new Error(`the role policy is not a jsonencode expression: ${policy}`);
  const asJson = object.replace(/"([^"]*)" = /g, '"$1": ').replace(/([[,]\s*)([a-z_]+(?:\.[a-z_0-9]+)+)(?=\s*[\],])/g, '$1"${$2}"');
  return (JSON.parse(asJson) as { Version: string; Statement: ReturnType<typeof policyStatements> }).Statement;
}

describe('Stack: execution role', () => {
  const documents = tf.data!.aws_iam_policy_document;

  it('is trusted by Lambda only', () => {
    expect(defaults).toHaveResourceWithProperties(IamRole, {
      name: 'lambda-apigateway-role',
      assume_role_policy: '${data.aws_iam_policy_document.assume_role.json}',
    });
    expect(documents.assume_role.statement).toEqual([
      { effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] },
    ]);
  });

  it('grants the tutorial\'s DynamoDB actions on the table\'s ARN and log writes on its log group, nothing else', () => {
    expect(resource('aws_iam_role_policy', 'role_policy')).toMatchObject({ role: '${aws_iam_role.role.id}' });
    expect(policyStatements(tf)).toEqual([
      {
        Sid: 'ReadWriteTable',
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        Resource: ['${aws_dynamodb_table.table.arn}'],
      },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: ['${aws_cloudwatch_log_group.function_logs.arn}:*'],
      },
    ]);
  });

  it('renders the policy from the ARNs themselves, not through a data source that Terraform would read only at apply', () => {
    expect(documents.role_policy).toBeUndefined();
    expect(resource('aws_iam_role_policy', 'role_policy')!.policy).not.toContain('data.');
  });
});

describe('Stack: function', () => {
  it('runs the bundle on nodejs22.x with the table\'s name, explicit limits and JSON logs', () => {
    expect(defaults).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'LambdaFunctionOverHttps',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      role: '${aws_iam_role.role.arn}',
      memory_size: 256,
      timeout: 10,
      environment: { variables: { TABLE_NAME: '${aws_dynamodb_table.table.name}' } },
      logging_config: {
        log_format: 'JSON',
        log_group: '${aws_cloudwatch_log_group.function_logs.name}',
        application_log_level: 'INFO',
        system_log_level: 'INFO',
      },
      depends_on: ['aws_cloudwatch_log_group.function_logs', 'aws_iam_role_policy.role_policy'],
    });
  });

  it.each([
    ['TRACE', 'DEBUG'],
    ['DEBUG', 'DEBUG'],
    ['INFO', 'INFO'],
    ['WARN', 'WARN'],
    ['ERROR', 'WARN'],
    ['FATAL', 'WARN'],
  ])('files logs at LOG_LEVEL=%s and above, and Lambda\'s own lines at %s and above', (level, systemLevel) => {
    const fn = (JSON.parse(synthStack({ LOG_LEVEL: level })) as TerraformJson).resource.aws_lambda_function.function;
    expect(fn.logging_config).toMatchObject({ log_format: 'JSON', application_log_level: level, system_log_level: systemLevel });
  });

  it('has a log group Terraform owns, with 14 days of retention', () => {
    expect(defaults).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/lambda/LambdaFunctionOverHttps',
      retention_in_days: 14,
    });
  });

  it('is packaged by the archive provider by default, with a fixed file mode', () => {
    expect(defaults).toHaveResourceWithProperties(LambdaFunction, {
      filename: '${data.archive_file.function_package.output_path}',
      source_code_hash: '${data.archive_file.function_package.output_base64sha256}',
    });
    expect(tf.data!.archive_file.function_package).toMatchObject({
      type: 'zip',
      output_file_mode: '0644',
      source_dir: expect.stringMatching(/^assets\/[\w-]+\/[0-9A-F]+$/),
    });
  });

  it('is a zip built at synth, with no archive provider, when HANDLER_PACKAGING=asset', () => {
    const asset = JSON.parse(synthStack({ HANDLER_PACKAGING: 'asset' })) as TerraformJson;
    const fn = asset.resource.aws_lambda_function.function;
    expect(fn.filename).toMatch(/^assets\/[\w-]+\/[0-9A-F]+\/function\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(asset.data?.archive_file).toBeUndefined();
    expect(asset.provider.archive).toBeUndefined();
    expect(asset.terraform.required_providers.archive).toBeUndefined();
  });
});

describe('Stack: REST API', () => {
  it('is the tutorial\'s API with POST /DynamoDBManager, open as in the tutorial', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayRestApi, { name: 'DynamoDBOperations' });
    expect(defaults).toHaveResourceWithProperties(ApiGatewayResource, {
      path_part: 'DynamoDBManager',
      parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}',
    });
    expect(defaults).toHaveResourceWithProperties(ApiGatewayMethod, { http_method: 'POST', authorization: 'NONE' });
  });

  it('integrates the function without proxy, passing bodies through, with a 29 s timeout', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayIntegration, {
      type: 'AWS',
      integration_http_method: 'POST',
      uri: '${aws_lambda_function.function.invoke_arn}',
      passthrough_behavior: 'WHEN_NO_MATCH',
      timeout_milliseconds: 29000,
    });
    expect(resource('aws_api_gateway_integration', 'post')!.request_templates).toBeUndefined();
  });

  it('answers 200 with the function\'s result', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayMethodResponse, {
      status_code: '200',
      response_models: { 'application/json': 'Empty' },
    });
    const ok = resource('aws_api_gateway_integration_response', 'post_200')!;
    expect(ok.status_code).toBe('${aws_api_gateway_method_response.post_200.status_code}');
    expect(ok.selection_pattern).toBeUndefined();
  });

  it.each(ERROR_RESPONSES.map((r) => [r.statusCode, r]))('maps function errors to %s with the shared pattern and template', (status, spec) => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayMethodResponse, { status_code: status });
    expect(resource('aws_api_gateway_integration_response', `post_${status}`)).toMatchObject({
      status_code: `\${aws_api_gateway_method_response.post_${status}.status_code}`,
      selection_pattern: spec.selectionPattern,
      response_templates: { 'application/json': spec.responseTemplate },
    });
  });

  it('selects each client error class by its pattern, and everything else as 500', () => {
    const statusFor = (errorMessage: string) =>
      ERROR_RESPONSES.filter((r) => compileSelectionPattern(r.selectionPattern, r.statusCode).test(errorMessage)).map((r) => r.statusCode);
    expect(statusFor(formatErrorMessage('BadRequest', 'Unknown operation: drop'))).toEqual(['400']);
    expect(statusFor(formatErrorMessage('Forbidden', 'x'))).toEqual(['403']);
    expect(statusFor(formatErrorMessage('Conflict', 'x'))).toEqual(['409']);
    expect(statusFor(formatErrorMessage('Throttled', 'x'))).toEqual(['429']);
    expect(statusFor(formatErrorMessage('Internal', INTERNAL_ERROR_MESSAGE))).toEqual(['500']);
    expect(statusFor('Task timed out after 10.01 seconds')).toEqual(['500']);
    expect(statusFor("Cannot find module 'x'\nRequire stack:\n- /var/task/index.js")).toEqual(['500']);
    expect(statusFor('BadRequest: no JSON body after the tag')).toEqual(['500']);
    // Line breaks in the client's message, Java's own included, are escaped in the JSON.
    expect(statusFor(formatErrorMessage('BadRequest', 'a\nb\u2028c\u0085d'))).toEqual(['400']);
  });

  it('never hands a client the internal detail of a 500', () => {
    const internal = ERROR_RESPONSES.find((r) => r.statusCode === '500')!;
    expect(JSON.parse(internal.responseTemplate)).toEqual({ message: INTERNAL_ERROR_MESSAGE });
  });

  describe('redeployment', () => {
    const trigger = (json: string) =>
      ((JSON.parse(json) as TerraformJson).resource.aws_api_gateway_deployment.api.triggers as { redeployment: string }).redeployment;

    it('creates the new deployment before the old one goes', () => {
      expect(resource('aws_api_gateway_deployment', 'api')!.lifecycle).toEqual({ create_before_destroy: true });
      expect(defaults).toHaveResourceWithProperties(ApiGatewayDeployment, { rest_api_id: '${aws_api_gateway_rest_api.api.id}' });
    });

    it('follows the id of every resource that defines the API, and the function it invokes', () => {
      const ids = DOCUMENTED_ADDRESSES.filter((a) => /^aws_api_gateway_(resource|method|integration|method_response|integration_response|model|request_validator)\./.test(a));
      for (const address of ids) expect(trigger(defaults)).toContain(`${address}.id`);
      expect(trigger(defaults)).toContain('aws_api_gateway_integration.post.uri');
    });

    it('hashes the configuration of the API, not attributes the provider fills in after apply', () => {
      expect(trigger(defaults)).toMatch(/^\$\{sha1\(jsonencode\(\["[0-9a-f]{64}", (aws_api_gateway_[a-z_]+\.[a-z_0-9]+\.(id|uri)(, )?)+\]\)\)\}$/);
    });

    it.each([
      ['request validation', { API_REQUEST_VALIDATION: 'false' }],
      ['authorization', { API_AUTHORIZATION: 'AWS_IAM' }],
    ])('changes when the %s of the API changes', (_, env) => {
      expect(trigger(synthStack(env))).not.toBe(trigger(defaults));
    });

    it.each([
      ['packaging', { HANDLER_PACKAGING: 'asset' }],
      ['throttling (a stage setting)', { API_THROTTLE_RATE_LIMIT: '5' }],
      ['log retention', { LOG_RETENTION_DAYS: '30' }],
    ])('stays the same when only the %s changes', (_, env) => {
      expect(trigger(synthStack(env))).toBe(trigger(defaults));
    });
  });

  it('deploys to the stage prod, or the one STAGE_NAME names', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayStage, {
      stage_name: 'prod',
      deployment_id: '${aws_api_gateway_deployment.api.id}',
    });
    expect(synthStack({ STAGE_NAME: 'v1' })).toHaveResourceWithProperties(ApiGatewayStage, { stage_name: 'v1' });
  });

  it('lets API Gateway invoke the function from the console test (any stage) and from the stage', () => {
    const common = {
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      function_name: '${aws_lambda_function.function.function_name}',
    };
    expect(resource('aws_lambda_permission', 'api_test_invoke')).toMatchObject({
      ...common,
      source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/*/POST/DynamoDBManager',
    });
    expect(resource('aws_lambda_permission', 'api_stage_invoke')).toMatchObject({
      ...common,
      source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/prod/POST/DynamoDBManager',
    });
    expect(synthStack({ STAGE_NAME: 'v1' })).toHaveResourceWithProperties(LambdaPermission, {
      source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/v1/POST/DynamoDBManager',
    });
  });
});

describe('Stack: API hardening', () => {
  it('throttles every method of the stage, 100 requests/s with bursts of 200 by default', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
      stage_name: '${aws_api_gateway_stage.stage.stage_name}',
      method_path: '*/*',
      settings: { throttling_rate_limit: 100, throttling_burst_limit: 200, metrics_enabled: true },
    });
    expect(synthStack({ API_THROTTLE_RATE_LIMIT: '5', API_THROTTLE_BURST_LIMIT: '10' })).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
      settings: { throttling_rate_limit: 5, throttling_burst_limit: 10, metrics_enabled: true },
    });
  });

  it('validates bodies at the gateway against a model of the handler\'s own operations', () => {
    expect(defaults).toHaveResourceWithProperties(ApiGatewayRequestValidator, { validate_request_body: true });
    expect(defaults).toHaveResourceWithProperties(ApiGatewayMethod, {
      request_validator_id: '${aws_api_gateway_request_validator.body.id}',
      request_models: { 'application/json': '${aws_api_gateway_model.request.name}' },
    });
    const model = resource('aws_api_gateway_model', 'request')!;
    expect(model.content_type).toBe('application/json');
    expect(JSON.parse(model.schema as string)).toMatchObject({
      required: ['operation'],
      properties: { operation: { enum: [...OPERATION_NAMES] }, payload: { type: 'object' }, tableName: { type: 'string' } },
    });
    expect((resource('aws_api_gateway_deployment', 'api')!.triggers as { redeployment: string }).redeployment).toContain('aws_api_gateway_model.request');
  });

  it('leaves validation to the function when API_REQUEST_VALIDATION=false', () => {
    const off = JSON.parse(synthStack({ API_REQUEST_VALIDATION: 'false' })) as TerraformJson;
    expect(off.resource.aws_api_gateway_model).toBeUndefined();
    expect(off.resource.aws_api_gateway_method.post.request_validator_id).toBeUndefined();
  });

  it('signs calls with SigV4 when API_AUTHORIZATION=AWS_IAM', () => {
    expect(synthStack({ API_AUTHORIZATION: 'AWS_IAM' })).toHaveResourceWithProperties(ApiGatewayMethod, {
      authorization: 'AWS_IAM',
      api_key_required: false,
    });
  });

  it('requires an API key of a usage plan on the stage when API_AUTHORIZATION=API_KEY, its value only in a sensitive output', () => {
    const keyed = JSON.parse(synthStack({ API_AUTHORIZATION: 'API_KEY' })) as TerraformJson;
    expect(keyed.resource.aws_api_gateway_method.post).toMatchObject({ authorization: 'NONE', api_key_required: true });
    expect(keyed.resource.aws_api_gateway_usage_plan.usage_plan.api_stages).toEqual([
      { api_id: '${aws_api_gateway_rest_api.api.id}', stage: '${aws_api_gateway_stage.stage.stage_name}' },
    ]);
    expect(keyed.resource.aws_api_gateway_usage_plan_key.usage_plan_key).toMatchObject({
      key_id: '${aws_api_gateway_api_key.api_key.id}',
      usage_plan_id: '${aws_api_gateway_usage_plan.usage_plan.id}',
    });
    expect(keyed.output.api_key).toEqual(expect.objectContaining({ value: '${aws_api_gateway_api_key.api_key.value}', sensitive: true }));
    expect(tf.output.api_key).toBeUndefined();
  });

  it('traces the function and the stage with X-Ray when TRACING=true, granting only X-Ray on *', () => {
    const traced = JSON.parse(synthStack({ TRACING: 'true' })) as TerraformJson;
    expect(traced.resource.aws_lambda_function.function.tracing_config).toEqual({ mode: 'Active' });
    expect(traced.resource.aws_api_gateway_stage.stage.xray_tracing_enabled).toBe(true);
    expect(policyStatements(traced).filter((s) => s.Resource.includes('*'))).toEqual([
      { Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
    ]);
    expect(resource('aws_lambda_function', 'function')!.tracing_config).toEqual({ mode: 'PassThrough' });
  });

  it('writes JSON access logs to a log group of the stack when API_ACCESS_LOGS=true', () => {
    const logged = JSON.parse(synthStack({ API_ACCESS_LOGS: 'true' })) as TerraformJson;
    expect(logged.resource.aws_cloudwatch_log_group.api_access_logs).toMatchObject({
      name: '/aws/apigateway/DynamoDBOperations/prod/access',
      retention_in_days: 14,
    });
    const settings = logged.resource.aws_api_gateway_stage.stage.access_log_settings as { destination_arn: string; format: string };
    expect(settings.destination_arn).toBe('${aws_cloudwatch_log_group.api_access_logs.arn}');
    expect(JSON.parse(settings.format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(resource('aws_api_gateway_stage', 'stage')!.access_log_settings).toBeUndefined();
  });
});

describe('Stack: state backend', () => {
  it('keeps state in S3, encrypted and with S3-native locking, when TF_STATE_BUCKET is set', () => {
    const remote = JSON.parse(synthStack({ TF_STATE_BUCKET: 'my-state', AWS_REGION: 'eu-west-1' })) as TerraformJson;
    expect(remote.terraform.backend).toEqual({
      s3: { bucket: 'my-state', key: 'lambda-apigateway/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
  });

  it('takes the key, the bucket\'s region and a DynamoDB lock table from their variables', () => {
    const remote = JSON.parse(
      synthStack({ TF_STATE_BUCKET: 'my-state', TF_STATE_KEY: 'team/api.tfstate', TF_STATE_REGION: 'us-west-2', TF_STATE_LOCK_TABLE: 'locks' }),
    ) as TerraformJson;
    expect(remote.terraform.backend.s3).toMatchObject({ key: 'team/api.tfstate', region: 'us-west-2', dynamodb_table: 'locks', use_lockfile: true });
  });
});

describe('Stack: outputs', () => {
  it('has every documented output, under a fixed name', () => {
    expect(Object.keys(tf.output).sort()).toEqual(
      ['function_arn', 'function_name', 'invoke_url', 'log_group_name', 'resource_id', 'rest_api_id', 'role_arn', 'stage_name', 'table_arn', 'table_name'],
    );
    expect(tf.output.invoke_url.value).toBe('${aws_api_gateway_stage.stage.invoke_url}/DynamoDBManager');
    expect(tf.output.resource_id.value).toBe('${aws_api_gateway_resource.dynamodb_manager.id}');
  });
});
