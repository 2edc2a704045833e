/**
 * A throwaway DynamoDB for the handler's tests and scripts/bench-handler.ts:
 * dynalite in memory on a free loopback port, with the tutorial's table (`id`, a
 * string, as the partition key), and the environment that points the handler at it.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

// dynalite ships no type declarations; this is the part the tests use.
type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
const dynalite = require('dynalite') as DynaliteFactory;

export const TABLE_NAME = 'lambda-apigateway';

// The SDK warns once per load that Node 20 support ends in 2027; the function runs
// on nodejs22.x, and the tests load the SDK many times over.
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
Object.assign(process.env, QUIET_SDK);

const FAKE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'us-east-1';

export interface LocalDynamo {
  readonly endpoint: string;
  /** A low-level client for setting up and inspecting the table behind the handler's back. */
  readonly client: DynamoDBClient;
  /** Every item, in DynamoDB's own JSON, sorted by id: compare two to see whether anything changed. */
  snapshot(): Promise<Record<string, AttributeValue>[]>;
  /** Deletes every item. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  await createTutorialTable(client);

  const snapshot = async () => {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => (a.id.S ?? '').localeCompare(b.id.S ?? ''));
  };

  return {
    endpoint,
    client,
    snapshot,
    async clear() {
      for (const item of await snapshot()) {
        await client.send(new DeleteItemCommand({ TableName: TABLE_NAME, Key: { id: item.id } }));
      }
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function createTutorialTable(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    })
  );
}

/** The environment the handler needs to use this dynalite: set it before loading the handler. */
export function handlerEnvironment(endpoint: string): Record<string, string> {
  return {
    TABLE_NAME,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    ...QUIET_SDK,
  };
}
