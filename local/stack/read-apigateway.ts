/**
 * The stack's REST API as the local server serves it: routes with their
 * integrations, responses, validation and throttling, stages, the Lambda
 * permissions that let API Gateway invoke each function, and gateway responses.
 */
import { LocalError } from '../shared/local-error';
import { LOCAL_ACCOUNT_ID } from '../shared/local-account';
import {
  type FunctionModel,
  type GatewayResponseModel,
  type IntegrationModel,
  type IntegrationResponseModel,
  type MockIntegrationModel,
  type RequestValidationModel,
  type RestApiModel,
  type RouteModel,
  type StageModel,
  TEST_INVOKE_STAGE,
  type ThrottleModel,
} from './model';
import { ApiKeyReader } from './read-api-keys';
import { AlreadyReported, firstBlock, ResourceReader } from './read-context';
import type { Declared } from './resolved-document';
import type { ServedType } from './resource-types';

/** The methods an ANY method of a REST API serves. */
const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * Stage names whose paths the local server keeps for other APIs on its port (each a valid
 * stage name in API Gateway: letters, digits, _ and -), with what it keeps them for.
 */
const RESERVED_STAGES: Readonly<Record<string, string>> = {
  '2015-03-31': 'the Lambda invoke API',
  restapis: "API Gateway's TestInvokeMethod",
  _console: 'the console page',
};

/** The models every REST API has without declaring them. */
const BUILT_IN_MODELS: Readonly<Record<string, string>> = {
  Empty: '{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}',
  Error:
    '{"$schema":"http://json-schema.org/draft-04/schema#","title":"Error Schema","type":"object","properties":{"message":{"type":"string"}}}',
};

/** The resources of one type that belong to the REST API being read. */
type OfApi = (type: ServedType) => Declared[];

export class ApiGatewayReader extends ResourceReader {
  read(api: Declared, functions: readonly FunctionModel[]): RestApiModel {
    const id = this.document.stringAttribute(api, 'id');
    const ofApi: OfApi = (type) => this.document.all(type).filter((r) => this.document.attribute(r, 'rest_api_id') === id);

    const rootId = this.document.stringAttribute(api, 'root_resource_id');
    const paths = new Map<string, string>([[rootId, '/']]);
    for (const resource of ofApi('aws_api_gateway_resource')) {
      paths.set(this.document.stringAttribute(resource, 'id'), this.document.stringAttribute(resource, 'path'));
    }

    const stages = this.readStages(ofApi);
    const permissions = this.document.all('aws_lambda_permission');
    const methodKey = (r: Declared) => `${this.document.attribute(r, 'resource_id')} ${this.document.attribute(r, 'http_method')}`;
    const integrations = new Map(ofApi('aws_api_gateway_integration').map((r) => [methodKey(r), r]));
    const integrationResponses = ofApi('aws_api_gateway_integration_response');
    const methodResponses = ofApi('aws_api_gateway_method_response');

    const routes: RouteModel[] = [];
    for (const method of ofApi('aws_api_gateway_method')) {
      this.attempt(() => {
        const resourceId = this.document.stringAttribute(method, 'resource_id');
        const resourcePath = paths.get(resourceId);
        if (resourcePath === undefined) throw new LocalError(`${method.address}.resource_id is not a resource of ${api.address}.`);
        const httpMethod = this.str(method, 'http_method');
        const authorization = this.str(method, 'authorization');
        if (authorization !== 'NONE' && authorization !== 'AWS_IAM') {
          throw new LocalError(
            `${method.address}.authorization is ${authorization}; the local server serves methods with authorization NONE or AWS_IAM only (it runs no authorizers).`,
          );
        }
        const apiKeyRequired = this.optional(method, 'api_key_required') === true;
        if (apiKeyRequired && this.optional(api, 'api_key_source') === 'AUTHORIZER') {
          throw new LocalError(
            `${method.address}.api_key_required is true and ${api.address}.api_key_source is AUTHORIZER: the key would come from a Lambda authorizer, which the local server does not run. Use api_key_source HEADER (the default).`,
          );
        }
        const integration = integrations.get(methodKey(method));
        if (!integration) throw new LocalError(`${method.address} (${httpMethod} ${resourcePath}) has no integration; AWS refuses to deploy such a method.`);
        const sameMethod = (r: Declared) => methodKey(r) === methodKey(method);
        const model = this.readIntegration(integration, functions, integrationResponses.filter(sameMethod), methodResponses.filter(sameMethod));
        const methods = httpMethod === 'ANY' ? ANY_METHODS : [httpMethod];
        // A MOCK integration invokes nothing, and needs no permission.
        const invoked = model.type === 'MOCK' ? undefined : model.functionName;
        // Test invokes run in a stage of their own, which the tutorial's "any stage" permission covers.
        const permitted = new Map(
          [...stages.map((stage) => stage.name), TEST_INVOKE_STAGE].map((stage) => [
            stage,
            new Set(
              methods.filter(
                (m) =>
                  invoked === undefined ||
                  integration.config.credentials !== undefined ||
                  this.permits(permissions, invoked, `${id}/${stage}/${m}${resourcePath}`),
              ),
            ),
          ]),
        );
        for (const stage of invoked === undefined ? [] : stages) {
          const allowed = permitted.get(stage.name)!;
          if (allowed.size === 0) {
            this.notices.push(
              `${httpMethod} /${stage.name}${resourcePath}: no aws_lambda_permission lets API Gateway invoke ${invoked} from it, so AWS answers 500; so does this server.`,
            );
          } else if (allowed.size < methods.length) {
            const refused = methods.filter((m) => !allowed.has(m)).join(', ');
            this.notices.push(
              `${httpMethod} /${stage.name}${resourcePath}: no aws_lambda_permission lets API Gateway invoke ${invoked} for ${refused}, so AWS answers those 500; so does this server.`,
            );
          }
        }
        routes.push({
          resourcePath,
          resourceId,
          httpMethod,
          integration: model,
          permittedMethods: permitted,
          validation: this.readValidation(method, ofApi),
          throttles: this.readThrottles(resourcePath, httpMethod, stages, ofApi),
          authorization,
          apiKeyRequired,
        });
      });
    }

    const apiKeys = new ApiKeyReader(this.context).read(id, stages);
    for (const route of routes.filter((r) => r.apiKeyRequired)) {
      for (const stage of stages) {
        if (!apiKeys.some((key) => key.enabled && key.plans.some((plan) => plan.stages.includes(stage.name)))) {
          this.notices.push(
            `${route.httpMethod} /${stage.name}${route.resourcePath} requires an API key, but no usage plan admits an enabled key to stage ${stage.name}: it answers 403 to every request, as AWS does.`,
          );
        }
      }
    }

    const gatewayResponses = new Map<string, GatewayResponseModel>();
    for (const response of ofApi('aws_api_gateway_gateway_response')) {
      this.attempt(() => {
        const status = this.optional(response, 'status_code');
        const { literals, requestHeaders } = this.headerMappings(response, 'gatewayresponse.header.', true);
        gatewayResponses.set(this.str(response, 'response_type'), {
          statusCode: status === undefined ? undefined : Number(status),
          responseTemplates: (this.optional(response, 'response_templates') ?? {}) as Record<string, string>,
          headers: literals,
          requestHeaders,
        });
      });
    }
    return { address: api.address, id, name: this.str(api, 'name'), stages, routes, gatewayResponses, apiKeys };
  }


