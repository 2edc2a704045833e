/**
 * What the local server serves, as read from the synthesized stack: the model
 * every emulated service is built from. Nothing here is read from anywhere else
 * (./reader makes it from cdk.tf.json).
 */

/** The application log levels Lambda knows, most detailed first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** The system log levels Lambda knows (its START and REPORT lines are INFO), most detailed first. */
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
export type SystemLogLevel = (typeof SYSTEM_LOG_LEVELS)[number];

export interface StackModel {
  readonly stackName: string;
  readonly stackDir: string;
  readonly region: string;
  readonly functions: readonly FunctionModel[];
  readonly tables: readonly TableModel[];
  readonly api: RestApiModel | undefined;
  /** What the stack declares that is not emulated, or differs locally; printed at startup. */
  readonly notices: readonly string[];
}

/**
 * The code Terraform would upload: a directory an archive_file zips (but the paths under it that its
 * `excludes` name), one file it zips (`source_file`), or a zip file.
 */
export type FunctionCode =
  | { readonly kind: 'directory'; readonly dir: string; readonly excludes: readonly string[] }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'zip'; readonly file: string };

export interface FunctionModel {
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  /** `index.handler`: module path relative to the code's root, and export name. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly code: FunctionCode;
  readonly logGroup: string;
  /** `reserved_concurrent_executions`; undefined when the function has none (unset or -1). 0 throttles every invocation. */
  readonly reservedConcurrency: number | undefined;
  /** `logging_config.log_format`: how Lambda writes the function's log records. */
  readonly logFormat: 'Text' | 'JSON';
  /** `logging_config.application_log_level`: with the JSON format, records below it are dropped. */
  readonly applicationLogLevel: LogLevel;
  /** `logging_config.system_log_level`: with the JSON format, WARN drops Lambda's own start and report records. */
  readonly systemLogLevel: SystemLogLevel;
}


export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface TableModel {
  readonly address: string;
  readonly name: string;
  readonly hashKey: KeyAttribute;
  readonly rangeKey: KeyAttribute | undefined;
  /** DynamoDB's CreateTable input for the table's indexes, if it has any. */
  readonly globalSecondaryIndexes: readonly SecondaryIndex[];
  readonly localSecondaryIndexes: readonly SecondaryIndex[];
  /** Every attribute the keys and indexes use. */
  readonly attributes: readonly KeyAttribute[];
}

export interface SecondaryIndex {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey: string | undefined;
  readonly projectionType: string;
  readonly nonKeyAttributes: readonly string[];
}

export interface RestApiModel {
  readonly address: string;
  readonly id: string;
  readonly name: string;
  readonly stages: readonly StageModel[];
  readonly routes: readonly RouteModel[];
  /** Gateway responses the stack overrides, by response type (MISSING_AUTHENTICATION_TOKEN, DEFAULT_4XX, ...). */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseModel>;
  /** Every API key of the stack, with the usage plans that admit it to this API's stages. */
  readonly apiKeys: readonly ApiKeyModel[];
}

export interface ApiKeyModel {
  readonly address: string;
  readonly name: string;
  readonly enabled: boolean;
  /** The value the stack gives the key; undefined when AWS would generate it (or it is known only after apply). */
  readonly value: string | undefined;
  /** Usage plans that admit the key to stages of this API; AWS allows one plan per key and stage. */
  readonly plans: readonly UsagePlanModel[];
}

export interface UsagePlanModel {
  readonly address: string;
  readonly name: string;
  /** Stages of this API the plan covers. */
  readonly stages: readonly string[];
  /** Throttling of each key of the plan, on top of the stage's; undefined: the stage's only. */
  readonly throttle: ThrottleModel | undefined;
}

/** The stage API Gateway's test invokes (TestInvokeMethod, the console's Test tab) run in; no stack declares it. */
export const TEST_INVOKE_STAGE = 'test-invoke-stage';

export interface StageModel {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
}

export interface RouteModel {
  /** `/DynamoDBManager`, `/items/{id}`, `/` for the root resource. */
  readonly resourcePath: string;
  readonly resourceId: string;
  /** GET, POST, ..., or ANY. */
  readonly httpMethod: string;
  readonly integration: IntegrationModel;
  /**
   * By stage, the request methods with which the function may be invoked (a Lambda permission covers them, or
   * the integration has credentials). For ANY, each concrete method: API Gateway checks the request's own.
   */
  readonly permittedMethods: ReadonlyMap<string, ReadonlySet<string>>;
  /** The method's request validation, if it has a validator. */
  readonly validation: RequestValidationModel | undefined;
  /** Throttling of this method, by stage name; a stage without an entry is not throttled. */
  readonly throttles: ReadonlyMap<string, ThrottleModel>;
  /** AWS_IAM: only SigV4-signed requests reach the integration. */
  readonly authorization: 'NONE' | 'AWS_IAM';
  /** Requests must carry, in x-api-key, a key that a usage plan admits to the stage. */
  readonly apiKeyRequired: boolean;
}

export interface RequestValidationModel {
  /** JSON Schema (draft 4) text of the model for each request content type (`$default`: any). Empty unless the validator checks bodies. */
  readonly bodySchemas: Readonly<Record<string, string>>;
  /** Request parameters that must be present and not blank, e.g. `querystring.page`, `header.x-id`. */
  readonly requiredParameters: readonly string[];
  readonly where: string;
}

export interface ThrottleModel {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Bucket size, in requests. */
  readonly burstLimit: number;
}

export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

interface IntegrationBase {
  readonly passthroughBehavior: PassthroughBehavior;
  /** Request mapping templates by content type. */
  readonly requestTemplates: Readonly<Record<string, string>>;
  /** For AWS and MOCK integrations, in declaration order. */
  readonly responses: readonly IntegrationResponseModel[];
}

/** An integration that invokes a Lambda function of the stack: non-proxy (AWS) or proxy (AWS_PROXY). */
export interface LambdaIntegrationModel extends IntegrationBase {
  readonly type: 'AWS' | 'AWS_PROXY';
  readonly functionName: string;
  readonly timeoutMs: number;
}

/**
 * API Gateway answering by itself: the request template's `statusCode` picks the
 * integration response (as a back end's status would), whose template gives the body.
 */
export interface MockIntegrationModel extends IntegrationBase {
  readonly type: 'MOCK';
}

export type IntegrationModel = LambdaIntegrationModel | MockIntegrationModel;

export interface IntegrationResponseModel {
  readonly address: string;
  readonly statusCode: string;
  /**
   * Java regular expression matched against the whole of a Lambda function error's errorMessage, or of a MOCK
   * integration's status code; undefined for the default response.
   */
  readonly selectionPattern: string | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** Header name → static value, from `method.response.header.X: "'value'"`. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface GatewayResponseModel {
  readonly statusCode: number | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** Header name → static value, from `gatewayresponse.header.X: "'value'"`. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Header name → the request header whose value it takes, from `gatewayresponse.header.X: "method.request.header.Y"`;
   * left out of the answer when the request has no such header.
   */
  readonly requestHeaders: Readonly<Record<string, string>>;
}
