/**
 * What the server prints once it is ready: where each part of the stack answers,
 * and the tutorial's own requests rewritten for this machine.
 */
import * as path from 'node:path';
import type { LocalApiKey } from './apigateway/api-keys';
import type { SourceMapLink } from './lambda/code';
import type { FunctionNode } from './lambda/function-node';
import { MANAGEMENT_API_PREFIX } from './apigateway/management-api';
import { invokeApiAccess } from './lambda/invoke-api';
import { DEFAULT_CONCURRENCY } from './lambda/runtime';
import { DEFAULT_INSPECT_PORT, type ServerSettings } from './settings';
import { isLoopback } from './shared/host';
import { LOCAL_CREDENTIALS } from './shared/local-account';
import { LAMBDA_SIGNING_SERVICE, SIGV4_SERVICE } from './shared/sigv4';
import { type RouteModel, type StackModel, type StageModel, TEST_INVOKE_STAGE } from './stack/model';

export interface BannerInput {
  readonly model: StackModel;
  readonly settings: ServerSettings;
  readonly baseUrl: string;
  readonly dynamodbEndpoint: string;
  readonly createdTables: readonly string[];
  /** Functions whose init failed, with the error; they answer every invocation with it. */
  readonly initErrors: readonly string[];
  /** The stack's API keys, with the values this server accepts. */
  readonly apiKeys: readonly LocalApiKey[];
  /** The Node.js that runs the functions of each runtime (nodejs22.x, ...). */
  readonly nodes: ReadonlyMap<string, FunctionNode>;
  /** Execution logs are printed for every REST API request (`--verbose`). */
  readonly verbose?: boolean;
  /** Watch mode: each save is served anew. */
  readonly watch?: boolean;
  /** Debug mode: where the inspector listens, and whether each function's code is linked to its source map. */
  readonly debug?: { readonly url: string; readonly sourceMaps: readonly { readonly name: string; readonly link: SourceMapLink | undefined }[] };
}

/** The tutorial's resource; its requests are printed when the stack serves it. */
const TUTORIAL_RESOURCE = '/DynamoDBManager';
const ECHO_EVENT = '{"operation":"echo","payload":{"somekey1":"somevalue1","somekey2":"somevalue2"}}';
/** The tutorial's events, one file per operation, shipped with the project. */
const EVENTS_DIR = path.join(__dirname, '..', 'events');
/** The tutorial's output file; git ignores it, so the tutorial's step leaves the checkout clean. */
const OUTPUT_FILE = 'outputfile.txt';

