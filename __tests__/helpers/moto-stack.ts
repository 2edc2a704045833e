/**
 * The stack deployed to moto: what a synthesized stack directory needs to talk to
 * moto instead of AWS (a test-only `*_override.tf.json`, never the product), and
 * what moto holds afterwards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type Moto, motoCall } from './moto';

export const REGION = 'us-east-2';

/** Fake credentials moto accepts; nothing here can reach AWS with them. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** Every AWS service the stack's resources call. */
const SERVICES = ['apigateway', 'dynamodb', 'iam', 'lambda', 'logs', 'sts'];

/**
 * Attributes moto does not store or return; without this the provider would see
 * them "removed" on every refresh.
 */
const MOTO_GAPS = {
  // moto 5.2 ignores Lambda's LoggingConfig (CreateFunction accepts it, GetFunction
  // never returns it): every plan would re-add `logging_config`.
  aws_lambda_function: { function: { lifecycle: { ignore_changes: ['logging_config'] } } },
};

/**
 * Points the stack's AWS provider at moto, with fake credentials: moto answers
 * sts:GetCallerIdentity, so the provider learns an account id and builds real
 * ARNs. `statePath` moves the state (else the stack's own backend keeps it).
 */
export function writeMotoOverride(stackDir: string, moto: Pick<Moto, 'endpoint'>, statePath?: string): void {
  const override = {
    ...(statePath ? { terraform: { backend: { local: { path: statePath } } } } : {}),
    provider: {
      aws: {
        access_key: FAKE_CREDENTIALS.accessKeyId,
        secret_key: FAKE_CREDENTIALS.secretAccessKey,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        max_retries: 2,
        endpoints: [Object.fromEntries(SERVICES.map((service) => [service, moto.endpoint]))],
      },
    },
    resource: MOTO_GAPS,
  };
  // Read after any other override (lexical order), so its settings win.
  fs.writeFileSync(path.join(stackDir, 'zz_moto_override.tf.json'), JSON.stringify(override, null, 2));
}

export const dynamodb = (moto: Pick<Moto, 'endpoint'>) =>
  new DynamoDBClient({ endpoint: moto.endpoint, region: REGION, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });

/** What moto holds of the kinds of things the stack creates, by kind, as names. */
export async function motoInventory(moto: Pick<Moto, 'endpoint'>): Promise<Record<string, string[]>> {
  const ddb = dynamodb(moto);
  const tables = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
  ddb.destroy();
  const functions = (await motoCall(moto, 'lambda', { path: '/2015-03-31/functions/' })).json<{ Functions: { FunctionName: string }[] }>();
  const roles = (await motoCall(moto, 'iam', { form: { Action: 'ListRoles', Version: '2010-05-08' } }, 'us-east-1')).text;
  const logGroups = (await motoCall(moto, 'logs', { target: 'Logs_20140328.DescribeLogGroups', json: {} })).json<{
    logGroups: { logGroupName: string }[];
  }>();
  const restApis = (await motoCall(moto, 'apigateway', { path: '/restapis' })).json<{ item?: { name: string }[] }>();
  return {
    tables,
    functions: functions.Functions.map((f) => f.FunctionName),
    roles: [...roles.matchAll(/<RoleName>([^<]+)<\/RoleName>/g)].map((m) => m[1]),
    logGroups: logGroups.logGroups.map((g) => g.logGroupName),
    restApis: (restApis.item ?? []).map((api) => api.name),
  };
}

/** The function's log group's retention in moto, in days. */
export async function logRetentionDays(moto: Pick<Moto, 'endpoint'>, name = '/aws/lambda/LambdaFunctionOverHttps'): Promise<number | undefined> {
  const found = (await motoCall(moto, 'logs', { target: 'Logs_20140328.DescribeLogGroups', json: { logGroupNamePrefix: name } })).json<{
    logGroups: { logGroupName: string; retentionInDays?: number }[];
  }>();
  return found.logGroups.find((g) => g.logGroupName === name)?.retentionInDays;
}
