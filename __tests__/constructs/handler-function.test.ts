/** HandlerFunction alone (cdktf's Testing.synthScope, through helpers/synth): its defaults, its props' edge cases, the props it refuses. */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { HANDLER_FUNCTION_DEFAULTS, HandlerFunction, type HandlerFunctionProps } from '../../constructs/handler-function';
import { PropsError } from '../../constructs/props';
import { synthScope } from '../helpers/synth';

const TABLE = { tableArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/items', tableName: 'items' };

const synthFunction = (props: Partial<HandlerFunctionProps> = {}) => synthScope((scope: Construct) => new HandlerFunction(scope, 'handler', { ...TABLE, ...props }));

/** The role policy: an HCL jsonencode({...}) expression, so that its ARNs stay known at plan. */
const policy = (json: string) => JSON.parse(json).resource.aws_iam_role_policy.role_policy.policy as string;
const statementIds = (json: string) => [...policy(json).matchAll(/"Sid" = "(\w+)"/g)].map(([, sid]) => sid);
const LOG_GROUP = '${aws_cloudwatch_log_group.function_logs.name}';

describe('HandlerFunction', () => {
  it("is the tutorial's function when given only its table: name, role, 256 MB, 10 s, Node.js 22, JSON logs at INFO kept 14 days, no tracing", () => {
    const json = synthFunction();
    expect(HANDLER_FUNCTION_DEFAULTS).toMatchObject({ functionName: 'LambdaFunctionOverHttps', roleName: 'lambda-apigateway-role', memorySize: 256, timeout: 10 });
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'LambdaFunctionOverHttps',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      memory_size: 256,
      timeout: 10,
      environment: { variables: { TABLE_NAME: 'items' } },
      logging_config: { log_format: 'JSON', log_group: LOG_GROUP, application_log_level: 'INFO', system_log_level: 'INFO' },
      tracing_config: { mode: 'PassThrough' },
    });
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'lambda-apigateway-role' });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/LambdaFunctionOverHttps', retention_in_days: 14 });
    expect(statementIds(json)).toEqual(['ReadWriteTable', 'WriteLogs']);
  });

  it('gives its role the given table only', () => {
    const text = policy(synthFunction());
    expect(text).toContain(`"Sid" = "ReadWriteTable"`);
    expect([...text.matchAll(/arn:aws:dynamodb:[^"]*/g)].map(([arn]) => arn)).toEqual([TABLE.tableArn]);
  });

  it.each([
    ['TRACE', 'DEBUG'],
    ['DEBUG', 'DEBUG'],
    ['WARN', 'WARN'],
    ['ERROR', 'WARN'],
    ['FATAL', 'WARN'],
  ] as const)('at log level %s, sets the nearest system log level, %s', (logLevel, systemLogLevel) => {
    expect(synthFunction({ logLevel })).toHaveResourceWithProperties(LambdaFunction, {
      logging_config: { log_format: 'JSON', log_group: LOG_GROUP, application_log_level: logLevel, system_log_level: systemLogLevel },
    });
  });

  it("with tracing, traces actively and adds X-Ray's one statement on *", () => {
    const json = synthFunction({ tracing: true });
    expect(json).toHaveResourceWithProperties(LambdaFunction, { tracing_config: { mode: 'Active' } });
    expect(statementIds(json)).toEqual(['ReadWriteTable', 'WriteLogs', 'WriteTraces']);
    expect(policy(json)).toContain('{"Sid" = "WriteTraces", "Effect" = "Allow", "Action" = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource" = ["*"]}');
  });

  it('accepts the limits themselves: 128 and 10240 MB, 1 and 28 s', () => {
    expect(synthFunction({ memorySize: 128, timeout: 1 })).toHaveResourceWithProperties(LambdaFunction, { memory_size: 128, timeout: 1 });
    expect(synthFunction({ memorySize: 10240, timeout: 28 })).toHaveResourceWithProperties(LambdaFunction, { memory_size: 10240, timeout: 28 });
  });

  it('takes a timeout known only at plan (a token) as it is', () => {
    const json = synthScope((scope) => {
      const timeout = new TerraformVariable(scope, 'timeout', { type: 'number' });
      new HandlerFunction(scope, 'handler', { ...TABLE, timeout: timeout.numberValue });
    });
    expect(json).toHaveResourceWithProperties(LambdaFunction, { timeout: '${var.timeout}' });
  });

  it.each<[Partial<HandlerFunctionProps>, string]>([
    [{ timeout: 29 }, 'timeout=29 is not valid: expected a whole number of seconds from 1 to 28 (API Gateway stops waiting at 29). Leave it out for the default (10).'],
    [{ timeout: 0 }, 'timeout=0 is not valid: expected a whole number of seconds from 1 to 28'],
    [{ memorySize: 127 }, 'memorySize=127 is not valid: expected a whole number of MB from 128 to 10240. Leave it out for the default (256).'],
    [{ memorySize: 256.5 }, 'memorySize=256.5 is not valid'],
    [{ functionName: 'a/b' }, 'functionName="a/b" is not valid: expected 1 to 64 characters from A-Z a-z 0-9 _ -. Leave it out for the default (LambdaFunctionOverHttps).'],
    [{ roleName: 'role name' }, 'roleName="role name" is not valid: expected 1 to 64 characters from A-Z a-z 0-9 + = , . @ _ -.'],
    [{ logRetentionDays: 10 }, "logRetentionDays=10 is not valid: expected one of CloudWatch Logs' periods: 1, 3, 5, 7, 14,"],
    [{ logLevel: 'warn' as HandlerFunctionProps['logLevel'] }, 'logLevel="warn" is not valid: expected TRACE, DEBUG, INFO, WARN, ERROR or FATAL. Leave it out for the default (INFO).'],
    [{ tableName: 'ab' }, 'tableName="ab" is not valid: expected 3 to 255 characters'],
  ])('refuses %j, naming the construct, the prop, the value and what is allowed', (props, message) => {
    expect(() => synthFunction(props)).toThrow(PropsError);
    expect(() => synthFunction(props)).toThrow(`HandlerFunction stack/handler: ${message}`);
  });
});
