import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import type { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { type PropRule, type PropRules, validateProps } from './props';

export interface ApiCorsProps {
  readonly restApiId: string;
  /** The resource browsers call: it gets the OPTIONS method that answers their preflight. */
  readonly resourceId: string;
  /**
   * Origins whose pages may read the API's answers: `['*']` for any, or origins
   * as browsers send them in `Origin` (`https://app.example.com`).
   */
  readonly allowOrigins: readonly string[];
  /** The resource's methods, besides OPTIONS, that browsers may call. */
  readonly allowMethods: readonly string[];
  /**
   * The API's request validator, for the OPTIONS method too: a preflight has no
   * body model, so the validator refuses nothing it sends, and every method of
   * the API stays validated (checkov's CKV2_AWS_53).
   * @default - none
   */
  readonly requestValidatorId?: string;
}

/** How an origin is written, as browsers serialize it in the `Origin` header (RFC 6454). */
export const ORIGIN_FORMAT =
  'scheme://host[:port] in lowercase, with no path, no trailing slash and no default port (:80 for http, :443 for https), as browsers send it, for example https://app.example.com or http://localhost:5173';

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::([1-9]\d{0,4}))?$/;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Whether `origin` is one a browser can send: a browser's Origin never names its scheme's default port, nor a path. */
function isOrigin(origin: string): boolean {
  const match = ORIGIN.exec(origin);
  if (!match) return false;
  const [, scheme, port] = match;
  return port === undefined || (Number(port) <= 65535 && DEFAULT_PORTS[scheme] !== port);
}

/**
 * `['*']`, or distinct origins. Each becomes a literal in the response templates,
 * so the format also keeps quotes and Velocity out of them.
 */
export const CORS_ORIGINS_RULE: PropRule<readonly string[]> = {
  allowed: `["*"] (any origin), or distinct origins, each ${ORIGIN_FORMAT}`,
  accepts: (origins) =>
    (origins.length === 1 && origins[0] === '*') || (origins.length > 0 && new Set(origins).size === origins.length && origins.every(isOrigin)),
};

/** API Gateway's rules for the props. */
export const API_CORS_RULES = { allowOrigins: CORS_ORIGINS_RULE } satisfies PropRules<ApiCorsProps>;

/**
 * Request headers a browser may send: JSON bodies, SigV4 signatures (AWS_IAM) and
 * API keys (API_KEY), as the API Gateway console's "Enable CORS" allows them.
 */
const ALLOW_HEADERS = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token';

/** API Gateway's answer to an error of its own, as it gives it by default. */
const GATEWAY_ERROR_TEMPLATE = '{"message":$context.error.messageString}';

/** A header mapping's static value: API Gateway takes a literal in single quotes. */
const literal = (value: string) => `'${value}'`;

/** What one response of a method needs so that a browser may read it. */
export interface CorsResponse {
  /** `response_parameters` of the method response: the headers it declares. */
  readonly methodResponseParameters: Record<string, boolean>;
  /** `response_parameters` of the integration response: the headers it sets to literal values. */
  readonly integrationResponseParameters: Record<string, string>;
  /** The `application/json` response template; undefined: the integration's body passes through. */
  readonly template: string | undefined;
}

/**
 * CORS for one resource of a REST API, so that pages of the allowed origins can
 * call it with `fetch` and read every answer:
 *
 * - an OPTIONS method with a MOCK integration answering the browser's preflight
 *   (the allowed origin, methods and headers);
 * - `Access-Control-Allow-Origin` on each response of the resource's methods, which
 *   RestApi declares with `response()`;
 * - the same on API Gateway's own error answers (gateway responses DEFAULT_4XX and
 *   DEFAULT_5XX), so that a page reads a 400, 403 or 429 from the gateway rather
 *   than an opaque CORS failure.
 *
 * `*` and a single origin are static header values. With several, the allowed
 * origin is the request's `Origin` when it is one of them, which a static mapping
 * cannot say: the response templates check it and set the header with
 * `$context.responseOverride` (absent for any other origin, so the browser blocks
 * the page), and answers carry `Vary: Origin`. Gateway responses have no templates
 * that can check anything (API Gateway substitutes variables in them, nothing
 * more), so with several origins they copy the request's `Origin`: any page may
 * read API Gateway's own error messages, which hold nothing of the stack's, while
 * the function's answers, and the preflight that every `application/json` request
 * needs, stay the listed origins' alone.
 *
 * Terraform addresses: `aws_api_gateway_method.options`, `aws_api_gateway_integration.options`,
 * `aws_api_gateway_method_response.options_200`, `aws_api_gateway_integration_response.options_200`,
 * `aws_api_gateway_gateway_response.default_4xx`, `aws_api_gateway_gateway_response.default_5xx`.
 */
