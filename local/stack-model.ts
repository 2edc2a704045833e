/**
 * What the local server serves, read from the synthesized stack (cdktf.out), never
 * from a description kept by hand: the REST API's routes with their integrations
 * and responses, the Lambda functions with their code and environment, the
 * DynamoDB tables. A feature the server cannot reproduce faithfully is refused with
 * one error that lists every such feature; one that cannot change what a client
 * sees (IAM, logs) is skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { apiKeyValueProblem } from './api-keys';
import { LocalError } from './errors';
import type { StackLocation } from './settings';
import { type Declared, type TerraformDocument, TerraformStack, syntheticId } from './terraform-json';

export const LOCAL_ACCOUNT_ID = '000000000000';

/** The methods an ANY method of a REST API serves. */
const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

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

export type FunctionCode = { readonly kind: 'directory'; readonly dir: string } | { readonly kind: 'zip'; readonly file: string };

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
}

/** The application log levels Lambda knows, most detailed first. */
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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

export interface IntegrationModel {
  readonly type: 'AWS' | 'AWS_PROXY';
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly passthroughBehavior: PassthroughBehavior;
  /** Request mapping templates by content type. */
  readonly requestTemplates: Readonly<Record<string, string>>;
  /** For AWS integrations, in declaration order. */
  readonly responses: readonly IntegrationResponseModel[];
}

