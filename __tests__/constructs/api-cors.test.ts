/** ApiCors alone and within RestApi (cdktf's Testing.synthScope, through helpers/synth): what browsers are answered, for `*`, one origin and several; the origins it refuses. */
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { Construct } from 'constructs';
import { ApiCors, type ApiCorsProps } from '../../constructs/api-cors';
import { PropsError } from '../../constructs/props';
import { RestApi, type RestApiProps } from '../../constructs/rest-api';
import { synthScope } from '../helpers/synth';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const synthApi = (props: Partial<Omit<RestApiProps, 'handler'>>) => {
  const json = synthScope((scope: Construct) => {
    const handler = new LambdaFunction(scope, 'function', { functionName: 'Items', role: 'arn:aws:iam::123456789012:role/items' });
    new RestApi(scope, 'rest_api', { handler, ...props });
  });
  return { json, resources: JSON.parse(json).resource as Resources };
};

const synthCors = (props: Partial<ApiCorsProps>) =>
  synthScope((scope: Construct) => {
    new ApiCors(scope, 'cors', { restApiId: 'api', resourceId: 'resource', allowOrigins: ['*'], allowMethods: ['POST'], ...props });
  });

const ORIGIN_HEADER = 'method.response.header.Access-Control-Allow-Origin';

