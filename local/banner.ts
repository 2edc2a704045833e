/**
 * What the server prints once it is ready: where each part of the stack answers,
 * and the tutorial's own requests rewritten for this machine.
 */
import * as path from 'node:path';
import type { ServerSettings } from './settings';
import type { StackModel } from './stack-model';

export interface BannerInput {
  readonly model: StackModel;
  readonly settings: ServerSettings;
  readonly baseUrl: string;
  readonly dynamodbEndpoint: string;
  readonly createdTables: readonly string[];
  /** Functions whose init failed, with the error; they answer every invocation with it. */
  readonly initErrors: readonly string[];
}

/** The tutorial's resource; its requests are printed when the stack serves it. */
const TUTORIAL_RESOURCE = '/DynamoDBManager';
const ECHO_EVENT = '{"operation":"echo","payload":{"somekey1":"somevalue1","somekey2":"somevalue2"}}';

export function banner({ model, settings, baseUrl, dynamodbEndpoint, createdTables, initErrors }: BannerInput): string {
  const lines: string[] = [];
  const stackFile = path.relative(process.cwd(), path.join(model.stackDir, 'cdk.tf.json')) || model.stackDir;
  lines.push(`Serving the stack ${model.stackName} (${stackFile}), region ${model.region}`, '');
  if (!isLoopback(settings.host)) {
    lines.push(`HOST=${settings.host}: the server and its DynamoDB are reachable from other machines, with no authentication.`, '');
  }

  if (model.api) {
    lines.push(`REST API ${model.api.name}:`);
    for (const stage of model.api.stages) {
      for (const route of model.api.routes) {
        lines.push(`  ${route.httpMethod.padEnd(6)} ${baseUrl}/${stage.name}${route.resourcePath === '/' ? '' : route.resourcePath}  -> ${route.integration.functionName} (${route.integration.type})`);
      }
    }
    if (model.api.routes.length === 0) lines.push('  (no methods)');
    lines.push('');
  }
  lines.push(`Lambda invoke API: ${baseUrl}/2015-03-31/functions/<name>/invocations`);
  for (const fn of model.functions) {
    lines.push(`  ${fn.name} (${fn.runtime}, ${fn.handler}, timeout ${fn.timeoutSeconds} s)`);
  }
  const tables = model.tables.map((table) => `${table.name}${createdTables.includes(table.name) ? ' (created)' : ''}`).join(', ') || 'none';
  const storage = settings.dataDir ? `data in ${settings.dataDir}` : 'in memory only (--in-memory): nothing is kept';
  lines.push('', `DynamoDB: ${dynamodbEndpoint}, ${storage}`, `  tables: ${tables}`);

  const tutorial = model.api?.routes.find((route) => route.resourcePath === TUTORIAL_RESOURCE && (route.httpMethod === 'POST' || route.httpMethod === 'ANY'));
  const stage = model.api?.stages.find((s) => tutorial?.permittedStages.has(s.name)) ?? model.api?.stages[0];
  if (tutorial && stage) {
    const url = `${baseUrl}/${stage.name}${TUTORIAL_RESOURCE}`;
    const table = model.tables[0]?.name ?? 'lambda-apigateway';
    const fnName = tutorial.integration.functionName;
    const create = `{"operation":"create","tableName":"${table}","payload":{"Item":{"id":"1","name":"Bob"}}}`;
    const read = `{"operation":"read","tableName":"${table}","payload":{"Key":{"id":"1"}}}`;
    lines.push(
      '',
      "The tutorial's requests, for this server:",
      `  curl -X POST -d ${shellQuote(create)} ${url}`,
      `  curl -X POST -d ${shellQuote(read)} ${url}`,
      `  curl -X POST -d ${shellQuote(ECHO_EVENT)} ${url}`,
      `  echo ${shellQuote(ECHO_EVENT)} > input.txt`,
      `  aws lambda invoke --endpoint-url ${baseUrl} --function-name ${fnName} --payload fileb://input.txt outputfile.txt`,
      `  aws dynamodb scan --table-name ${table} --endpoint-url ${dynamodbEndpoint}`,
      `  (no AWS credentials configured? put AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${model.region} before aws)`,
    );
  }

  const notes = [...initErrors, ...model.notices];
  if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((note) => `  - ${note}`));
  lines.push('', `Ready on ${baseUrl}. One line per request follows; Ctrl-C stops the server.`);
  return `${lines.join('\n')}\n`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The tutorial's quoting: double quotes with escaped inner quotes, which works in sh, bash, zsh and cmd alike. */
function shellQuote(json: string): string {
  return `"${json.replace(/["\\]/g, '\\$&')}"`;
}