export interface IntegrationResponseModel {
  readonly address: string;
  readonly statusCode: string;
  /** Java regular expression matched against a function error's whole errorMessage; undefined for the default response. */
  readonly selectionPattern: string | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** Header name → static value, from `method.response.header.X: "'value'"`. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface GatewayResponseModel {
  readonly statusCode: number | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Where the stack's Terraform JSON is, from the settings; throws a LocalError saying how to make one. */
export function findStackFile(location: StackLocation): string {
  if ('stackDir' in location) {
    const file = path.join(location.stackDir, 'cdk.tf.json');
    if (!fs.existsSync(file)) {
      throw new LocalError(`STACK_DIR=${location.stackDir} holds no cdk.tf.json. Point STACK_DIR at a synthesized stack's directory, or unset it to use cdktf.out.`);
    }
    return file;
  }
  const manifestFile = path.join(location.outDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new LocalError(
      `No synthesized stack: ${manifestFile} does not exist. Run \`npm run synth\` first (\`npm start\` does it for you), or set STACK_DIR to a directory holding cdk.tf.json.`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const stacks = Object.entries(manifest.stacks ?? {});
  if (stacks.length !== 1) {
    throw new LocalError(
      `${manifestFile} lists ${stacks.length} stacks (${stacks.map(([name]) => name).join(', ') || 'none'}); the local server serves one. ` +
        `Set STACK_DIR to the directory of the one to serve, e.g. STACK_DIR=${path.join(location.outDir, 'stacks', stacks[0]?.[0] ?? '<stack>')}.`,
    );
  }
  const [name, entry] = stacks[0];
  const file = path.join(location.outDir, entry.synthesizedStackPath ?? path.join('stacks', name, 'cdk.tf.json'));
  if (!fs.existsSync(file)) {
    throw new LocalError(`${manifestFile} names ${file} for stack ${name}, but it does not exist. Run \`npm run synth\` again.`);
  }
  return file;
}

export interface LoadOptions {
  /** Base URL the server answers on, for computed attributes such as a stage's invoke_url. */
  readonly baseUrl: string;
}

/** Reads and checks the stack in `stackFile` (its cdk.tf.json). */
export function loadStack(stackFile: string, options: LoadOptions): StackModel {
  let document: TerraformDocument & { '//'?: { metadata?: { stackName?: string } } };
  try {
    document = JSON.parse(fs.readFileSync(stackFile, 'utf8'));
  } catch (error) {
    throw new LocalError(`Cannot read the stack ${stackFile}: ${(error as Error).message}. Run \`npm run synth\` again.`);
  }
  const stackDir = path.dirname(stackFile);
  const reader = new StackReader(document, stackDir, options);
  return reader.read(document['//']?.metadata?.stackName ?? path.basename(stackDir));
}

/** Resource types the server serves; each is checked attribute by attribute below. */
const SERVED_TYPES = new Set([
  'aws_api_gateway_rest_api',
  'aws_api_gateway_resource',
  'aws_api_gateway_method',
  'aws_api_gateway_integration',
  'aws_api_gateway_method_response',
  'aws_api_gateway_integration_response',
  'aws_api_gateway_deployment',
  'aws_api_gateway_stage',
  'aws_api_gateway_gateway_response',
  'aws_api_gateway_request_validator',
  'aws_api_gateway_model',
  'aws_api_gateway_method_settings',
  'aws_api_gateway_api_key',
  'aws_api_gateway_usage_plan',
  'aws_api_gateway_usage_plan_key',
  'aws_lambda_function',
  'aws_lambda_permission',
  'aws_dynamodb_table',
]);

/** Types that would change what a client of the API sees, which the server does not reproduce. */
const REFUSED_TYPES: Readonly<Record<string, string>> = {
  aws_api_gateway_rest_api_policy: 'a resource policy can deny requests',
  aws_lambda_function_url: 'function URLs are another endpoint the server does not offer',
  aws_lambda_layer_version: 'layers add code the server does not load',
};

/** Types with no effect on what a local client sees: access control, logging, accounts. */
const SILENT_TYPES = new Set([
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_role_policy_attachment',
  'aws_cloudwatch_log_group',
  'aws_api_gateway_account',
]);

/**
 * The attributes of each served type that the server reads, or that cannot change
 * what a client sees. A configured attribute outside these lists is refused, so a
 * stack feature added later cannot be silently ignored.
 */
const KNOWN_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_api_gateway_rest_api: ['name', 'description', 'endpoint_configuration', 'tags', 'api_key_source', 'put_rest_api_mode', 'fail_on_warnings'],
  aws_api_gateway_resource: ['rest_api_id', 'parent_id', 'path_part'],
  aws_api_gateway_method: [
    'rest_api_id',
    'resource_id',
    'http_method',
    'authorization',
    'api_key_required',
    'operation_name',
    'request_models',
    'request_validator_id',
    'request_parameters',
  ],
  aws_api_gateway_request_validator: ['rest_api_id', 'name', 'validate_request_body', 'validate_request_parameters'],
  aws_api_gateway_model: ['rest_api_id', 'name', 'description', 'content_type', 'schema'],
  aws_api_gateway_method_settings: ['rest_api_id', 'stage_name', 'method_path', 'settings'],
  aws_api_gateway_api_key: ['name', 'description', 'enabled', 'value', 'customer_id', 'tags'],
  // quota_settings is read only to refuse it, with a message of its own.
  aws_api_gateway_usage_plan: ['name', 'description', 'api_stages', 'throttle_settings', 'quota_settings', 'product_code', 'tags'],
  aws_api_gateway_usage_plan_key: ['key_id', 'key_type', 'usage_plan_id'],
  aws_api_gateway_integration: [
    'rest_api_id',
    'resource_id',
    'http_method',
    'type',
    'uri',
    'integration_http_method',
    'passthrough_behavior',
    'timeout_milliseconds',
    'request_templates',
    'credentials',
    'connection_type',
    'cache_key_parameters',
    'cache_namespace',
  ],
  aws_api_gateway_method_response: ['rest_api_id', 'resource_id', 'http_method', 'status_code', 'response_models', 'response_parameters'],
  aws_api_gateway_integration_response: ['rest_api_id', 'resource_id', 'http_method', 'status_code', 'selection_pattern', 'response_templates', 'response_parameters'],
  aws_api_gateway_deployment: ['rest_api_id', 'description', 'triggers', 'stage_name', 'stage_description', 'variables'],
  aws_api_gateway_stage: [
    'rest_api_id',
    'deployment_id',
    'stage_name',
    'description',
    'variables',
    'tags',
    'xray_tracing_enabled',
    'access_log_settings',
    'cache_cluster_enabled',
    'cache_cluster_size',
    'documentation_version',
  ],
  aws_api_gateway_gateway_response: ['rest_api_id', 'response_type', 'status_code', 'response_templates', 'response_parameters'],
  aws_lambda_function: [
    'function_name',
    'handler',
    'runtime',
    'filename',
    'source_code_hash',
    'role',
    'description',
    'memory_size',
    'timeout',
    'environment',
    'logging_config',
    'tags',
    'publish',
    'architectures',
    'tracing_config',
    'vpc_config',
    'dead_letter_config',
    'ephemeral_storage',
    'kms_key_arn',
    'reserved_concurrent_executions',
    'skip_destroy',
    'replace_security_groups_on_destroy',
  ],
  aws_lambda_permission: ['statement_id', 'statement_id_prefix', 'action', 'function_name', 'principal', 'source_arn', 'source_account', 'qualifier'],
  aws_dynamodb_table: [
    'name',
    'hash_key',
    'range_key',
    'attribute',
    'global_secondary_index',
    'local_secondary_index',
    'billing_mode',
    'read_capacity',
    'write_capacity',
    'point_in_time_recovery',
    'deletion_protection_enabled',
    'server_side_encryption',
    'table_class',
    'tags',
    'ttl',
    'stream_enabled',
    'stream_view_type',
  ],
};

const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/** The models every REST API has without declaring them. */
const BUILT_IN_MODELS: Readonly<Record<string, string>> = {
  Empty: '{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}',
  Error:
    '{"$schema":"http://json-schema.org/draft-04/schema#","title":"Error Schema","type":"object","properties":{"message":{"type":"string"}}}',
};

class StackReader {
  private readonly stack: TerraformStack;
  private readonly problems: string[] = [];
  private readonly notices: string[] = [];
  private readonly region: string;

  constructor(
    document: TerraformDocument,
    private readonly stackDir: string,
    private readonly options: LoadOptions,
  ) {
    this.region = providerRegion(document);
    this.stack = new TerraformStack(document, (resource, attribute, stack) => this.computed(resource, attribute, stack));
  }

  read(stackName: string): StackModel {
    this.checkTypes();
    const functions = this.stack.all('aws_lambda_function').flatMap((resource) => this.attempt(() => this.readFunction(resource)));
    const tables = this.stack.all('aws_dynamodb_table').flatMap((resource) => this.attempt(() => this.readTable(resource)));
    const apis = this.stack.all('aws_api_gateway_rest_api');
    if (apis.length > 1) {
      this.problems.push(
        `the stack declares ${apis.length} REST APIs (${apis.map((api) => api.address).join(', ')}); the local server serves one on its port.`,
      );
    }
    const api = apis.length === 1 ? this.attempt(() => this.readApi(apis[0], functions))[0] : undefined;
    if (this.problems.length > 0) {
      throw new LocalError(
        `The stack ${stackName} (${path.join(this.stackDir, 'cdk.tf.json')}) uses what the local server cannot serve faithfully:\n` +
          this.problems.map((problem) => `  - ${problem}`).join('\n') +
          '\nChange the stack, or serve it with AWS itself (`npm run deploy`).',
      );
    }
    return { stackName, stackDir: this.stackDir, region: this.region, functions, tables, api, notices: this.notices };
  }

  /** Runs `read`, turning a LocalError into one more listed problem, so the user sees them all at once. */
  private attempt<T>(read: () => T): T[] {
    try {
      return [read()];
    } catch (error) {
      if (error instanceof AlreadyReported) return [];
      if (!(error instanceof LocalError)) throw error;
      this.problems.push(error.message);
      return [];
    }
  }

  private checkTypes(): void {
    const notEmulated: string[] = [];
    for (const resource of this.stack.allResources()) {
      if (SERVED_TYPES.has(resource.type)) {
        this.checkAttributes(resource);
      } else if (Object.hasOwn(REFUSED_TYPES, resource.type)) {
        this.problems.push(`${resource.address}: ${REFUSED_TYPES[resource.type]}.`);
      } else if (!SILENT_TYPES.has(resource.type)) {
        notEmulated.push(resource.address);
      }
    }
    if (notEmulated.length > 0) this.notices.push(`Not emulated locally: ${notEmulated.join(', ')}.`);
  }

  private checkAttributes(resource: Declared): void {
    const known = KNOWN_ATTRIBUTES[resource.type];
    for (const key of this.stack.configKeys(resource)) {
      if (!known.includes(key) && !isEmpty(resource.config[key])) {
        this.problems.push(`${resource.address}.${key} is set; the local server does not implement ${key} for ${resource.type}.`);
      }
    }
  }

  private str(resource: Declared, attribute: string, fallback?: string): string {
    if (!Object.hasOwn(resource.config, attribute) && fallback !== undefined) return fallback;
    return this.stack.stringAttribute(resource, attribute);
  }

  private optional(resource: Declared, attribute: string): unknown {
    return Object.hasOwn(resource.config, attribute) ? this.stack.attribute(resource, attribute) : undefined;
  }

  private readFunction(resource: Declared): FunctionModel {
    const name = this.str(resource, 'function_name');
    const runtime = this.str(resource, 'runtime', '');
    if (!/^nodejs\d+\.x$/.test(runtime)) {
      throw new LocalError(`${resource.address}.runtime is ${JSON.stringify(runtime)}; the local server runs Node.js functions (nodejs22.x and the like) only.`);
    }
    const reserved = this.optional(resource, 'reserved_concurrent_executions');
    const reservedConcurrency = reserved === undefined || Number(reserved) === -1 ? undefined : Number(reserved);
    if (reservedConcurrency !== undefined && !(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0)) {
      throw new LocalError(`${resource.address}.reserved_concurrent_executions is ${JSON.stringify(reserved)}; Lambda takes -1 (none reserved) or a whole number from 0.`);
    }
    if (reservedConcurrency === 0) {
      this.notices.push(`${name} has reserved_concurrent_executions = 0, so every invocation is throttled (429 TooManyRequestsException), as in AWS.`);
    }
    const environment = (this.optional(resource, 'environment') as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
    const logging = firstBlock(this.optional(resource, 'logging_config')) as
      | { log_group?: string; log_format?: string; application_log_level?: string }
      | undefined;
    const logFormat = logging?.log_format ?? 'Text';
    if (logFormat !== 'Text' && logFormat !== 'JSON') {
      throw new LocalError(`${resource.address}.logging_config.log_format is ${JSON.stringify(logFormat)}; Lambda takes Text or JSON.`);
    }
    // Lambda's default level when the format is JSON.
    const applicationLogLevel = (logging?.application_log_level || 'INFO').toUpperCase();
    if (!isLogLevel(applicationLogLevel)) {
      throw new LocalError(
        `${resource.address}.logging_config.application_log_level is ${JSON.stringify(logging?.application_log_level)}; Lambda takes ${LOG_LEVELS.join(', ')}.`,
      );
    }
    return {
      address: resource.address,
      name,
      arn: this.stack.stringAttribute(resource, 'arn'),
      handler: this.str(resource, 'handler'),
      runtime,
      timeoutSeconds: Number(this.str(resource, 'timeout', '3')),
      memoryMb: Number(this.str(resource, 'memory_size', '128')),
      environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)])),
      code: this.functionCode(resource),
      logGroup: logging?.log_group ?? `/aws/lambda/${name}`,
      reservedConcurrency,
      logFormat,
      applicationLogLevel,
    };
  }

