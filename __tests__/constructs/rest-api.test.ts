/** RestApi alone (cdktf's Testing.synthScope, through helpers/synth), in front of a bare function: its defaults, its props' edge cases, the props it refuses. */
import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { Construct } from 'constructs';
import { PropsError } from '../../constructs/props';
import { type ApiAuthorization, REST_API_DEFAULTS, RestApi, type RestApiProps } from '../../constructs/rest-api';
import { synthScope } from '../helpers/synth';

const synthApi = (props: Partial<Omit<RestApiProps, 'handler'>> = {}) =>
  synthScope((scope: Construct) => {
    const handler = new LambdaFunction(scope, 'function', { functionName: 'Items', role: 'arn:aws:iam::123456789012:role/items' });
    new RestApi(scope, 'rest_api', { handler, ...props });
  });

describe('RestApi', () => {
  it("is the tutorial's API when given only its function: POST /DynamoDBManager open to all, stage prod throttled at 100/200, bodies validated, no access logs", () => {
    const json = synthApi();
    expect(REST_API_DEFAULTS).toMatchObject({ apiName: 'DynamoDBOperations', stageName: 'prod', authorization: 'NONE', throttleRateLimit: 100, throttleBurstLimit: 200 });
    expect(json).toHaveResourceWithProperties(ApiGatewayRestApi, { name: 'DynamoDBOperations' });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethod, { http_method: 'POST', authorization: 'NONE', api_key_required: false });
    expect(json).toHaveResourceWithProperties(ApiGatewayStage, { stage_name: 'prod', xray_tracing_enabled: false });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethodSettings, { method_path: '*/*', settings: { throttling_rate_limit: 100, throttling_burst_limit: 200, metrics_enabled: true } });
    expect(json).toHaveResourceWithProperties(ApiGatewayModel, { name: 'DynamoDBManagerRequest', content_type: 'application/json' });
    expect(json).toHaveResourceWithProperties(ApiGatewayRequestValidator, { validate_request_body: true });
    expect(json).not.toHaveResource(CloudwatchLogGroup);
    expect(json).not.toHaveResource(ApiGatewayApiKey);
    const permissions = Object.values(JSON.parse(json).resource.aws_lambda_permission as Record<string, { source_arn: string }>).map((p) => p.source_arn);
    expect(permissions.sort()).toEqual(['${aws_api_gateway_rest_api.api.execution_arn}/*/POST/DynamoDBManager', '${aws_api_gateway_rest_api.api.execution_arn}/prod/POST/DynamoDBManager']);
    expect(json).toHaveResourceWithProperties(LambdaPermission, { function_name: '${aws_lambda_function.function.function_name}' });
  });

  it('with API_KEY authorization, requires a key, admitted by a usage plan with the stage throttle', () => {
    const json = synthApi({ authorization: 'API_KEY', stageName: 'v1', throttleRateLimit: 5, throttleBurstLimit: 10 });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethod, { authorization: 'NONE', api_key_required: true });
    expect(json).toHaveResourceWithProperties(ApiGatewayUsagePlan, { name: 'DynamoDBOperations-v1', throttle_settings: { rate_limit: 5, burst_limit: 10 } });
  });

  it('with AWS_IAM authorization, requires a signature and creates no key', () => {
    const json = synthApi({ authorization: 'AWS_IAM' });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethod, { authorization: 'AWS_IAM', api_key_required: false });
    expect(json).not.toHaveResource(ApiGatewayApiKey);
  });

  it('without request validation, declares neither model nor validator', () => {
    const json = synthApi({ requestValidation: false });
    expect(json).not.toHaveResource(ApiGatewayModel);
    expect(json).not.toHaveResource(ApiGatewayRequestValidator);
  });

  it("with an access-log retention, logs the stage's requests to a group of the API and stage, kept that long", () => {
    const json = synthApi({ accessLogRetentionDays: 30, apiName: 'Items API', stageName: 'v1' });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/apigateway/Items API/v1/access', retention_in_days: 30 });
  });

  it.each<[Partial<Omit<RestApiProps, 'handler'>>, string]>([
    [{ stageName: 'my stage' }, 'stageName="my stage" is not valid: expected 1 to 128 characters from A-Z a-z 0-9 _ -. Leave it out for the default (prod).'],
    [{ apiName: ' padded' }, 'apiName=" padded" is not valid: expected 1 to 128 characters from A-Z a-z 0-9 _ - . and space, not starting or ending with a space.'],
    [{ authorization: 'COGNITO' as ApiAuthorization }, 'authorization="COGNITO" is not valid: expected NONE, AWS_IAM or API_KEY. Leave it out for the default (NONE).'],
    [{ throttleRateLimit: 0 }, 'throttleRateLimit=0 is not valid: expected a whole number of requests per second from 1 to 10000. Leave it out for the default (100).'],
    [{ throttleBurstLimit: 5001 }, 'throttleBurstLimit=5001 is not valid: expected a whole number of requests from 1 to 5000.'],
    [{ accessLogRetentionDays: 10 }, "accessLogRetentionDays=10 is not valid: expected one of CloudWatch Logs' periods"],
  ])('refuses %j, naming the construct, the prop, the value and what is allowed', (props, message) => {
    expect(() => synthApi(props)).toThrow(PropsError);
    expect(() => synthApi(props)).toThrow(`RestApi stack/rest_api: ${message}`);
  });
});
