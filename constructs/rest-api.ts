import { createHash } from 'node:crypto';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Lazy, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { ERROR_RESPONSES } from '../function/error-contract';
import { OPERATION_NAMES } from '../function/event';
import { ApiCors, CORS_ORIGINS_RULE } from './api-cors';
import { ApiKeyAccess } from './api-key-access';
import {
  INTEGRATION_TIMEOUT_SECONDS,
  LOG_RETENTION_RULE,
  matching,
  oneOf,
  type PropRules,
  STAGE_NAME_RULE,
  THROTTLE_BURST_RULE,
  THROTTLE_RATE_RULE,
  validateProps,
} from './props';

/** Who may call the API: anyone (the tutorial's), SigV4-signed IAM callers, or holders of an API key. */
export type ApiAuthorization = 'NONE' | 'AWS_IAM' | 'API_KEY';

export interface RestApiProps {
  /** The function that serves `POST /<resourcePath>`. */
  readonly handler: LambdaFunction;
  /**
   * REST API name.
   * @default 'DynamoDBOperations'
   */
  readonly apiName?: string;
  /**
   * Stage name, the first segment of the invoke URL's path.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Who may call: anyone, SigV4-signed IAM principals, or holders of the API key
   * this construct creates.
   * @default 'NONE'
   */
  readonly authorization?: ApiAuthorization;
  /**
   * Steady requests per second the stage serves before answering 429.
   * @default 100
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst the stage absorbs, in requests.
   * @default 200
   */
  readonly throttleBurstLimit?: number;
  /**
   * Check request bodies against the `DynamoDBManagerRequest` model at the
   * gateway, so malformed ones get 400 without invoking the function.
   * @default true
   */
  readonly requestValidation?: boolean;
  /**
   * X-Ray tracing on the stage.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Retention in days of the stage's access log group; undefined: no access logs.
   * Access logs need the account's API Gateway CloudWatch role to be set.
   * @default - no access logs
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Origins whose web pages may call the API and read its answers (CORS): `['*']`
   * for any, or origins as browsers send them (`https://app.example.com`).
   * @default - no CORS: browsers keep pages of other origins from reading the answers
   */
  readonly corsAllowOrigins?: readonly string[];
}

/** What a RestApi is without the optional props: the tutorial's API, throttled and validating bodies. */
export const REST_API_DEFAULTS = {
  apiName: 'DynamoDBOperations',
  stageName: 'prod',
  authorization: 'NONE',
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  requestValidation: true,
  tracing: false,
} as const satisfies Required<Omit<RestApiProps, 'handler' | 'accessLogRetentionDays' | 'corsAllowOrigins'>>;

/** API Gateway's and CloudWatch Logs' rules for the props. */
export const REST_API_RULES = {
  apiName: matching(
    /^[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,126}[A-Za-z0-9_.-])?$/,
    '1 to 128 characters from A-Z a-z 0-9 _ - . and space, not starting or ending with a space',
  ),
  stageName: STAGE_NAME_RULE,
  authorization: oneOf<ApiAuthorization>(['NONE', 'AWS_IAM', 'API_KEY'], 'NONE, AWS_IAM or API_KEY'),
  throttleRateLimit: THROTTLE_RATE_RULE,
  throttleBurstLimit: THROTTLE_BURST_RULE,
  accessLogRetentionDays: LOG_RETENTION_RULE,
  corsAllowOrigins: CORS_ORIGINS_RULE,
} satisfies PropRules<RestApiProps>;

/**
 * JSON Schema (draft 4, API Gateway's) of a request body: the handler's own
 * operations, so the model and the function cannot disagree.
 */
const REQUEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'DynamoDBManagerRequest',
  type: 'object',
  required: ['operation'],
  properties: {
    operation: { type: 'string', enum: [...OPERATION_NAMES] },
    tableName: { type: 'string' },
    payload: { type: 'object' },
  },
} as const;

/** Fields of one JSON access log line, in API Gateway's `$context` variables. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integration.error',
});

/** The resource's path part, as in the tutorial. Lambda permissions name it, case-sensitively. */
const RESOURCE_PATH = 'DynamoDBManager';
const HTTP_METHOD = 'POST';