  /** The method's validator with the models it checks bodies against, or undefined without a validator. */
  private readValidation(method: Declared, ofApi: OfApi): RequestValidationModel | undefined {
    const validatorId = this.optional(method, 'request_validator_id');
    if (validatorId === undefined || validatorId === '') return undefined;
    const validator = ofApi('aws_api_gateway_request_validator').find((r) => this.document.attribute(r, 'id') === validatorId);
    if (!validator) throw new LocalError(`${method.address}.request_validator_id is not a request validator of its REST API.`);
    const bodySchemas: Record<string, string> = {};
    if (this.optional(validator, 'validate_request_body') === true) {
      const models = (this.optional(method, 'request_models') ?? {}) as Record<string, string>;
      for (const [contentType, modelName] of Object.entries(models)) {
        const model = ofApi('aws_api_gateway_model').find((r) => this.document.attribute(r, 'name') === modelName);
        const schema = model ? this.str(model, 'schema') : BUILT_IN_MODELS[modelName];
        if (schema === undefined) throw new LocalError(`${method.address}.request_models maps ${contentType} to the model ${modelName}, which its REST API does not declare.`);
        bodySchemas[contentType.toLowerCase()] = schema;
      }
    }
    const requiredParameters: string[] = [];
    if (this.optional(validator, 'validate_request_parameters') === true) {
      const parameters = (this.optional(method, 'request_parameters') ?? {}) as Record<string, unknown>;
      for (const [name, required] of Object.entries(parameters)) {
        if (required === true) requiredParameters.push(name.replace(/^method\.request\./, ''));
      }
    }
    return { bodySchemas, requiredParameters, where: `${method.address} (validator ${validator.address})` };
  }

