/** The handler as its tests load it: pointed at a throwaway dynalite (scripts/support/dynalite), with a way to fail its next call. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handlerEnvironment, type LocalDynamo } from '../../scripts/support/dynalite';

/**
 * Points the handler at `dynamo` and loads it. The environment must be set
 * first: the handler reads TABLE_NAME and creates its SDK client when it loads.
 */
export async function loadHandler(dynamo: LocalDynamo): Promise<typeof import('../../function/index')> {
  Object.assign(process.env, handlerEnvironment(dynamo.endpoint));
  return import('../../function/index');
}

/**
 * Makes the handler's next DynamoDB call fail with `error`, for what dynalite cannot
 * do (throttle, lose the network). Undo with jest.restoreAllMocks().
 */
export function failNextDocumentClientCall(error: unknown): void {
  // Seen through this type, send's many overloads become one that can be mocked.
  const prototype = DynamoDBDocumentClient.prototype as unknown as { send(...args: unknown[]): Promise<unknown> };
  jest.spyOn(prototype, 'send').mockRejectedValueOnce(error);
}