/**
 * The tutorial's REST API: `POST /DynamoDBManager` with a non-proxy Lambda
 * integration, error classes mapped to HTTP statuses, a deployment, a stage and
 * the two invoke permissions (console test and stage).
 *
 * Terraform addresses: `aws_api_gateway_rest_api.api`,
 * `aws_api_gateway_resource.dynamodb_manager`, `aws_api_gateway_method.post`,
 * `aws_api_gateway_integration.post`, `aws_api_gateway_method_response.post_<status>`,
 * `aws_api_gateway_integration_response.post_<status>`,
 * `aws_api_gateway_deployment.api`, `aws_api_gateway_stage.stage`,
 * `aws_api_gateway_method_settings.throttling`, `aws_lambda_permission.api_test_invoke`,
 * `aws_lambda_permission.api_stage_invoke`; with request validation
 * `aws_api_gateway_model.request` and `aws_api_gateway_request_validator.body`;
 * with access logs `aws_cloudwatch_log_group.api_access_logs`; with API keys, those
 * of `ApiKeyAccess`; with CORS, those of `ApiCors`.
 */
export class RestApi extends Construct {
  public readonly api: ApiGatewayRestApi;
  public readonly resource: ApiGatewayResource;
  public readonly stage: ApiGatewayStage;
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>/DynamoDBManager` */
  public readonly invokeUrl: string;
  /** The API key's value, with `API_KEY` authorization. */
  public readonly apiKeyValue?: string;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    validateProps(this, props, REST_API_RULES, REST_API_DEFAULTS);
    const apiName = props.apiName ?? REST_API_DEFAULTS.apiName;
    const stageName = props.stageName ?? REST_API_DEFAULTS.stageName;
    const authorization = props.authorization ?? REST_API_DEFAULTS.authorization;
    const throttleRateLimit = props.throttleRateLimit ?? REST_API_DEFAULTS.throttleRateLimit;
    const throttleBurstLimit = props.throttleBurstLimit ?? REST_API_DEFAULTS.throttleBurstLimit;
    const requestValidation = props.requestValidation ?? REST_API_DEFAULTS.requestValidation;
    const tracing = props.tracing ?? REST_API_DEFAULTS.tracing;

    this.api = new ApiGatewayRestApi(this, 'api', {
      name: apiName,
      description: 'DynamoDB operations through Lambda, from the AWS tutorial "Using AWS Lambda with Amazon API Gateway"',
      endpointConfiguration: { types: ['REGIONAL'] },
      // With a replacement, the new API exists before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });
    this.api.overrideLogicalId('api');
    const restApiId = this.api.id;

    this.resource = new ApiGatewayResource(this, 'resource', {
      restApiId,
      parentId: this.api.rootResourceId,
      pathPart: RESOURCE_PATH,
    });
    this.resource.overrideLogicalId('dynamodb_manager');
    const resourceId = this.resource.id;

    const definition: TerraformResource[] = [this.resource];
    let validation: Pick<ApiGatewayMethod, 'requestValidatorId' | 'requestModels'> | undefined;
    if (requestValidation) {
      // Keyed by application/json, which is also what API Gateway assumes when a
      // request has no Content-Type; the tutorial's curl (form-urlencoded) is
      // passed through to the function, which checks the event itself.
      const model = new ApiGatewayModel(this, 'request_model', {
        restApiId,
        name: REQUEST_SCHEMA.title,
        description: 'A DynamoDBManager request: operation, optional tableName and payload',
        contentType: 'application/json',
        schema: JSON.stringify(REQUEST_SCHEMA),
      });
      model.overrideLogicalId('request');
      const validator = new ApiGatewayRequestValidator(this, 'request_validator', {
        restApiId,
        name: 'body',
        validateRequestBody: true,
        validateRequestParameters: false,
      });
      validator.overrideLogicalId('body');
      definition.push(model, validator);
      validation = { requestValidatorId: validator.id, requestModels: { 'application/json': model.name } };
    }

    const method = new ApiGatewayMethod(this, 'method', {
      restApiId,
      resourceId,
      httpMethod: HTTP_METHOD,
      authorization: authorization === 'AWS_IAM' ? 'AWS_IAM' : 'NONE',
      apiKeyRequired: authorization === 'API_KEY',
      ...validation,
    });
    method.overrideLogicalId('post');

    // Non-proxy, as in the tutorial: with no request template the body is the
    // event, whatever Content-Type the client sends (its curl sends none).
    const integration = new ApiGatewayIntegration(this, 'integration', {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: props.handler.invokeArn,
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutMilliseconds: INTEGRATION_TIMEOUT_SECONDS * 1000,
    });
    integration.overrideLogicalId('post');

    definition.push(method, integration);
    const responses: TerraformResource[] = [];
    const cors =
      props.corsAllowOrigins &&
      new ApiCors(this, 'cors', {
        restApiId,
        resourceId,
        allowOrigins: props.corsAllowOrigins,
        allowMethods: [HTTP_METHOD],
        requestValidatorId: validation?.requestValidatorId,
      });
    if (cors) responses.push(...cors.resources);
    const respond = (statusCode: string, model: string, selectionPattern?: string, bodyTemplate?: string) => {
      const browsers = cors?.response(bodyTemplate);
      const template = browsers ? browsers.template : bodyTemplate;
      const methodResponse = new ApiGatewayMethodResponse(this, `method_response_${statusCode}`, {
        restApiId,
        resourceId,
        httpMethod: method.httpMethod,
        statusCode,
        responseModels: { 'application/json': model },
        responseParameters: browsers?.methodResponseParameters,
      });
      methodResponse.overrideLogicalId(`post_${statusCode}`);
      const integrationResponse = new ApiGatewayIntegrationResponse(this, `integration_response_${statusCode}`, {
        restApiId,
        resourceId,
        httpMethod: method.httpMethod,
        statusCode: methodResponse.statusCode,
        selectionPattern,
        responseParameters: browsers?.integrationResponseParameters,
        responseTemplates: template === undefined ? undefined : { 'application/json': template },
        dependsOn: [integration],
      });
      integrationResponse.overrideLogicalId(`post_${statusCode}`);
      responses.push(methodResponse, integrationResponse);
    };
    // Success: the function's return value, serialised as JSON, is the body.
    respond('200', 'Empty');
    for (const error of ERROR_RESPONSES) {
      respond(error.statusCode, 'Error', error.selectionPattern, error.responseTemplate);
    }

    // A deployment is a snapshot: a new one is made whenever anything that
    // defines the API changes, before the old one goes, so the stage never points
    // at nothing. The trigger hashes the configuration as written here, plus ids
    // (a replaced resource) and the function's invoke ARN; never whole resources,
    // whose attributes the provider fills in after apply, which would make the
    // next plan replace the deployment again.
    const definingResources = [...definition, ...responses];
    const configurationHash = Lazy.stringValue({
      produce: (context) =>
        createHash('sha256')
          // Without cdktf's "//" metadata (construct paths): configuration only.
          .update(JSON.stringify(context.resolve(definingResources.map((r) => r.toTerraform())), (key, value) => (key === '//' ? undefined : value)))
          .digest('hex'),
    });
    const triggerParts = [JSON.stringify(configurationHash), ...definingResources.map((r) => `${r.fqn}.id`), `${integration.fqn}.uri`];
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId,
      description: `Deployment of ${apiName}`,
      triggers: { redeployment: `\${sha1(jsonencode([${triggerParts.join(', ')}]))}` },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: responses,
    });
    deployment.overrideLogicalId('api');

    let accessLogs: CloudwatchLogGroup | undefined;
    if (props.accessLogRetentionDays !== undefined) {
      accessLogs = new CloudwatchLogGroup(this, 'access_logs', {
        name: `/aws/apigateway/${apiName}/${stageName}/access`,
        retentionInDays: props.accessLogRetentionDays,
      });
      accessLogs.overrideLogicalId('api_access_logs');
    }

    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId,
      deploymentId: deployment.id,
      stageName,
      xrayTracingEnabled: tracing,
      accessLogSettings: accessLogs && { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
    });
    this.stage.overrideLogicalId('stage');

    // Every method of the stage; beyond the limits clients get 429 and the
    // function, and the table behind it, are spared.
    const settings = new ApiGatewayMethodSettings(this, 'method_settings', {
      restApiId,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: { throttlingRateLimit: throttleRateLimit, throttlingBurstLimit: throttleBurstLimit, metricsEnabled: true },
    });
    settings.overrideLogicalId('throttling');

    if (authorization === 'API_KEY') {
      this.apiKeyValue = new ApiKeyAccess(this, 'api_key', {
        restApiId,
        stageName: this.stage.stageName,
        name: `${apiName}-${stageName}`,
        rateLimit: throttleRateLimit,
        burstLimit: throttleBurstLimit,
      }).keyValue;
    }

    const testInvoke = new LambdaPermission(this, 'test_invoke_permission', {
      statementId: 'AllowApiGatewayTestInvoke',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      // Any stage: the console's "Test" calls through a stage of its own.
      sourceArn: `${this.api.executionArn}/*/${HTTP_METHOD}/${RESOURCE_PATH}`,
    });
    testInvoke.overrideLogicalId('api_test_invoke');

    const stageInvoke = new LambdaPermission(this, 'stage_invoke_permission', {
      statementId: 'AllowApiGatewayStageInvoke',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/${stageName}/${HTTP_METHOD}/${RESOURCE_PATH}`,
    });
    stageInvoke.overrideLogicalId('api_stage_invoke');

    this.invokeUrl = `${this.stage.invokeUrl}/${RESOURCE_PATH}`;
  }
}
