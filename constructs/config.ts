/**
 * The stack's configuration, read from the environment at synth and validated
 * before any resource exists: a bad value stops synth with one message that names
 * the variable, shows the value and says what is allowed.
 */

/** How the handler's code reaches Terraform. */
export type HandlerPackaging = 'archive' | 'asset';

/** Who may call the API: anyone (the tutorial's), SigV4-signed IAM callers, or holders of an API key. */
export type ApiAuthorization = 'NONE' | 'AWS_IAM' | 'API_KEY';

/** Lambda's application log levels, most detailed first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * API Gateway gives up on an integration after 29 s; a function allowed to run
 * longer would keep working (and writing) after its caller got a 504.
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

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

const integerIn = (min: number, max: number) => (raw: string) => {
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
};

const boolean = (raw: string) => (raw === 'true' ? true : raw === 'false' ? false : undefined);

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const oneOf =
  <T extends string | number>(values: readonly T[]) =>
  (raw: string) =>
    values.find((value) => String(value) === raw);

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
  tableName: {
    variable: 'TABLE_NAME',
    defaultValue: 'lambda-apigateway',
    description: 'DynamoDB table name',
    allowed: '3 to 255 characters from A-Z a-z 0-9 _ - .',
    parse: matching(/^[A-Za-z0-9_.-]{3,255}$/),
  },
  tableDeletionProtection: {
    variable: 'TABLE_DELETION_PROTECTION',
    defaultValue: 'true',
    description: 'DynamoDB deletion protection; set to false and deploy before `npm run destroy`',
    allowed: 'true or false',
    parse: boolean,
  },
  functionName: {
    variable: 'FUNCTION_NAME',
    defaultValue: 'LambdaFunctionOverHttps',
    description: 'Lambda function name',
    allowed: '1 to 64 characters from A-Z a-z 0-9 _ -',
    parse: matching(/^[A-Za-z0-9_-]{1,64}$/),
  },
  functionMemoryMb: {
    variable: 'FUNCTION_MEMORY_MB',
    defaultValue: '256',
    description: 'Lambda memory in MB',
    allowed: 'a whole number of MB from 128 to 10240',
    parse: integerIn(128, 10240),
  },
  functionTimeoutSeconds: {
    variable: 'FUNCTION_TIMEOUT_SECONDS',
    defaultValue: '10',
    description: 'Lambda timeout in seconds',
    allowed: `a whole number of seconds from 1 to ${INTEGRATION_TIMEOUT_SECONDS - 1} (API Gateway stops waiting at ${INTEGRATION_TIMEOUT_SECONDS})`,
    parse: integerIn(1, INTEGRATION_TIMEOUT_SECONDS - 1),
  },
  roleName: {
    variable: 'ROLE_NAME',
    defaultValue: 'lambda-apigateway-role',
    description: "IAM role name of the function's execution role",
    allowed: '1 to 64 characters from A-Z a-z 0-9 + = , . @ _ -',
    parse: matching(/^[\w+=,.@-]{1,64}$/),
  },
  logRetentionDays: {
    variable: 'LOG_RETENTION_DAYS',
    defaultValue: '14',
    description: "Retention of the function's log group, in days",
    allowed: `one of CloudWatch Logs' periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    parse: oneOf(LOG_RETENTION_DAYS),
  },
  logLevel: {
    variable: 'LOG_LEVEL',
    defaultValue: 'INFO',
    description: "The function's application log level in CloudWatch (and the nearest system log level)",
    allowed: 'TRACE, DEBUG, INFO, WARN, ERROR or FATAL',
    parse: oneOf(LOG_LEVELS),
  },
  apiName: {
    variable: 'API_NAME',
    defaultValue: 'DynamoDBOperations',
    description: 'REST API name',
    allowed: '1 to 128 characters from A-Z a-z 0-9 _ - . and space, not starting or ending with a space',
    parse: matching(/^[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,126}[A-Za-z0-9_.-])?$/),
  },
  stageName: {
    variable: 'STAGE_NAME',
    defaultValue: 'prod',
    description: 'API Gateway stage name (the URL path prefix)',
    allowed: '1 to 128 characters from A-Z a-z 0-9 _ -',
    parse: matching(/^[A-Za-z0-9_-]{1,128}$/),
  },
  handlerPackaging: {
    variable: 'HANDLER_PACKAGING',
    defaultValue: 'archive',
    description:
      "`archive`: Terraform's archive provider zips the bundle; `asset`: the zip is built at synth and no archive provider is needed",
    allowed: 'archive or asset',
    parse: oneOf<HandlerPackaging>(['archive', 'asset']),
  },
  apiAuthorization: {
    variable: 'API_AUTHORIZATION',
    defaultValue: 'NONE',
    description:
      '`NONE` (the tutorial\'s), `AWS_IAM` (SigV4-signed callers with execute-api:Invoke) or `API_KEY` (a usage plan and a key, in the sensitive output `api_key`)',
    allowed: 'NONE, AWS_IAM or API_KEY',
    parse: oneOf<ApiAuthorization>(['NONE', 'AWS_IAM', 'API_KEY']),
  },
  apiThrottleRateLimit: {
    variable: 'API_THROTTLE_RATE_LIMIT',
    defaultValue: '100',
    description: 'Stage throttling: steady requests per second; beyond it clients get 429',
    allowed: 'a whole number of requests per second from 1 to 10000',
    parse: integerIn(1, 10000),
  },
  apiThrottleBurstLimit: {
    variable: 'API_THROTTLE_BURST_LIMIT',
    defaultValue: '200',
    description: 'Stage throttling: burst size, in requests',
    allowed: 'a whole number of requests from 1 to 5000',
    parse: integerIn(1, 5000),
  },
  apiRequestValidation: {
    variable: 'API_REQUEST_VALIDATION',
    defaultValue: 'true',
    description: 'Validate request bodies against a JSON Schema model at the gateway (malformed bodies get 400, the function never runs)',
    allowed: 'true or false',
    parse: boolean,
  },
  tracing: {
    variable: 'TRACING',
    defaultValue: 'false',
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
