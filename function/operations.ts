/**
 * One function per table operation: sends the command and answers in the shape
 * the tutorial's SDK v2 DocumentClient gave (`{}` for a put, `{Item}` for a get,
 * `{Items, Count, ScannedCount, LastEvaluatedKey?}` for a scan), i.e. without
 * SDK v3's `$metadata`. DynamoDB's exceptions are classified here, where they arise.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  type GetCommandOutput,
  PutCommand,
  type PutCommandInput,
  type PutCommandOutput,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
  type TranslateConfig,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { toHandlerError } from './errors';

/**
 * How JavaScript values map to DynamoDB's. Exported so the benchmark's direct
 * calls convert exactly as the handler does.
 */
export const TRANSLATE_CONFIG: TranslateConfig = {
  marshallOptions: {
    // Events arrive as JSON, where an undefined value cannot exist; a direct
    // invocation that has one gets what the same event would get through
    // API Gateway (the key dropped), instead of a marshalling error.
    removeUndefinedValues: true,
    // A JSON number has been a double since the runtime parsed the event, so its
    // precision is already what it is; refusing the large ones would only turn
    // values the v2 DocumentClient stored into errors. DynamoDB itself still
    // refuses magnitudes it cannot hold (ValidationException, a 400).
    allowImpreciseNumbers: true,
    // Empty strings are stored as they are (DynamoDB accepts them outside keys);
    // turning them into NULL would change the caller's data.
    convertEmptyValues: false,
  },
  unmarshallOptions: {
    // Numbers come back as JavaScript numbers, as the v2 DocumentClient gave them.
    // The default would return a BigInt for integers beyond 2^53, which the
    // runtime cannot serialise into the response.
    wrapNumbers: Number,
  },
};

// Created once per execution environment and reused by every invocation (and its
// kept-alive connections). Region, credentials and endpoint come from the standard
// environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, ...), so the same bundle
// talks to DynamoDB in Lambda and to a local DynamoDB elsewhere.
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), TRANSLATE_CONFIG);

type Answer<Output> = Omit<Output, '$metadata'>;

export async function create(input: PutCommandInput): Promise<Answer<PutCommandOutput>> {
  return withoutMetadata(await documentClient.send(new PutCommand(input)).catch(classify));
}

export async function read(input: GetCommandInput): Promise<Answer<GetCommandOutput>> {
  return withoutMetadata(await documentClient.send(new GetCommand(input)).catch(classify));
}

export async function update(input: UpdateCommandInput): Promise<Answer<UpdateCommandOutput>> {
  return withoutMetadata(await documentClient.send(new UpdateCommand(input)).catch(classify));
}

// `delete` is a reserved word, hence the name.
export async function remove(input: DeleteCommandInput): Promise<Answer<DeleteCommandOutput>> {
  return withoutMetadata(await documentClient.send(new DeleteCommand(input)).catch(classify));
}

export async function list(input: ScanCommandInput): Promise<Answer<ScanCommandOutput>> {
  return withoutMetadata(await documentClient.send(new ScanCommand(input)).catch(classify));
}

function classify(error: unknown): never {
  throw toHandlerError(error);
}

function withoutMetadata<Output extends { $metadata: unknown }>(output: Output): Answer<Output> {
  const { $metadata, ...result } = output;
  return result;
}
