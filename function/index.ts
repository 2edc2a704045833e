/**
 * The Lambda function of the tutorial "Using AWS Lambda with Amazon API Gateway":
 * `{ operation, tableName?, payload? }` in, the DocumentClient's answer out.
 *
 * A failure is thrown as an error whose message carries its class (see
 * ./error-contract), which the REST API's integration responses turn into a status.
 */
import { type HandlerError, toHandlerError } from './errors';
import {
  checkEventTable,
  type OperationName,
  parseCreate,
  parseDelete,
  parseEnvelope,
  parseList,
  parseRead,
  parseUpdate,
  usesTable,
} from './event';
import { logInvocation } from './log';
import { create, list, read, remove, update } from './operations';

/** The subset of Lambda's context object the handler reads. */
export interface InvocationContext {
  readonly awsRequestId: string;
}

export type OperationResult = string | object;

function requireTableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) {
    throw new Error(
      'TABLE_NAME is not set: the function needs the name of its DynamoDB table in the TABLE_NAME environment variable (the stack sets it; set it yourself when running the bundle elsewhere).'
    );
  }
  return name;
}

// Read once, at load: without a table the function can do nothing useful, and an
// init error says so on the first invocation instead of deep inside one.
const TABLE_NAME = requireTableName();

// Looked up only with a name parseEnvelope has checked against OPERATION_NAMES,
// so a plain record is safe here; the type makes it list every operation.
const OPERATIONS: Readonly<Record<OperationName, (payload: unknown) => Promise<OperationResult> | OperationResult>> = {
  create: (payload) => create(parseCreate(payload, TABLE_NAME)),
  read: (payload) => read(parseRead(payload, TABLE_NAME)),
  update: (payload) => update(parseUpdate(payload, TABLE_NAME)),
  delete: (payload) => remove(parseDelete(payload, TABLE_NAME)),
  list: (payload) => list(parseList(payload, TABLE_NAME)),
  // The tutorial's answers, verbatim.
  echo: () => 'Success',
  ping: () => 'pong',
};

export async function handler(event: unknown, context?: InvocationContext): Promise<OperationResult> {
  const started = performance.now();
  let operation: OperationName | undefined;
  let failure: HandlerError | undefined;
  try {
    const envelope = parseEnvelope(event);
    operation = envelope.operation;
    checkEventTable(envelope, TABLE_NAME);
    return await OPERATIONS[operation](envelope.payload);
  } catch (error) {
    failure = toHandlerError(error);
    throw failure;
  } finally {
    logInvocation({
      requestId: context?.awsRequestId,
      operation,
      table: operation !== undefined && usesTable(operation) ? TABLE_NAME : undefined,
      durationMs: performance.now() - started,
      failure,
    });
  }
}