describe('ApiCors', () => {
  it('answers the preflight from API Gateway itself: OPTIONS, open to all, a MOCK integration whose request template selects 200', () => {
    const { json, resources } = synthApi({ corsAllowOrigins: ['*'], authorization: 'API_KEY' });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethod, { http_method: 'OPTIONS', authorization: 'NONE', api_key_required: false });
    // The POST keeps its key: only the preflight, which browsers send without one, is open.
    expect(resources.aws_api_gateway_method.post).toMatchObject({ api_key_required: true });
    expect(json).toHaveResourceWithProperties(ApiGatewayIntegration, { type: 'MOCK', request_templates: { 'application/json': '{"statusCode": 200}' } });
    expect(resources.aws_api_gateway_integration_response.options_200).toMatchObject({
      status_code: '${aws_api_gateway_method_response.options_200.status_code}',
      response_parameters: {
        [ORIGIN_HEADER]: "'*'",
        'method.response.header.Access-Control-Allow-Methods': "'OPTIONS,POST'",
        'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
      },
    });
    expect(resources.aws_api_gateway_integration_response.options_200.selection_pattern).toBeUndefined();
  });

  it.each([
    ['any origin', ['*'], "'*'"],
    ['one origin', ['https://app.example.com'], "'https://app.example.com'"],
  ])('with %s, gives every answer the one allowed origin as a static header, its body untouched', (_, origins, header) => {
    const { resources } = synthApi({ corsAllowOrigins: origins });
    for (const status of ['200', '400', '403', '409', '429', '500']) {
      expect(resources.aws_api_gateway_method_response[`post_${status}`].response_parameters).toEqual({ [ORIGIN_HEADER]: true });
      expect(resources.aws_api_gateway_integration_response[`post_${status}`].response_parameters).toEqual({ [ORIGIN_HEADER]: header });
    }
    // Success still passes the function's result through; errors keep their own templates.
    expect(resources.aws_api_gateway_integration_response.post_200.response_templates).toBeUndefined();
    expect(resources.aws_api_gateway_integration_response.post_400.response_templates).toEqual({ 'application/json': "$input.path('$.errorMessage').substring(12)" });
    for (const type of ['4xx', '5xx']) {
      expect(resources.aws_api_gateway_gateway_response[`default_${type}`]).toMatchObject({
        response_type: `DEFAULT_${type.toUpperCase()}`,
        response_parameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': header },
        response_templates: { 'application/json': '{"message":$context.error.messageString}' },
      });
      expect(resources.aws_api_gateway_gateway_response[`default_${type}`].status_code).toBeUndefined();
    }
  });

  it("with several origins, answers each request with its own Origin when it is listed (a template's responseOverride), Vary: Origin, and otherwise with none", () => {
    const { resources } = synthApi({ corsAllowOrigins: ['https://app.example.com', 'http://localhost:5173'] });
    const check =
      "#set($origin = $input.params('origin'))#if($origin == '')#set($origin = $input.params('Origin'))#end" +
      "#if($origin == 'https://app.example.com' || $origin == 'http://localhost:5173')#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end";
    const templates = (name: string) => resources.aws_api_gateway_integration_response[name].response_templates;
    expect(templates('post_200')).toEqual({ 'application/json': `${check}$input.body` });
    expect(templates('post_403')).toEqual({ 'application/json': `${check}$input.path('$.errorMessage').substring(11)` });
    expect(templates('post_500')).toEqual({ 'application/json': `${check}{"message":"Internal server error"}` });
    expect(templates('options_200')).toEqual({ 'application/json': check });
    for (const name of ['post_200', 'post_409', 'options_200']) {
      expect(resources.aws_api_gateway_method_response[name].response_parameters).toMatchObject({ [ORIGIN_HEADER]: true, 'method.response.header.Vary': true });
      expect(resources.aws_api_gateway_integration_response[name].response_parameters).toMatchObject({ 'method.response.header.Vary': "'Origin'" });
      expect(resources.aws_api_gateway_integration_response[name].response_parameters).not.toHaveProperty(ORIGIN_HEADER);
    }
    // Gateway responses cannot check: they copy the request's Origin.
    expect(resources.aws_api_gateway_gateway_response.default_4xx.response_parameters).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
      'gatewayresponse.header.Vary': "'Origin'",
    });
  });

  it('is part of the deployment: the trigger follows each of its resources, and the deployment waits for them', () => {
    const { resources } = synthApi({ corsAllowOrigins: ['*'] });
    const deployment = resources.aws_api_gateway_deployment.api;
    const cors = [
      'aws_api_gateway_method.options',
      'aws_api_gateway_integration.options',
      'aws_api_gateway_method_response.options_200',
      'aws_api_gateway_integration_response.options_200',
      'aws_api_gateway_gateway_response.default_4xx',
      'aws_api_gateway_gateway_response.default_5xx',
    ];
    for (const address of cors) expect((deployment.triggers as { redeployment: string }).redeployment).toContain(`${address}.id`);
    expect(deployment.depends_on).toEqual(expect.arrayContaining(cors));
  });

  it("has the OPTIONS method share the API's request validator, which finds no body model to hold a preflight to, and none without validation", () => {
    expect(synthApi({ corsAllowOrigins: ['*'] }).resources.aws_api_gateway_method.options.request_validator_id).toBe('${aws_api_gateway_request_validator.body.id}');
    expect(synthApi({ corsAllowOrigins: ['*'] }).resources.aws_api_gateway_method.options.request_models).toBeUndefined();
    expect(synthApi({ corsAllowOrigins: ['*'], requestValidation: false }).resources.aws_api_gateway_method.options.request_validator_id).toBeUndefined();
  });

  it('adds nothing without origins: the tutorial answers browsers of other origins with nothing they may read', () => {
    const { json, resources } = synthApi({});
    expect(json).not.toHaveResource(ApiGatewayGatewayResponse);
    expect(resources.aws_api_gateway_method.options).toBeUndefined();
    expect(resources.aws_api_gateway_method_response.post_200.response_parameters).toBeUndefined();
  });

  it.each([
    [[]],
    [['*', 'https://app.example.com']],
    [['https://app.example.com/']],
    [['https://app.example.com/path']],
    [['https://App.example.com']],
    [['https://app.example.com:443']],
    [['http://localhost:80']],
    [['http://localhost:65536']],
    [['app.example.com']],
    [["https://app.example.com'"]],
    [['https://a.example', 'https://a.example']],
  ])('refuses the origins %j, naming the construct, the prop, the value and what is allowed', (origins) => {
    expect(() => synthCors({ allowOrigins: origins })).toThrow(PropsError);
    expect(() => synthCors({ allowOrigins: origins })).toThrow(
      `ApiCors stack/cors: allowOrigins=${JSON.stringify(origins)} is not valid: expected ["*"] (any origin), or distinct origins, each scheme://host[:port] in lowercase`,
    );
    expect(() => synthApi({ corsAllowOrigins: origins })).toThrow(`RestApi stack/rest_api: corsAllowOrigins=${JSON.stringify(origins)} is not valid`);
  });

  it('takes origins of any scheme, port and host browsers send', () => {
    const origins = ['https://app.example.com', 'http://localhost:5173', 'http://127.0.0.1:8080', 'https://a-b.example.co.uk:8443', 'capacitor://localhost'];
    expect(() => synthCors({ allowOrigins: origins })).not.toThrow();
  });
});
