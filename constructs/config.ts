/**
 * The stack's configuration, read from the environment at synth and validated
 * before any resource exists: a bad value stops synth with one message that names
 * the variable, shows the value and says what is allowed.
 *
 * Each construct owns its props' defaults and rules (ITEMS_TABLE_DEFAULTS and
 * ITEMS_TABLE_RULES, ...): a setting for a prop takes both from there, so a default
 * or a limit is written once. The settings of the app itself (region, state,
 * access logs) are this file's own.
 */
import { CORS_ORIGINS_RULE, ORIGIN_FORMAT } from './api-cors';
import { HANDLER_FUNCTION_DEFAULTS, HANDLER_FUNCTION_RULES, type LogLevel } from './handler-function';
import { HANDLER_PACKAGE_DEFAULTS, HANDLER_PACKAGE_RULES, type HandlerPackaging } from './handler-package';
import { ITEMS_TABLE_DEFAULTS, ITEMS_TABLE_RULES } from './items-table';
import type { PropRule } from './props';
import { type ApiAuthorization, REST_API_DEFAULTS, REST_API_RULES } from './rest-api';

export interface StackConfig {
  readonly region: string;
  readonly tableName: string;
  readonly tableDeletionProtection: boolean;
  readonly functionName: string;
  readonly functionMemoryMb: number;
  readonly functionTimeoutSeconds: number;
  readonly roleName: string;
  readonly logRetentionDays: number;
  readonly logLevel: LogLevel;
  readonly apiName: string;
  readonly stageName: string;
  readonly handlerPackaging: HandlerPackaging;
  readonly apiAuthorization: ApiAuthorization;
  readonly apiThrottleRateLimit: number;
  readonly apiThrottleBurstLimit: number;
  readonly apiRequestValidation: boolean;
  readonly tracing: boolean;
  readonly apiAccessLogs: boolean;
  /** Origins whose pages may call the API (`['*']`: any); undefined: no CORS. */
  readonly apiCorsOrigins?: readonly string[];
  /** S3 bucket for remote state; without it, state stays in a local file. */
  readonly stateBucket?: string;
  readonly stateKey: string;
  /** Region of the state bucket; undefined means the stack's region. */
  readonly stateRegion?: string;
  readonly stateLockTable?: string;
}

/** A configuration value that cannot be used; its message is meant for the user as is. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface Setting<T> {
  readonly variable: string;
  /** Undefined for a setting that is off unless set. */
  readonly defaultValue?: string;
  readonly description: string;
  /** What is allowed, as the error message says it. */
  readonly allowed: string;
  readonly parse: (raw: string) => T | undefined;
}

const matching = (pattern: RegExp) => (raw: string) => (pattern.test(raw) ? raw : undefined);

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** A construct's prop of type string, from its variable: the rule's own check. */
const text =
  <T extends string>(rule: PropRule<T>) =>
  (raw: string) =>
    rule.accepts(raw as T) ? (raw as T) : undefined;

/** A whole-number prop, from its variable's digits. */
const wholeNumber = (rule: PropRule<number>) => (raw: string) => (/^\d+$/.test(raw) && rule.accepts(Number(raw)) ? Number(raw) : undefined);

const boolean = (raw: string) => (raw === 'true' ? true : raw === 'false' ? false : undefined);

/** A setting that is a construct's prop: the variable and its description here, the default and the rule the construct's. */
function prop<T>(variable: string, description: string, defaultValue: T, rule: PropRule<T>, parse: (raw: string) => T | undefined) {
  return { variable, defaultValue: String(defaultValue), description, allowed: rule.allowed, parse };
}

/**
 * Every setting, in the order the README's configuration table lists them.
 * Names and limits are AWS's own (IAM, Lambda, DynamoDB, API Gateway).
 */
