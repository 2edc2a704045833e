/**
 * The stack's tables in the embedded DynamoDB: created when missing, left as they
 * are when they exist with the stack's keys, and never dropped or altered. Used by
 * the worker at its start (./worker) and by the front when a reloaded stack declares
 * tables (./worker-host), each with its own way of calling DynamoDB.
 */
import type { TableModel } from '../stack/model';

/** One DynamoDB API call: whether it succeeded, and the answer's body. */
export type DynamoDBCall = (operation: string, input: object) => Promise<{ ok: boolean; body: Record<string, unknown> }>;

export type TableState =
  | { readonly kind: 'missing' | 'exists' }
  /** The table exists with other keys than the stack declares. */
  | { readonly kind: 'other-keys'; readonly stored: string; readonly declared: string };

export type TableOutcome = { readonly kind: 'created' } | Exclude<TableState, { kind: 'missing' }>;

/** Creates `table` unless it exists; a table that exists with other keys is left alone and reported. */
export async function ensureTable(table: TableModel, call: DynamoDBCall): Promise<TableOutcome> {
  const state = await tableState(table, call);
  if (state.kind !== 'missing') return state;
  await createTable(table, call);
  return { kind: 'created' };
}

/** Whether `table` exists in the embedded DynamoDB, and with the keys the stack declares. */
export async function tableState(table: TableModel, call: DynamoDBCall): Promise<TableState> {
  const described = await call('DescribeTable', { TableName: table.name });
  if (!described.ok) return { kind: 'missing' };
  const keySchema = (described.body.Table as { KeySchema: { AttributeName: string; KeyType: string }[] }).KeySchema;
  const stored = keySchema.map((key) => `${key.KeyType === 'HASH' ? 'hash' : 'range'} key ${key.AttributeName}`).join(', ');
  const declared = [`hash key ${table.hashKey.name}`, ...(table.rangeKey ? [`range key ${table.rangeKey.name}`] : [])].join(', ');
  return stored === declared ? { kind: 'exists' } : { kind: 'other-keys', stored, declared };
}

export async function createTable(table: TableModel, call: DynamoDBCall): Promise<void> {
  const index = (i: TableModel['globalSecondaryIndexes'][number]) => ({
    IndexName: i.name,
    KeySchema: [{ AttributeName: i.hashKey, KeyType: 'HASH' }, ...(i.rangeKey ? [{ AttributeName: i.rangeKey, KeyType: 'RANGE' }] : [])],
    Projection: { ProjectionType: i.projectionType, ...(i.nonKeyAttributes.length > 0 ? { NonKeyAttributes: i.nonKeyAttributes } : {}) },
  });
  const created = await call('CreateTable', {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: table.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: table.hashKey.name, KeyType: 'HASH' },
      ...(table.rangeKey ? [{ AttributeName: table.rangeKey.name, KeyType: 'RANGE' }] : []),
    ],
    ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(index) } : {}),
    ...(table.localSecondaryIndexes.length > 0 ? { LocalSecondaryIndexes: table.localSecondaryIndexes.map(index) } : {}),
  });
  if (!created.ok) throw new Error(`The embedded DynamoDB refused to create ${table.address} (${table.name}): ${JSON.stringify(created.body)}.`);
}
