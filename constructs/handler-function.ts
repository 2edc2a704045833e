import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { HANDLER_NAME } from './handler-bundle';
import { HANDLER_PACKAGE_DEFAULTS, HANDLER_PACKAGE_RULES, HandlerPackage, type HandlerPackaging } from './handler-package';
import { ITEMS_TABLE_RULES } from './items-table';
import { INTEGRATION_TIMEOUT_SECONDS, LOG_RETENTION_RULE, matching, oneOf, type PropRules, validateProps, wholeNumberIn } from './props';

/** Lambda's application log levels, most detailed first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HandlerFunctionProps {
  /** ARN of the table the function may read and write; the only table its role reaches. */
  readonly tableArn: string;
  /** Name of that table, given to the function as `TABLE_NAME`. */
  readonly tableName: string;
  /**
   * Function name.
   * @default 'LambdaFunctionOverHttps'
   */
  readonly functionName?: string;
  /**
   * Execution role name.
   * @default 'lambda-apigateway-role'
   */
  readonly roleName?: string;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout in seconds; keep it under API Gateway's 29 s integration timeout.
   * @default 10
   */
  readonly timeout?: number;
  /**
   * Retention of the function's log group, in days.
   * @default 14
   */
  readonly logRetentionDays?: number;
  /**
   * Lambda's application log level: lines the function writes below it are
   * dropped. Its system log level (START, END, REPORT) is the nearest of DEBUG,
   * INFO and WARN that shows no more than this.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * How the code is packaged, see `HandlerPackage`.
   * @default 'archive'
   */
  readonly packaging?: HandlerPackaging;
  /**
   * X-Ray active tracing. X-Ray's write actions have no resource-level
   * permissions, so this adds the one statement on `*` the role then needs.
   * @default false
   */
  readonly tracing?: boolean;
}

/** What a HandlerFunction is without the optional props: the tutorial's function. */
export const HANDLER_FUNCTION_DEFAULTS = {
  functionName: 'LambdaFunctionOverHttps',
  roleName: 'lambda-apigateway-role',
  memorySize: 256,
  timeout: 10,
  logRetentionDays: 14,
  logLevel: 'INFO',
  packaging: HANDLER_PACKAGE_DEFAULTS.packaging,
  tracing: false,
} as const satisfies Required<Omit<HandlerFunctionProps, 'tableArn' | 'tableName'>>;

/** Lambda's, IAM's and CloudWatch Logs' rules for the props. */
export const HANDLER_FUNCTION_RULES = {
  tableName: ITEMS_TABLE_RULES.tableName,
  functionName: matching(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 characters from A-Z a-z 0-9 _ -'),
  roleName: matching(/^[\w+=,.@-]{1,64}$/, '1 to 64 characters from A-Z a-z 0-9 + = , . @ _ -'),
  memorySize: wholeNumberIn(128, 10240, 'a whole number of MB from 128 to 10240'),
  timeout: wholeNumberIn(
    1,
    INTEGRATION_TIMEOUT_SECONDS - 1,
    `a whole number of seconds from 1 to ${INTEGRATION_TIMEOUT_SECONDS - 1} (API Gateway stops waiting at ${INTEGRATION_TIMEOUT_SECONDS})`,
  ),
  logRetentionDays: LOG_RETENTION_RULE,
  logLevel: oneOf(LOG_LEVELS, 'TRACE, DEBUG, INFO, WARN, ERROR or FATAL'),
  packaging: HANDLER_PACKAGE_RULES.packaging,
} satisfies PropRules<HandlerFunctionProps>;

/**
 * Lambda's system log has three levels only. Quieting the application (WARN and
 * above) quiets its START, END and REPORT lines too; tracing it shows Lambda's
 * DEBUG events as well.
 */
const SYSTEM_LOG_LEVEL: Readonly<Record<LogLevel, 'DEBUG' | 'INFO' | 'WARN'>> = {
  TRACE: 'DEBUG',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  ERROR: 'WARN',
  FATAL: 'WARN',
};

/**
 * The tutorial's function `LambdaFunctionOverHttps` with its execution role and
 * log group. Terraform addresses: `aws_cloudwatch_log_group.function_logs`,
 * `aws_iam_role.role`, `aws_iam_role_policy.role_policy`, `aws_lambda_function.function`,
 * `data.aws_iam_policy_document.assume_role`.
 */
export class HandlerFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    validateProps(this, props, HANDLER_FUNCTION_RULES, HANDLER_FUNCTION_DEFAULTS);
    const functionName = props.functionName ?? HANDLER_FUNCTION_DEFAULTS.functionName;
    const roleName = props.roleName ?? HANDLER_FUNCTION_DEFAULTS.roleName;
    const memorySize = props.memorySize ?? HANDLER_FUNCTION_DEFAULTS.memorySize;
    const timeout = props.timeout ?? HANDLER_FUNCTION_DEFAULTS.timeout;
    const logRetentionDays = props.logRetentionDays ?? HANDLER_FUNCTION_DEFAULTS.logRetentionDays;
    const logLevel = props.logLevel ?? HANDLER_FUNCTION_DEFAULTS.logLevel;
    const packaging = props.packaging ?? HANDLER_FUNCTION_DEFAULTS.packaging;
    const tracing = props.tracing ?? HANDLER_FUNCTION_DEFAULTS.tracing;

    // Created by Terraform rather than by Lambda on first write, so it has a
    // retention and is destroyed with the stack.
    this.logGroup = new CloudwatchLogGroup(this, 'log_group', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: logRetentionDays,
    });
    this.logGroup.overrideLogicalId('function_logs');

    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        { effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] },
      ],
    });
    trust.overrideLogicalId('assume_role');

    this.role = new IamRole(this, 'role', {
      name: roleName,
      description: `Execution role of the Lambda function ${functionName}`,
      assumeRolePolicy: trust.json,
    });
    this.role.overrideLogicalId('role');

    // The tutorial's permissions, each scoped to the one resource it is for. Written
    // with jsonencode rather than an aws_iam_policy_document data source: Terraform
    // defers reading a data source whose dependencies have changes pending, so a
    // retention or deletion-protection change would show this whole policy as
    // "known after apply"; the ARNs themselves stay known through such an update.
    const statements = [
      {
        Sid: 'ReadWriteTable',
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        Resource: [props.tableArn],
      },
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${this.logGroup.arn}:*`] },
      ...(tracing ? [{ Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] }] : []),
    ];

    const policy = new IamRolePolicy(this, 'role_policy', {
      name: `${roleName}-policy`,
      role: this.role.id,
      policy: Fn.jsonencode({ Version: '2012-10-17', Statement: statements }),
    });
    policy.overrideLogicalId('role_policy');

    const code = new HandlerPackage(this, 'package', { packaging });

    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: 'Runs the DynamoDB operations of POST /DynamoDBManager',
      role: this.role.arn,
      runtime: 'nodejs22.x',
      handler: HANDLER_NAME,
      filename: code.filename,
      sourceCodeHash: code.sourceCodeHash,
      memorySize,
      timeout,
      environment: { variables: { TABLE_NAME: props.tableName } },
      loggingConfig: {
        logFormat: 'JSON',
        logGroup: this.logGroup.name,
        applicationLogLevel: logLevel,
        systemLogLevel: SYSTEM_LOG_LEVEL[logLevel],
      },
      tracingConfig: { mode: tracing ? 'Active' : 'PassThrough' },
      // The policy must exist before the first invocation can write a log line.
      dependsOn: [this.logGroup, policy],
    });
    this.function.overrideLogicalId('function');
  }
}