  /**
   * The code Terraform would upload: the directory or file an archive_file data
   * source zips, or a zip file. Other sources (S3, container images) are refused.
   */
  private functionCode(resource: Declared): FunctionCode {
    for (const unsupported of ['s3_bucket', 'image_uri', 'layers', 'file_system_config']) {
      if (!isEmpty(resource.config[unsupported])) {
        throw new LocalError(`${resource.address}.${unsupported} is set; the local server runs code from a local zip or directory (filename) only.`);
      }
    }
    const raw = resource.config.filename;
    const archiveRef = typeof raw === 'string' ? /^\$\{data\.archive_file\.([\w-]+)\.output_path\}$/.exec(raw) : null;
    if (archiveRef) {
      const archive = this.stack.find(`data.archive_file.${archiveRef[1]}`);
      if (!archive) throw new LocalError(`${resource.address}.filename refers to data.archive_file.${archiveRef[1]}, which the stack does not declare.`);
      for (const unsupported of ['source', 'source_content', 'excludes', 'exclude_symlink_directories']) {
        if (!isEmpty(archive.config[unsupported])) {
          throw new LocalError(`${archive.address}.${unsupported} is set; the local server reads archives made from source_dir or source_file only.`);
        }
      }
      if (archive.config.source_dir !== undefined) {
        const dir = path.resolve(this.stackDir, this.stack.stringAttribute(archive, 'source_dir'));
        if (!fs.existsSync(dir)) throw new LocalError(`${archive.address}.source_dir is ${dir}, which does not exist. Run \`npm run synth\` again.`);
        return { kind: 'directory', dir };
      }
      if (archive.config.source_file !== undefined) {
        const file = path.resolve(this.stackDir, this.stack.stringAttribute(archive, 'source_file'));
        if (!fs.existsSync(file)) throw new LocalError(`${archive.address}.source_file is ${file}, which does not exist. Run \`npm run synth\` again.`);
        return { kind: 'directory', dir: path.dirname(file) };
      }
      throw new LocalError(`${archive.address} has neither source_dir nor source_file.`);
    }
    if (raw === undefined) throw new LocalError(`${resource.address} has no filename; the local server runs code from a local zip or directory only.`);
    const file = path.resolve(this.stackDir, this.stack.stringAttribute(resource, 'filename'));
    if (!fs.existsSync(file)) throw new LocalError(`${resource.address}.filename is ${file}, which does not exist. Run \`npm run synth\` again.`);
    return { kind: 'zip', file };
  }