export class ApiCors extends Construct {
  /** Everything that defines the API's answers to browsers: a change of any needs a new deployment. */
  public readonly resources: TerraformResource[];
  private readonly allowOrigins: readonly string[];

  constructor(scope: Construct, id: string, props: ApiCorsProps) {
    super(scope, id);
    validateProps(this, props, API_CORS_RULES, {});
    this.allowOrigins = props.allowOrigins;
    const { restApiId, resourceId } = props;
    const allowMethods = ['OPTIONS', ...props.allowMethods].join(',');

    // A preflight carries no credentials, no signature and no key: OPTIONS is open, whatever the other methods require.
    const method = new ApiGatewayMethod(this, 'method', {
      restApiId,
      resourceId,
      httpMethod: 'OPTIONS',
      authorization: 'NONE',
      apiKeyRequired: false,
      requestValidatorId: props.requestValidatorId,
    });
    method.overrideLogicalId('options');
    // A MOCK integration answers from API Gateway itself: the request template's
    // statusCode picks the integration response, as a back end's status would.
    const integration = new ApiGatewayIntegration(this, 'integration', {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      type: 'MOCK',
      passthroughBehavior: 'WHEN_NO_MATCH',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    });
    integration.overrideLogicalId('options');

    // A preflight's answer has no body.
    const preflight = this.response('', {
      'Access-Control-Allow-Methods': allowMethods,
      'Access-Control-Allow-Headers': ALLOW_HEADERS,
    });
    const methodResponse = new ApiGatewayMethodResponse(this, 'method_response', {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: '200',
      responseModels: { 'application/json': 'Empty' },
      responseParameters: preflight.methodResponseParameters,
    });
    methodResponse.overrideLogicalId('options_200');
    const integrationResponse = new ApiGatewayIntegrationResponse(this, 'integration_response', {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: methodResponse.statusCode,
      responseParameters: preflight.integrationResponseParameters,
      // A template only when it has an origin to check.
      responseTemplates: preflight.template ? { 'application/json': preflight.template } : undefined,
      dependsOn: [integration],
    });
    integrationResponse.overrideLogicalId('options_200');

    const gatewayOrigin = this.several ? 'method.request.header.Origin' : literal(this.allowOrigins[0]);
    const gatewayResponses = ['DEFAULT_4XX', 'DEFAULT_5XX'].map((responseType) => {
      const response = new ApiGatewayGatewayResponse(this, `gateway_response_${responseType.toLowerCase()}`, {
        restApiId,
        responseType,
        responseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': gatewayOrigin,
          ...(this.several && { 'gatewayresponse.header.Vary': literal('Origin') }),
        },
        responseTemplates: { 'application/json': GATEWAY_ERROR_TEMPLATE },
      });
      response.overrideLogicalId(responseType.toLowerCase());
      return response;
    });

    this.resources = [method, integration, methodResponse, integrationResponse, ...gatewayResponses];
  }

  /** Whether the allowed origin depends on the request: with several, the answer is the request's own Origin, or none. */
  private get several(): boolean {
    return this.allowOrigins.length > 1;
  }

  /**
   * What a response of the resource needs to be read by a browser: the headers its
   * method response declares and its integration response sets (`headers`, static,
   * plus the allowed origin), and its template (`template`, undefined for a body
   * that passes through) with the origin check in front when there are several.
   */
  response(template: string | undefined, headers: Readonly<Record<string, string>> = {}): CorsResponse {
    const values: Record<string, string> = { ...headers };
    if (this.several) values.Vary = 'Origin';
    else values['Access-Control-Allow-Origin'] = this.allowOrigins[0];
    const declared = [...Object.keys(values), ...(this.several ? ['Access-Control-Allow-Origin'] : [])];
    return {
      methodResponseParameters: Object.fromEntries(declared.sort().map((name) => [`method.response.header.${name}`, true])),
      integrationResponseParameters: Object.fromEntries(
        Object.keys(values)
          .sort()
          .map((name) => [`method.response.header.${name}`, literal(values[name])]),
      ),
      // On one line: Velocity would otherwise leave the line breaks between directives in the body.
      template: this.several ? `${this.originCheck()}${template ?? '$input.body'}` : template,
    };
  }

  /**
   * Velocity that sets Access-Control-Allow-Origin to the request's Origin when it is
   * an allowed one. Both spellings are read: browsers send `Origin` over HTTP/1.1 and
   * `origin` over HTTP/2, and API Gateway does not document whether `$input.params`
   * matches header names regardless of case.
   */
  private originCheck(): string {
    const allowed = this.allowOrigins.map((origin) => `$origin == '${origin}'`).join(' || ');
    return (
      "#set($origin = $input.params('origin'))#if($origin == '')#set($origin = $input.params('Origin'))#end" +
      `#if(${allowed})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`
    );
  }
}