  /**
   * The stage's throttling of one method: the method's own settings (method_path
   * `<path>/<METHOD>`) or else the stage's `*\/*`. Unset or -1 limits mean the
   * account's, which the server does not impose.
   */
  private readThrottles(resourcePath: string, httpMethod: string, stages: readonly StageModel[], ofApi: OfApi): Map<string, ThrottleModel> {
    const throttles = new Map<string, ThrottleModel>();
    const settingsList = ofApi('aws_api_gateway_method_settings');
    for (const stage of stages) {
      const ofStage = settingsList.filter((r) => this.document.attribute(r, 'stage_name') === stage.name);
      const own = ofStage.find((r) => this.document.attribute(r, 'method_path') === `${resourcePath.slice(1)}/${httpMethod}`);
      const chosen = own ?? ofStage.find((r) => this.document.attribute(r, 'method_path') === '*/*');
      if (!chosen) continue;
      const settings = firstBlock(this.optional(chosen, 'settings')) ?? {};
      if (settings.caching_enabled === true) {
        this.notices.push(`${chosen.address} enables caching; the local server answers every request afresh.`);
      }
      const rate = Number(settings.throttling_rate_limit ?? -1);
      const burst = Number(settings.throttling_burst_limit ?? -1);
      if (rate >= 0 && burst >= 0) throttles.set(stage.name, { rateLimit: rate, burstLimit: burst });
    }
    return throttles;
  }

  private readStages(ofApi: OfApi): StageModel[] {
    const stages: StageModel[] = [];
    const add = (resource: Declared, name: string, variables: unknown) => {
      const reserved = RESERVED_STAGES[name];
      if (reserved) throw new LocalError(`${resource.address} names a stage ${name}, whose URLs the local server keeps for ${reserved}. Rename the stage.`);
      if (!stages.some((stage) => stage.name === name)) stages.push({ name, variables: (variables ?? {}) as Record<string, string> });
    };
    for (const stage of ofApi('aws_api_gateway_stage')) {
      this.attempt(() => add(stage, this.str(stage, 'stage_name'), this.optional(stage, 'variables')));
    }
    // The deprecated way: a deployment that creates its stage.
    for (const deployment of ofApi('aws_api_gateway_deployment')) {
      if (deployment.config.stage_name !== undefined && deployment.config.stage_name !== '') {
        this.attempt(() => add(deployment, this.str(deployment, 'stage_name'), this.optional(deployment, 'variables')));
      }
    }
    if (stages.length === 0) this.notices.push('The REST API has no stage, so none of its methods can be called (as in AWS).');
    return stages;
  }