export function banner({ model, settings, baseUrl, dynamodbEndpoint, createdTables, initErrors, apiKeys, nodes, verbose = false, watch, debug }: BannerInput): string {
  const lines: string[] = [];
  const stackFile = path.relative(settings.userDir, path.join(model.stackDir, 'cdk.tf.json'));
  lines.push(`Serving the stack ${model.stackName} (${stackFile}), region ${model.region}`, '');
  if (!isLoopback(settings.host)) {
    lines.push(
      `HOST=${settings.host}: the server and its DynamoDB are reachable from other machines: the REST API as the stack authorizes it, ` +
        'the Lambda invoke API with SigV4 signatures only, DynamoDB with no authentication.',
      '',
    );
  }

  if (model.api) {
    lines.push(`REST API ${model.api.name} (id ${model.api.id}):`);
    for (const stage of model.api.stages) {
      for (const route of model.api.routes) {
        const access = [route.authorization === 'AWS_IAM' ? ', AWS_IAM' : '', route.apiKeyRequired ? ', API key required' : ''].join('');
        lines.push(`  ${route.httpMethod.padEnd(6)} ${baseUrl}/${stage.name}${route.resourcePath === '/' ? '' : route.resourcePath}  -> ${route.integration.type === 'MOCK' ? 'API Gateway' : route.integration.functionName} (${route.integration.type}${access})`);
      }
    }
    if (model.api.routes.length === 0) lines.push('  (no methods)');
    lines.push(`  TestInvokeMethod: ${baseUrl}${MANAGEMENT_API_PREFIX}${model.api.id}/resources/<resource id>/methods/<method>, in stage ${TEST_INVOKE_STAGE}`);
    for (const route of model.api.routes) lines.push(`    resource id ${route.resourceId}: ${route.httpMethod} ${route.resourcePath}`);
    if (verbose) lines.push("  --verbose: API Gateway's execution log of each request is printed before its access-log line");
    lines.push('');
    if (apiKeys.length > 0) lines.push('API keys (send one as the x-api-key header):', ...apiKeys.flatMap(describeKey), '');
    if (model.api.routes.some((route) => route.authorization === 'AWS_IAM')) {
      lines.push(
        `AWS_IAM methods take requests signed with SigV4 by access key ${LOCAL_CREDENTIALS.accessKeyId}, secret key ${LOCAL_CREDENTIALS.secretAccessKey}, ` +
          `region ${model.region}, service ${SIGV4_SERVICE}; IAM policies are not evaluated.`,
        '',
      );
    }
  }
  const invokeAccess = invokeApiAccess(model, settings.host);
  // The AWS CLI wants credentials and a region even for a local endpoint (and the invoke API may check them); CLI v1 reads AWS_DEFAULT_REGION only.
  const cliCredentials = `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_DEFAULT_REGION=${model.region}`;
  lines.push(`Lambda invoke API: ${baseUrl}/2015-03-31/functions/<name>/invocations`);
  if (invokeAccess.signatureRequired) {
    lines.push(
      `  SigV4-signed requests only (${invokeAccess.signatureRequired}): access key ${LOCAL_CREDENTIALS.accessKeyId}, secret key ${LOCAL_CREDENTIALS.secretAccessKey}, ` +
        `region ${model.region}, service ${LAMBDA_SIGNING_SERVICE}; the AWS CLI signs with them given ${cliCredentials}`,
    );
  }
  for (const fn of model.functions) {
    const node = nodes.get(fn.runtime);
    const concurrency = debug
      ? 'one environment at a time (debug mode)'
      : fn.reservedConcurrency === undefined
        ? `up to ${DEFAULT_CONCURRENCY} environments (the local default)`
        : `up to ${fn.reservedConcurrency} environments (reserved concurrency)`;
    lines.push(
      `  ${fn.name} (${fn.runtime}, ${fn.handler}, timeout ${fn.timeoutSeconds} s, ${fn.memoryMb} MB, ${concurrency})`,
      `    runs on Node.js ${node?.version ?? process.version}: ${node?.source ?? "this server's own Node.js"}`,
    );
  }
  lines.push(
    '',
    isLoopback(settings.host)
      ? `Console page: ${baseUrl}/  (the tutorial's console tests: events, REST API or function, logs, the table's items)`
      : `Console page: not served, since HOST=${settings.host} lets other machines reach this port (it acts with the local credentials)`,
  );
  const tables = model.tables.map((table) => `${table.name}${createdTables.includes(table.name) ? ' (created)' : ''}`).join(', ') || 'none';
  const storage = settings.dataDir ? `data in ${settings.dataDir}` : 'in memory only (--in-memory): nothing is kept';
  lines.push('', `DynamoDB: ${dynamodbEndpoint}, ${storage}`, `  tables: ${tables}`);

  const tutorial = model.api?.routes.find((route) => route.resourcePath === TUTORIAL_RESOURCE && (route.httpMethod === 'POST' || route.httpMethod === 'ANY'));
  const stage = model.api?.stages.find((s) => tutorial?.permittedMethods.get(s.name)?.has('POST')) ?? model.api?.stages[0];
  const fnName = tutorial && tutorial.integration.type !== 'MOCK' ? tutorial.integration.functionName : undefined;
  if (tutorial && stage && fnName) {
    const url = `${baseUrl}/${stage.name}${TUTORIAL_RESOURCE}`;
    const table = model.tables[0]?.name ?? 'lambda-apigateway';
    const curl = `curl -X POST${accessFlags(tutorial, stage, apiKeys, model.region)}`;
    const create = `{"operation":"create","tableName":"${table}","payload":{"Item":{"id":"1","name":"Bob"}}}`;
    const read = `{"operation":"read","tableName":"${table}","payload":{"Key":{"id":"1"}}}`;
    const aws = `${cliCredentials} aws`;
    const echoFile = path.relative(settings.userDir, path.join(EVENTS_DIR, 'echo.json'));
    lines.push(
      '',
      "The tutorial's requests, for this server:",
      `  ${curl} -d ${shellQuote(create)} ${url}`,
      `  ${curl} -d ${shellQuote(read)} ${url}`,
      `  ${curl} -d ${shellQuote(ECHO_EVENT)} ${url}`,
      `  ${aws} lambda invoke --endpoint-url ${baseUrl} --function-name ${fnName} --payload ${shellWord(`fileb://${echoFile}`)} ${OUTPUT_FILE} && cat ${OUTPUT_FILE}`,
      `  ${aws} apigateway test-invoke-method --endpoint-url ${baseUrl} --rest-api-id ${model.api!.id} --resource-id ${tutorial.resourceId} --http-method POST --body ${shellQuote('{"operation":"ping"}')}`,
      `  ${aws} dynamodb scan --table-name ${table} --endpoint-url ${dynamodbEndpoint}`,
    );
  }

  const notes = [...initErrors, ...[...nodes.values()].flatMap((node) => node.fallbackNotice ?? []), ...model.notices];
  if (settings.localApiKey !== undefined && !apiKeys.some((key) => key.origin === 'LOCAL_API_KEY')) {
    notes.push(`LOCAL_API_KEY is set but unused: ${apiKeys.length === 0 ? 'the stack declares no API key' : 'every API key of the stack has a value of its own'}.`);
  }
  if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((note) => `  - ${note}`));
  if (debug) lines.push('', ...debugLines(debug, nodes));
  if (watch) {
    lines.push(
      '',
      'Watching main.ts, constructs/ and function/ (and tsconfig.json, package.json, what they import): each save is type-checked, synthesized and served, on the same ports and data.',
    );
  }
  lines.push('', `Ready on ${baseUrl}. One line per request follows; Ctrl-C stops the server.`);
  return `${lines.join('\n')}\n`;
}

