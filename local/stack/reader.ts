/**
 * What the local server serves, read from the synthesized stack (cdktf.out), never
 * from a description kept by hand: the REST API's routes with their integrations
 * and responses, the Lambda functions with their code and environment, the
 * DynamoDB tables. A feature the server cannot reproduce faithfully is refused with
 * one error that lists every such feature; one that cannot change what a client
 * sees (IAM, logs) is skipped.
 *
 * This file checks the resource types and runs the readers of each service
 * (./read-lambda, ./read-dynamodb, ./read-apigateway); ./model is what they make.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalError } from '../shared/local-error';
import { computedAttributes } from './computed-attributes';
import type { StackModel } from './model';
import { ApiGatewayReader } from './read-apigateway';
import { attempt, isEmpty, type ReadContext } from './read-context';
import { DynamoDBReader } from './read-dynamodb';
import { LambdaReader } from './read-lambda';
import { type Declared, ResolvedDocument, type TerraformDocument } from './resolved-document';
import { isServed, KNOWN_ATTRIBUTES, REFUSED_TYPES, SILENT_TYPES } from './resource-types';

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
  const region = providerRegion(document);
  const context: ReadContext = {
    document: new ResolvedDocument(document, computedAttributes(region, options.baseUrl)),
    stackDir,
    region,
    problems: [],
    notices: [],
  };
  return read(context, document['//']?.metadata?.stackName ?? path.basename(stackDir));
}

function read(context: ReadContext, stackName: string): StackModel {
  const { document, problems } = context;
  checkTypes(context);
  const lambda = new LambdaReader(context);
  const dynamodb = new DynamoDBReader(context);
  const functions = document.all('aws_lambda_function').flatMap((resource) => attempt(context, () => lambda.read(resource)));
  const tables = document.all('aws_dynamodb_table').flatMap((resource) => attempt(context, () => dynamodb.read(resource)));
  const apis = document.all('aws_api_gateway_rest_api');
  if (apis.length > 1) {
    problems.push(`the stack declares ${apis.length} REST APIs (${apis.map((api) => api.address).join(', ')}); the local server serves one on its port.`);
  }
  const api = apis.length === 1 ? attempt(context, () => new ApiGatewayReader(context).read(apis[0], functions))[0] : undefined;
  if (problems.length > 0) {
    throw new LocalError(
      `The stack ${stackName} (${path.join(context.stackDir, 'cdk.tf.json')}) uses what the local server cannot serve faithfully:\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nChange the stack, or serve it with AWS itself (`npm run deploy`).',
    );
  }
  return { stackName, stackDir: context.stackDir, region: context.region, functions, tables, api, notices: context.notices };
}

function checkTypes(context: ReadContext): void {
  const notEmulated: string[] = [];
  for (const resource of context.document.allResources()) {
    if (isServed(resource.type)) {
      checkAttributes(context, resource, KNOWN_ATTRIBUTES[resource.type]);
    } else if (Object.hasOwn(REFUSED_TYPES, resource.type)) {
      context.problems.push(`${resource.address}: ${REFUSED_TYPES[resource.type]}.`);
    } else if (!SILENT_TYPES.has(resource.type)) {
      notEmulated.push(resource.address);
    }
  }
  if (notEmulated.length > 0) context.notices.push(`Not emulated locally: ${notEmulated.join(', ')}.`);
}

function checkAttributes(context: ReadContext, resource: Declared, known: readonly string[]): void {
  for (const key of context.document.configKeys(resource)) {
    if (!known.includes(key) && !isEmpty(resource.config[key])) {
      context.problems.push(`${resource.address}.${key} is set; the local server does not implement ${key} for ${resource.type}.`);
    }
  }
}

function providerRegion(document: TerraformDocument): string {
  const providers = document.provider?.aws;
  const list = Array.isArray(providers) ? providers : providers ? [providers] : [];
  const region = list.find((provider) => provider.alias === undefined)?.region;
  return typeof region === 'string' && !region.includes('${') ? region : 'us-east-1';
}
