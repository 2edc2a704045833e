import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { StackConfig } from './config';
import { HandlerFunction } from './handler-function';
import { ItemsTable } from './items-table';
import { RestApi } from './rest-api';
const PROJECT_TAG = 'lambda-apigateway-cdktf';

/**
 * Everything the tutorial builds by hand: table, role, log group, function, REST
 * API with its stage and invoke permissions, plus outputs with fixed names.
 */
export class LambdaApiGatewayStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);

    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { Project: PROJECT_TAG, Stack: id, ManagedBy: 'cdktf' } }],
    });
    // The provider's full source: the generated class writes the bare "aws", which
    // Terraform reads as hashicorp/aws too, but a Terraform user would not write.
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');

    if (config.stateBucket) {
      new S3Backend(this, {
        bucket: config.stateBucket,
        key: config.stateKey,
        region: config.stateRegion ?? config.region,
        encrypt: true,
        dynamodbTable: config.stateLockTable,
      });
      // S3-native locking (Terraform 1.10+), which cdktf 0.21's S3Backend predates.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      // cdktf's default local backend records the synthesizing machine's absolute
      // path. This one is relative to the stack's directory and lands in the
      // project root, where cdktf keeps state by default, outside `cdktf.out`.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }

    const table = new ItemsTable(this, 'items', {
      tableName: config.tableName,
      deletionProtection: config.tableDeletionProtection,
    });

    const handler = new HandlerFunction(this, 'handler', {
      tableArn: table.table.arn,
      tableName: table.table.name,
      functionName: config.functionName,
      roleName: config.roleName,
      memorySize: config.functionMemoryMb,
      timeout: config.functionTimeoutSeconds,
      logRetentionDays: config.logRetentionDays,
      logLevel: config.logLevel,
      packaging: config.handlerPackaging,
      tracing: config.tracing,
    });

    const api = new RestApi(this, 'rest_api', {
      handler: handler.function,
      apiName: config.apiName,
      stageName: config.stageName,
      authorization: config.apiAuthorization,
      throttleRateLimit: config.apiThrottleRateLimit,
      throttleBurstLimit: config.apiThrottleBurstLimit,
      requestValidation: config.apiRequestValidation,
      tracing: config.tracing,
      accessLogRetentionDays: config.apiAccessLogs ? config.logRetentionDays : undefined,
      corsAllowOrigins: config.apiCorsOrigins,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      invoke_url: { value: api.invokeUrl, description: 'URL of POST /DynamoDBManager, for curl' },
      rest_api_id: { value: api.api.id, description: 'REST API id' },
      resource_id: { value: api.resource.id, description: 'Resource id, for aws apigateway test-invoke-method' },
      stage_name: { value: api.stage.stageName, description: 'Stage name' },
      function_name: { value: handler.function.functionName, description: 'Lambda function name' },
      function_arn: { value: handler.function.arn, description: 'Lambda function ARN' },
      table_name: { value: table.table.name, description: 'DynamoDB table name' },
      table_arn: { value: table.table.arn, description: 'DynamoDB table ARN' },
      role_arn: { value: handler.role.arn, description: "ARN of the function's execution role" },
      log_group_name: { value: handler.logGroup.name, description: "The function's CloudWatch log group" },
    };
    for (const [name, output] of Object.entries(outputs)) {
      new TerraformOutput(this, name, output);
    }
    if (api.apiKeyValue) {
      new TerraformOutput(this, 'api_key', {
        value: api.apiKeyValue,
        description: 'API key for the x-api-key header: terraform output -raw api_key',
        sensitive: true,
      });
    }
  }
}