  private readTable(resource: Declared): TableModel {
    const name = this.str(resource, 'name');
    const declared = new Map<string, KeyAttribute>();
    for (const attribute of (this.optional(resource, 'attribute') ?? []) as { name: string; type: string }[]) {
      if (attribute.type !== 'S' && attribute.type !== 'N' && attribute.type !== 'B') {
        throw new LocalError(`${resource.address} declares attribute ${attribute.name} of type ${JSON.stringify(attribute.type)}; DynamoDB keys are S, N or B.`);
      }
      declared.set(attribute.name, { name: attribute.name, type: attribute.type });
    }
    const key = (keyName: string, role: string): KeyAttribute => {
      const attribute = declared.get(keyName);
      if (!attribute) throw new LocalError(`${resource.address}: ${role} ${keyName} has no matching attribute block; Terraform would refuse this table too.`);
      return attribute;
    };
    const indexes = (attribute: string): SecondaryIndex[] =>
      ((this.optional(resource, attribute) ?? []) as Record<string, unknown>[]).map((index) => ({
        name: String(index.name),
        hashKey: key(String(index.hash_key ?? this.str(resource, 'hash_key')), `${attribute} ${String(index.name)}'s hash key`).name,
        rangeKey: index.range_key === undefined ? undefined : key(String(index.range_key), `${attribute} ${String(index.name)}'s range key`).name,
        projectionType: String(index.projection_type ?? 'ALL'),
        nonKeyAttributes: (index.non_key_attributes as string[] | undefined) ?? [],
      }));
    const rangeKey = this.optional(resource, 'range_key');
    const model: TableModel = {
      address: resource.address,
      name,
      hashKey: key(this.str(resource, 'hash_key'), 'hash_key'),
      rangeKey: rangeKey === undefined ? undefined : key(String(rangeKey), 'range_key'),
      globalSecondaryIndexes: indexes('global_secondary_index'),
      localSecondaryIndexes: indexes('local_secondary_index'),
      attributes: [...declared.values()],
    };
    const ttl = this.optional(resource, 'ttl') as { enabled?: boolean } | undefined;
    if (ttl?.enabled) this.notices.push(`${name}: time to live is not emulated; expired items stay.`);
    if (this.optional(resource, 'stream_enabled') === true) this.notices.push(`${name}: streams are not emulated.`);
    return model;
  }