  private readIntegration(
    integration: Declared,
    functions: readonly FunctionModel[],
    responses: Declared[],
    methodResponses: Declared[],
  ): IntegrationModel {
    const type = this.str(integration, 'type');
    const uri = this.str(integration, 'uri', '');
    const functionArn = /^arn:aws[\w-]*:apigateway:[\w-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
    const target = functions.find((fn) => fn.arn === functionArn || fn.name === functionArn);
    const declared = this.document.all('aws_lambda_function').some((fn) => this.document.attribute(fn, 'arn') === functionArn);
    if ((type === 'AWS' || type === 'AWS_PROXY') && !target && declared) throw new AlreadyReported();
    if (type !== 'MOCK' && ((type !== 'AWS' && type !== 'AWS_PROXY') || !target)) {
      throw new LocalError(
        `${integration.address} is an integration of type ${type} to ${JSON.stringify(uri)}; the local server serves AWS and AWS_PROXY integrations to a Lambda function of the stack, and MOCK integrations, only.`,
      );
    }
    const passthrough = this.str(integration, 'passthrough_behavior', 'WHEN_NO_MATCH');
    if (passthrough !== 'WHEN_NO_MATCH' && passthrough !== 'WHEN_NO_TEMPLATES' && passthrough !== 'NEVER') {
      throw new LocalError(`${integration.address}.passthrough_behavior is ${JSON.stringify(passthrough)}; expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER.`);
    }
    const common: Omit<MockIntegrationModel, 'type'> = {
      passthroughBehavior: passthrough,
      requestTemplates: (this.optional(integration, 'request_templates') ?? {}) as Record<string, string>,
      // Proxy integrations ignore integration responses, as AWS does.
      responses: type === 'AWS_PROXY' ? [] : responses.flatMap((response) => this.attempt(() => this.readResponse(response, methodResponses))),
    };
    if (type === 'MOCK' || !target) return { type: 'MOCK', ...common };

    const httpMethod = this.str(integration, 'integration_http_method', 'POST');
    if (httpMethod !== 'POST') {
      throw new LocalError(`${integration.address}.integration_http_method is ${httpMethod}; Lambda is invoked with POST only, and AWS fails every request otherwise.`);
    }
    const connection = this.str(integration, 'connection_type', 'INTERNET');
    if (connection !== 'INTERNET') throw new LocalError(`${integration.address}.connection_type is ${connection}; only INTERNET reaches Lambda.`);
    return {
      type,
      functionName: target.name,
      timeoutMs: Number(this.str(integration, 'timeout_milliseconds', String(DEFAULT_INTEGRATION_TIMEOUT_MS))),
      ...common,
    };
  }

  /** An integration response, with the status and the headers its method's responses declare, as AWS requires. */
  private readResponse(response: Declared, methodResponses: Declared[]): IntegrationResponseModel {
    const statusCode = this.str(response, 'status_code');
    const methodResponse = methodResponses.find((r) => this.str(r, 'status_code') === statusCode);
    if (!methodResponse) {
      throw new LocalError(`${response.address} answers ${statusCode}, but the method declares no method response ${statusCode}; AWS refuses it too.`);
    }
    const declared = (this.optional(methodResponse, 'response_parameters') ?? {}) as Record<string, unknown>;
    const { literals } = this.headerMappings(response, 'method.response.header.', false);
    for (const name of Object.keys(literals)) {
      if (!Object.hasOwn(declared, `method.response.header.${name}`)) {
        throw new LocalError(
          `${response.address}.response_parameters sets the header ${name}, which ${methodResponse.address}.response_parameters does not declare; AWS refuses it too. Declare "method.response.header.${name}" there.`,
        );
      }
    }
    const pattern = this.optional(response, 'selection_pattern');
    return {
      address: response.address,
      statusCode,
      selectionPattern: pattern === undefined || pattern === '' ? undefined : String(pattern),
      responseTemplates: (this.optional(response, 'response_templates') ?? {}) as Record<string, string>,
      headers: literals,
    };
  }

  /**
   * `response_parameters` that set headers: to literal values ('value'), or, for a
   * gateway response (`fromRequest`), to a request header's (`method.request.header.X`).
   * Other sources (the integration's response, stage variables, context) are refused.
   */
  private headerMappings(resource: Declared, prefix: string, fromRequest: boolean): { literals: Record<string, string>; requestHeaders: Record<string, string> } {
    const literals: Record<string, string> = {};
    const requestHeaders: Record<string, string> = {};
    const parameters = (this.optional(resource, 'response_parameters') ?? {}) as Record<string, unknown>;
    for (const [target, source] of Object.entries(parameters)) {
      const literal = typeof source === 'string' ? /^'(.*)'$/s.exec(source) : null;
      const requestHeader = fromRequest && typeof source === 'string' ? /^method\.request\.header\.([^.]+)$/.exec(source) : null;
      if (target.startsWith(prefix) && literal) literals[target.slice(prefix.length)] = literal[1];
      else if (target.startsWith(prefix) && requestHeader) requestHeaders[target.slice(prefix.length)] = requestHeader[1];
      else if (!fromRequest && typeof source === 'string' && source.startsWith('method.request.')) {
        throw new LocalError(
          `${resource.address}.response_parameters maps ${target} from ${source}; AWS maps an integration response's headers from the integration's response, stage variables, context or literals only. To answer with a request header, set it in the response template with $context.responseOverride.header.`,
        );
      } else {
        const takes = fromRequest ? "literal values ('...') and request headers (method.request.header.X)" : "literal values ('...')";
        throw new LocalError(`${resource.address}.response_parameters maps ${target} from ${JSON.stringify(source)}; the local server sets headers to ${takes} only.`);
      }
    }
    return { literals, requestHeaders };
  }

  /** Whether some Lambda permission lets API Gateway invoke `functionName` for the method ARN suffix `apiId/stage/METHOD/path`. */
  private permits(permissions: Declared[], functionName: string, method: string): boolean {
    const fn = this.document.all('aws_lambda_function').find((r) => this.document.attribute(r, 'function_name') === functionName);
    const methodArn = `arn:aws:execute-api:${this.context.region}:${LOCAL_ACCOUNT_ID}:${method}`;
    return permissions.some((permission) => {
      const principal = this.document.attribute(permission, 'principal');
      const action = this.document.attribute(permission, 'action');
      const target = this.document.attribute(permission, 'function_name');
      if (principal !== 'apigateway.amazonaws.com' || (action !== 'lambda:InvokeFunction' && action !== 'lambda:*')) return false;
      if (target !== functionName && !(fn && target === this.document.attribute(fn, 'arn'))) return false;
      const sourceArn = this.optional(permission, 'source_arn');
      return sourceArn === undefined || globMatches(String(sourceArn), methodArn);
    });
  }
}

/** Whether `text` matches an IAM-style pattern, where `*` is any run of characters and `?` any one. */
function globMatches(pattern: string, text: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(text);
}