export const SETTINGS = {
  region: {
    variable: 'AWS_REGION',
    defaultValue: 'us-east-2',
    description: 'AWS region of every resource',
    allowed: 'an AWS region name such as us-east-2 or eu-west-1',
    parse: matching(REGION),
  },
  tableName: prop('TABLE_NAME', 'DynamoDB table name', ITEMS_TABLE_DEFAULTS.tableName, ITEMS_TABLE_RULES.tableName, text(ITEMS_TABLE_RULES.tableName)),
  tableDeletionProtection: {
    variable: 'TABLE_DELETION_PROTECTION',
    defaultValue: String(ITEMS_TABLE_DEFAULTS.deletionProtection),
    description: 'DynamoDB deletion protection; set to false and deploy before `npm run destroy`',
    allowed: 'true or false',
    parse: boolean,
  },
  functionName: prop('FUNCTION_NAME', 'Lambda function name', HANDLER_FUNCTION_DEFAULTS.functionName, HANDLER_FUNCTION_RULES.functionName, text(HANDLER_FUNCTION_RULES.functionName)),
  functionMemoryMb: prop('FUNCTION_MEMORY_MB', 'Lambda memory in MB', HANDLER_FUNCTION_DEFAULTS.memorySize, HANDLER_FUNCTION_RULES.memorySize, wholeNumber(HANDLER_FUNCTION_RULES.memorySize)),
  functionTimeoutSeconds: prop('FUNCTION_TIMEOUT_SECONDS', 'Lambda timeout in seconds', HANDLER_FUNCTION_DEFAULTS.timeout, HANDLER_FUNCTION_RULES.timeout, wholeNumber(HANDLER_FUNCTION_RULES.timeout)),
  roleName: prop('ROLE_NAME', "IAM role name of the function's execution role", HANDLER_FUNCTION_DEFAULTS.roleName, HANDLER_FUNCTION_RULES.roleName, text(HANDLER_FUNCTION_RULES.roleName)),
  logRetentionDays: prop(
    'LOG_RETENTION_DAYS',
    "Retention of the function's log group, in days",
    HANDLER_FUNCTION_DEFAULTS.logRetentionDays,
    HANDLER_FUNCTION_RULES.logRetentionDays,
    wholeNumber(HANDLER_FUNCTION_RULES.logRetentionDays),
  ),
  logLevel: prop<LogLevel>(
    'LOG_LEVEL',
    "The function's application log level in CloudWatch (and the nearest system log level)",
    HANDLER_FUNCTION_DEFAULTS.logLevel,
    HANDLER_FUNCTION_RULES.logLevel,
    text(HANDLER_FUNCTION_RULES.logLevel),
  ),
  apiName: prop('API_NAME', 'REST API name', REST_API_DEFAULTS.apiName, REST_API_RULES.apiName, text(REST_API_RULES.apiName)),
  stageName: prop('STAGE_NAME', 'API Gateway stage name (the URL path prefix)', REST_API_DEFAULTS.stageName, REST_API_RULES.stageName, text(REST_API_RULES.stageName)),
  handlerPackaging: prop<HandlerPackaging>(
    'HANDLER_PACKAGING',
    "`archive`: Terraform's archive provider zips the bundle; `asset`: the zip is built at synth and no archive provider is needed",
    HANDLER_PACKAGE_DEFAULTS.packaging,
    HANDLER_PACKAGE_RULES.packaging,
    text(HANDLER_PACKAGE_RULES.packaging),
  ),
  apiAuthorization: prop<ApiAuthorization>(
    'API_AUTHORIZATION',
    "`NONE` (the tutorial's), `AWS_IAM` (SigV4-signed callers with execute-api:Invoke) or `API_KEY` (a usage plan and a key, in the sensitive output `api_key`)",
    REST_API_DEFAULTS.authorization,
    REST_API_RULES.authorization,
    text(REST_API_RULES.authorization),
  ),
  apiThrottleRateLimit: prop(
    'API_THROTTLE_RATE_LIMIT',
    'Stage throttling: steady requests per second; beyond it clients get 429',
    REST_API_DEFAULTS.throttleRateLimit,
    REST_API_RULES.throttleRateLimit,
    wholeNumber(REST_API_RULES.throttleRateLimit),
  ),
  apiThrottleBurstLimit: prop(
    'API_THROTTLE_BURST_LIMIT',
    'Stage throttling: burst size, in requests',
    REST_API_DEFAULTS.throttleBurstLimit,
    REST_API_RULES.throttleBurstLimit,
    wholeNumber(REST_API_RULES.throttleBurstLimit),
  ),
  apiRequestValidation: {
    variable: 'API_REQUEST_VALIDATION',
    defaultValue: String(REST_API_DEFAULTS.requestValidation),
    description: 'Validate request bodies against a JSON Schema model at the gateway (malformed bodies get 400, the function never runs)',
    allowed: 'true or false',
    parse: boolean,
  },
  tracing: {
    variable: 'TRACING',
    // The function's default; the stage's is the same (tested).
    defaultValue: String(HANDLER_FUNCTION_DEFAULTS.tracing),
    description: 'X-Ray tracing on the function and the stage',
    allowed: 'true or false',
    parse: boolean,
  },
  apiAccessLogs: {
    variable: 'API_ACCESS_LOGS',
    defaultValue: 'false',
    description:
      "JSON access logs of the stage to a log group of the stack (needs the account's API Gateway CloudWatch role, see the README)",
    allowed: 'true or false',
    parse: boolean,
  },
  apiCorsOrigins: {
    variable: 'API_CORS_ORIGINS',
    description: "Origins whose web pages may call the API and read its answers (CORS); unset: none, the tutorial's API",
    allowed: `* (any origin) or a comma-separated list of distinct origins, each ${ORIGIN_FORMAT}`,
    parse: (raw: string) => {
      const origins = raw.split(',').map((origin) => origin.trim());
      return CORS_ORIGINS_RULE.accepts(origins) ? origins : undefined;
    },
  },
  stateBucket: {
    variable: 'TF_STATE_BUCKET',
    description: 'S3 bucket for Terraform state (encrypted, with S3-native locking); unset: a local state file',
    allowed: 'an S3 bucket name: 3 to 63 characters from a-z 0-9 . -, starting and ending with a letter or digit',
    parse: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  },
  stateKey: {
    variable: 'TF_STATE_KEY',
    defaultValue: 'lambda-apigateway/terraform.tfstate',
    description: 'Object key of the state in TF_STATE_BUCKET',
    allowed: 'an S3 key: 1 to 1024 characters, not starting with /',
    parse: matching(/^[^/\s][^\s]{0,1023}$/),
  },
  stateRegion: {
    variable: 'TF_STATE_REGION',
    description: "Region of TF_STATE_BUCKET; unset: the stack's region",
    allowed: 'an AWS region name such as us-east-2 or eu-west-1',
    parse: matching(REGION),
  },
  stateLockTable: {
    variable: 'TF_STATE_LOCK_TABLE',
    description: 'DynamoDB table for state locking, besides the S3 lock file (deprecated upstream; for older setups)',
    allowed: '3 to 255 characters from A-Z a-z 0-9 _ - .',
    parse: matching(/^[A-Za-z0-9_.-]{3,255}$/),
  },
} satisfies { [K in keyof StackConfig]-?: Setting<NonNullable<StackConfig[K]>> };

/**
 * Reads the configuration from `env`. An unset or empty variable takes its default.
 * @throws ConfigError naming the first bad variable, its value and what is allowed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof StackConfig, Setting<unknown>][]) {
    const raw = env[setting.variable] || setting.defaultValue;
    if (raw === undefined) continue;
    const value = setting.parse(raw);
    if (value === undefined) {
      throw new ConfigError(
        `${setting.variable}=${JSON.stringify(raw)} is not valid: expected ${setting.allowed}. ` +
          (setting.defaultValue === undefined ? 'Unset it to turn it off.' : `Unset it for the default (${setting.defaultValue}).`),
      );
    }
    config[key] = value;
  }
  return config as unknown as StackConfig;
}