  private readApi(api: Declared, functions: readonly FunctionModel[]): RestApiModel {
    const id = this.stack.stringAttribute(api, 'id');
    const ofApi = (type: string) => this.stack.all(type).filter((r) => this.stack.attribute(r, 'rest_api_id') === id);

    const rootId = this.stack.stringAttribute(api, 'root_resource_id');
    const paths = new Map<string, string>([[rootId, '/']]);
    for (const resource of ofApi('aws_api_gateway_resource')) {
      paths.set(this.stack.stringAttribute(resource, 'id'), this.stack.stringAttribute(resource, 'path'));
    }

    const stages = this.readStages(ofApi);
    const permissions = this.stack.all('aws_lambda_permission');
    const methodKey = (r: Declared) => `${this.stack.attribute(r, 'resource_id')} ${this.stack.attribute(r, 'http_method')}`;
    const integrations = new Map(ofApi('aws_api_gateway_integration').map((r) => [methodKey(r), r]));
    const integrationResponses = ofApi('aws_api_gateway_integration_response');
    const methodResponses = ofApi('aws_api_gateway_method_response');

    const routes: RouteModel[] = [];
    for (const method of ofApi('aws_api_gateway_method')) {
      this.attempt(() => {
        const resourceId = this.stack.stringAttribute(method, 'resource_id');
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
        const permitted = new Map(
          stages.map((stage) => [
            stage.name,
            new Set(
              methods.filter(
                (m) => integration.config.credentials !== undefined || this.permits(permissions, model.functionName, `${id}/${stage.name}/${m}${resourcePath}`),
              ),
            ),
          ]),
        );
        for (const stage of stages) {
          const allowed = permitted.get(stage.name)!;
          if (allowed.size === 0) {
            this.notices.push(
              `${httpMethod} /${stage.name}${resourcePath}: no aws_lambda_permission lets API Gateway invoke ${model.functionName} from it, so AWS answers 500; so does this server.`,
            );
          } else if (allowed.size < methods.length) {
            const refused = methods.filter((m) => !allowed.has(m)).join(', ');
            this.notices.push(
              `${httpMethod} /${stage.name}${resourcePath}: no aws_lambda_permission lets API Gateway invoke ${model.functionName} for ${refused}, so AWS answers those 500; so does this server.`,
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

    const apiKeys = this.readApiKeys(id, stages);
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
      const status = this.optional(response, 'status_code');
      gatewayResponses.set(this.str(response, 'response_type'), {
        statusCode: status === undefined ? undefined : Number(status),
        responseTemplates: (this.optional(response, 'response_templates') ?? {}) as Record<string, string>,
        headers: this.staticHeaders(response, 'gatewayresponse.header.'),
      });
    }
    return { address: api.address, id, name: this.str(api, 'name'), stages, routes, gatewayResponses, apiKeys };
  }

  /**
   * The stack's API keys and the usage plans (through usage plan keys) that admit
   * them to stages of the API `apiId`. Plans of other APIs are left out; a plan
   * naming a stage the API lacks, or a key in two plans for one stage, is refused,
   * as AWS refuses them.
   */
  private readApiKeys(apiId: string, stages: readonly StageModel[]): ApiKeyModel[] {
    const plans = new Map<string, UsagePlanModel>();
    for (const plan of this.stack.all('aws_api_gateway_usage_plan')) {
      this.attempt(() => {
        const ours = ((this.optional(plan, 'api_stages') ?? []) as Record<string, unknown>[]).filter((entry) => entry.api_id === apiId);
        if (ours.length === 0) return;
        for (const entry of ours) {
          if (!stages.some((stage) => stage.name === entry.stage)) {
            throw new LocalError(`${plan.address}.api_stages names the stage ${JSON.stringify(entry.stage)}, which the REST API does not have; AWS refuses the plan too.`);
          }
          if (!isEmpty(entry.throttle)) {
            throw new LocalError(
              `${plan.address}.api_stages sets a per-method throttle for stage ${String(entry.stage)}; the local server applies the plan's throttle_settings only. Move the limits to throttle_settings, or remove the throttle block.`,
            );
          }
        }
        const quota = firstBlock(this.optional(plan, 'quota_settings'));
        if (quota) {
          // AWS documents neither when a DAY, WEEK or MONTH period starts nor what offset means
          // consistently, and keeps counts across restarts: a local count would be a guess.
          throw new LocalError(
            `${plan.address}.quota_settings is set (${String(quota.limit)} requests per ${String(quota.period)}); the local server does not count quotas. ` +
              'Remove quota_settings to serve the stack locally (throttle_settings still applies).',
          );
        }
        const throttle = firstBlock(this.optional(plan, 'throttle_settings'));
        const rate = Number(throttle?.rate_limit ?? -1);
        const burst = Number(throttle?.burst_limit ?? -1);
        plans.set(this.stack.stringAttribute(plan, 'id'), {
          address: plan.address,
          name: this.str(plan, 'name'),
          stages: ours.map((entry) => String(entry.stage)),
          throttle: rate >= 0 && burst >= 0 ? { rateLimit: rate, burstLimit: burst } : undefined,
        });
      });
    }
    const planKeys = this.stack.all('aws_api_gateway_usage_plan_key');
    return this.stack.all('aws_api_gateway_api_key').flatMap((key) =>
      this.attempt((): ApiKeyModel => {
        const keyId = this.stack.stringAttribute(key, 'id');
        const keyPlans = planKeys
          .filter((planKey) => this.stack.attribute(planKey, 'key_id') === keyId)
          .flatMap((planKey) => plans.get(this.stack.stringAttribute(planKey, 'usage_plan_id')) ?? []);
        for (const stage of stages) {
          const covering = keyPlans.filter((plan) => plan.stages.includes(stage.name));
          if (covering.length > 1) {
            throw new LocalError(`${key.address} is in ${covering.map((plan) => plan.address).join(' and ')}, which both cover stage ${stage.name}; AWS allows a key one usage plan per stage.`);
          }
        }
        return { address: key.address, name: this.str(key, 'name'), enabled: this.optional(key, 'enabled') !== false, value: this.keyValue(key), plans: keyPlans };
      }),
    );
  }

  /** The key's value when the stack writes it out; one known only after apply is left to the server to choose. */
  private keyValue(key: Declared): string | undefined {
    const raw = key.config.value;
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string' || raw.includes('${')) {
      this.notices.push(`${key.address}.value is ${JSON.stringify(raw)}, known only once Terraform applies it; locally the key gets the value listed under API keys above.`);
      return undefined;
    }
    const problem = apiKeyValueProblem(raw);
    if (problem) {
      throw new LocalError(
        `${key.address}.value ${JSON.stringify(raw)} cannot be an API key: ${problem}; API Gateway takes 20 to 128 printable ASCII characters. Change the value, or remove it for a generated one.`,
      );
    }
    return raw;
  }

  /** The method's validator with the models it checks bodies against, or undefined without a validator. */
  private readValidation(method: Declared, ofApi: (type: string) => Declared[]): RequestValidationModel | undefined {
    const validatorId = this.optional(method, 'request_validator_id');
    if (validatorId === undefined || validatorId === '') return undefined;
    const validator = ofApi('aws_api_gateway_request_validator').find((r) => this.stack.attribute(r, 'id') === validatorId);
    if (!validator) throw new LocalError(`${method.address}.request_validator_id is not a request validator of its REST API.`);
    const bodySchemas: Record<string, string> = {};
    if (this.optional(validator, 'validate_request_body') === true) {
      const models = (this.optional(method, 'request_models') ?? {}) as Record<string, string>;
      for (const [contentType, modelName] of Object.entries(models)) {
        const model = ofApi('aws_api_gateway_model').find((r) => this.stack.attribute(r, 'name') === modelName);
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
  private readThrottles(resourcePath: string, httpMethod: string, stages: readonly StageModel[], ofApi: (type: string) => Declared[]): Map<string, ThrottleModel> {
    const throttles = new Map<string, ThrottleModel>();
    const settingsList = ofApi('aws_api_gateway_method_settings');
    for (const stage of stages) {
      const ofStage = settingsList.filter((r) => this.stack.attribute(r, 'stage_name') === stage.name);
      const own = ofStage.find((r) => this.stack.attribute(r, 'method_path') === `${resourcePath.slice(1)}/${httpMethod}`);
      const chosen = own ?? ofStage.find((r) => this.stack.attribute(r, 'method_path') === '*/*');
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

  private readStages(ofApi: (type: string) => Declared[]): StageModel[] {
    const stages: StageModel[] = [];
    const add = (resource: Declared, name: string, variables: unknown) => {
      if (name === '2015-03-31') {
        throw new LocalError(`${resource.address} names a stage 2015-03-31, whose URLs the local server keeps for the Lambda invoke API. Rename the stage.`);
      }
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
    const declared = this.stack.all('aws_lambda_function').some((fn) => this.stack.attribute(fn, 'arn') === functionArn);
    if ((type === 'AWS' || type === 'AWS_PROXY') && !target && declared) throw new AlreadyReported();
    if ((type !== 'AWS' && type !== 'AWS_PROXY') || !target) {
      throw new LocalError(
        `${integration.address} is an integration of type ${type} to ${JSON.stringify(uri)}; the local server serves AWS and AWS_PROXY integrations to a Lambda function of the stack only.`,
      );
    }
    const httpMethod = this.str(integration, 'integration_http_method', 'POST');
    if (httpMethod !== 'POST') {
      throw new LocalError(`${integration.address}.integration_http_method is ${httpMethod}; Lambda is invoked with POST only, and AWS fails every request otherwise.`);
    }
    const connection = this.str(integration, 'connection_type', 'INTERNET');
    if (connection !== 'INTERNET') throw new LocalError(`${integration.address}.connection_type is ${connection}; only INTERNET reaches Lambda.`);
    const passthrough = this.str(integration, 'passthrough_behavior', 'WHEN_NO_MATCH');
    if (passthrough !== 'WHEN_NO_MATCH' && passthrough !== 'WHEN_NO_TEMPLATES' && passthrough !== 'NEVER') {
      throw new LocalError(`${integration.address}.passthrough_behavior is ${JSON.stringify(passthrough)}; expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER.`);
    }
    const statusCodes = new Set(methodResponses.map((r) => this.str(r, 'status_code')));
    const readResponse = (response: Declared): IntegrationResponseModel => {
      const statusCode = this.str(response, 'status_code');
      if (!statusCodes.has(statusCode)) {
        throw new LocalError(`${response.address} answers ${statusCode}, but the method declares no method response ${statusCode}; AWS refuses it too.`);
      }
      const pattern = this.optional(response, 'selection_pattern');
      return {
        address: response.address,
        statusCode,
        selectionPattern: pattern === undefined || pattern === '' ? undefined : String(pattern),
        responseTemplates: (this.optional(response, 'response_templates') ?? {}) as Record<string, string>,
        headers: this.staticHeaders(response, 'method.response.header.'),
      };
    };
    return {
      type,
      functionName: target.name,
      timeoutMs: Number(this.str(integration, 'timeout_milliseconds', String(DEFAULT_INTEGRATION_TIMEOUT_MS))),
      passthroughBehavior: passthrough,
      requestTemplates: (this.optional(integration, 'request_templates') ?? {}) as Record<string, string>,
      // Proxy integrations ignore integration responses, as AWS does.
      responses: type === 'AWS' ? responses.flatMap((response) => this.attempt(() => readResponse(response))) : [],
    };
  }

  /** `response_parameters` that set a header to a literal ('value'); a mapping from the request or the body is refused. */
  private staticHeaders(resource: Declared, prefix: string): Record<string, string> {
    const headers: Record<string, string> = {};
    const parameters = (this.optional(resource, 'response_parameters') ?? {}) as Record<string, unknown>;
    for (const [target, source] of Object.entries(parameters)) {
      const literal = typeof source === 'string' ? /^'(.*)'$/s.exec(source) : null;
      if (!target.startsWith(prefix) || !literal) {
        throw new LocalError(
          `${resource.address}.response_parameters maps ${target} from ${JSON.stringify(source)}; the local server sets headers to literal values ('...') only.`,
        );
      }
      headers[target.slice(prefix.length)] = literal[1];
    }
    return headers;
  }

  /** Whether some Lambda permission lets API Gateway invoke `functionName` for the method ARN suffix `apiId/stage/METHOD/path`. */
  private permits(permissions: Declared[], functionName: string, method: string): boolean {
    const fn = this.stack.all('aws_lambda_function').find((r) => this.stack.attribute(r, 'function_name') === functionName);
    const methodArn = `arn:aws:execute-api:${this.region}:${LOCAL_ACCOUNT_ID}:${method}`;
    return permissions.some((permission) => {
      const principal = this.stack.attribute(permission, 'principal');
      const action = this.stack.attribute(permission, 'action');
      const target = this.stack.attribute(permission, 'function_name');
      if (principal !== 'apigateway.amazonaws.com' || (action !== 'lambda:InvokeFunction' && action !== 'lambda:*')) return false;
      if (target !== functionName && !(fn && target === this.stack.attribute(fn, 'arn'))) return false;
      const sourceArn = this.optional(permission, 'source_arn');
      return sourceArn === undefined || globMatches(String(sourceArn), methodArn);
    });
  }

  /** What AWS would assign: ids, ARNs and URLs, stable for a given stack. */
  private computed(resource: Declared, attribute: string, stack: TerraformStack): unknown {
    const { region } = this;
    const account = LOCAL_ACCOUNT_ID;
    const attr = (name: string) => stack.stringAttribute(resource, name);
    switch (`${resource.type}.${attribute}`) {
      case 'aws_api_gateway_rest_api.id':
        return syntheticId(resource.address, 10);
      case 'aws_api_gateway_rest_api.root_resource_id':
        return syntheticId(`${resource.address}/`, 10);
      case 'aws_api_gateway_rest_api.execution_arn':
        return `arn:aws:execute-api:${region}:${account}:${attr('id')}`;
      case 'aws_api_gateway_rest_api.arn':
        return `arn:aws:apigateway:${region}::/restapis/${attr('id')}`;
      case 'aws_api_gateway_resource.path': {
        const parentId = attr('parent_id');
        const parent = stack.all('aws_api_gateway_resource').find((r) => stack.attribute(r, 'id') === parentId);
        return `${parent ? stack.stringAttribute(parent, 'path') : ''}/${attr('path_part')}`;
      }
      case 'aws_api_gateway_stage.invoke_url':
        return `${this.options.baseUrl}/${attr('stage_name')}`;
      case 'aws_api_gateway_stage.execution_arn': {
        const api = stack.all('aws_api_gateway_rest_api').find((r) => stack.attribute(r, 'id') === attr('rest_api_id'));
        return api ? `${stack.stringAttribute(api, 'execution_arn')}/${attr('stage_name')}` : undefined;
      }
      case 'aws_lambda_function.arn':
        return `arn:aws:lambda:${region}:${account}:function:${attr('function_name')}`;
      case 'aws_lambda_function.invoke_arn':
        return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${attr('arn')}/invocations`;
      case 'aws_lambda_function.qualified_arn':
        return `${attr('arn')}:$LATEST`;
      case 'aws_lambda_function.qualified_invoke_arn':
        return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${attr('qualified_arn')}/invocations`;
      case 'aws_lambda_function.version':
        return '$LATEST';
      case 'aws_lambda_function.id':
        return attr('function_name');
      case 'aws_dynamodb_table.arn':
        return `arn:aws:dynamodb:${region}:${account}:table/${attr('name')}`;
      case 'aws_dynamodb_table.id':
        return attr('name');
      case 'aws_iam_role.arn':
        return `arn:aws:iam::${account}:role/${attr('name')}`;
      case 'aws_cloudwatch_log_group.arn':
        return `arn:aws:logs:${region}:${account}:log-group:${attr('name')}`;
      default:
        // Every resource has an id; its value only has to be stable and unique.
        return attribute === 'id' ? syntheticId(resource.address, 10) : undefined;
    }
  }
}

/** An integration with a function whose own problem is listed already. */
class AlreadyReported extends Error {}

function providerRegion(document: TerraformDocument): string {
  const providers = document.provider?.aws;
  const list = Array.isArray(providers) ? providers : providers ? [providers] : [];
  const region = list.find((provider) => provider.alias === undefined)?.region;
  return typeof region === 'string' && !region.includes('${') ? region : 'us-east-1';
}

function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}

/** A nested block: an object in cdktf's JSON, a one-element list in Terraform's own; undefined when absent or empty. */
function firstBlock(value: unknown): Record<string, unknown> | undefined {
  const block = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
  return isEmpty(block) ? undefined : block;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Whether `text` matches an IAM-style pattern, where `*` is any run of characters and `?` any one. */
function globMatches(pattern: string, text: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(text);
}