function debugLines(debug: NonNullable<BannerInput['debug']>, nodes: ReadonlyMap<string, FunctionNode>): string[] {
  // .vscode/launch.json attaches to the default port.
  const port = Number(new URL(debug.url).port);
  const lines = [
    `Debugger: attach to ${debug.url} (VS Code: "Attach to npm run start:debug" in .vscode/launch.json${
      port === DEFAULT_INSPECT_PORT ? '' : `, with its port set to ${port}`
    }; Chrome: chrome://inspect).`,
    '  One environment per function, invocations wait for it, and no timeout applies (function or integration).',
  ];
  if ([...nodes.values()].some((node) => node.binary !== undefined)) {
    lines.push('  Functions on another Node.js run in child processes, each with an inspector of its own: its "Debugger listening on" line follows when it starts.');
  }
  for (const { name, link } of debug.sourceMaps) {
    if (link?.linked) lines.push(`  ${name}: breakpoints in its TypeScript sources bind (source map ${path.basename(link.map)}).`);
    else if (link) lines.push(`  ${name}: no source map (${link.why}): breakpoints bind in its bundled JavaScript only.`);
  }
  return lines;
}

const KEY_ORIGINS: Readonly<Record<LocalApiKey['origin'], string>> = {
  stack: 'from the stack',
  LOCAL_API_KEY: 'from LOCAL_API_KEY',
  generated: 'generated at startup; LOCAL_API_KEY sets it',
};

function describeKey(key: LocalApiKey): string[] {
  const lines = [`  ${key.name}: ${key.value}  (${KEY_ORIGINS[key.origin]})${key.enabled ? '' : ', disabled: requests with it get 403'}`];
  if (key.plans.length === 0) lines.push('    in no usage plan of this API: requests with it get 403');
  for (const plan of key.plans) {
    const throttle = plan.throttle ? `${plan.throttle.rateLimit} requests/s, burst ${plan.throttle.burstLimit}, per key` : "the stage's throttling only";
    lines.push(`    usage plan ${plan.name}: stage${plan.stages.length > 1 ? 's' : ''} ${plan.stages.join(', ')}; ${throttle}`);
  }
  return lines;
}

/** What curl needs besides the tutorial's arguments to pass the method's authorization: a SigV4 signature, an API key. */
function accessFlags(route: RouteModel, stage: StageModel, apiKeys: readonly LocalApiKey[], region: string): string {
  let flags = '';
  if (route.authorization === 'AWS_IAM') {
    flags += ` --aws-sigv4 "aws:amz:${region}:${SIGV4_SERVICE}" --user ${LOCAL_CREDENTIALS.accessKeyId}:${LOCAL_CREDENTIALS.secretAccessKey}`;
  }
  const key = route.apiKeyRequired && apiKeys.find((k) => k.enabled && k.plans.some((plan) => plan.stages.includes(stage.name)));
  if (key) flags += ` -H ${shellQuote(`x-api-key: ${key.value}`)}`;
  return flags;
}

/** `word` as one shell word: as it is when it is plain, else in the tutorial's double quotes. */
function shellWord(word: string): string {
  return /^[\w./:@%+=-]+$/.test(word) ? word : shellQuote(word);
}

/** The tutorial's quoting: double quotes with escaped inner quotes, which works in sh, bash, zsh and cmd alike. */
function shellQuote(json: string): string {
  return `"${json.replace(/["\\]/g, '\\$&')}"`;
}
