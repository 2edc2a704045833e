/**
 * The console's view of a table: one page of a Scan of the embedded DynamoDB, over
 * its own HTTP endpoint like any client (read-only, at most MAX_LIMIT items a
 * page), with the items in plain JSON, as the tutorial's DocumentClient shows them.
 */
import { ownRequestHeaders } from '../shared/dynamodb-request';

/** Items per page by default, and at most. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

export interface ItemsPage {
  readonly status: number;
  readonly body: { readonly items: unknown[]; readonly count: number; readonly next: string | undefined } | { readonly message: string };
}

/** DynamoDB's attribute values, as its JSON protocol writes them. */
type AttributeValue = Readonly<Record<string, unknown>>;

/**
 * A page of `table`'s items. `start` is the `next` of the page before (the
 * LastEvaluatedKey, base64url JSON); undefined for the first.
 */
export async function scanPage(endpoint: string, table: string, limitText: string | null, start: string | null): Promise<ItemsPage> {
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return { status: 400, body: { message: `limit=${JSON.stringify(limitText)}: give a whole number from 1 to ${MAX_LIMIT}.` } };
  }
  let exclusiveStartKey: unknown;
  if (start !== null && start !== '') {
    try {
      exclusiveStartKey = JSON.parse(Buffer.from(start, 'base64url').toString('utf8'));
    } catch {
      return { status: 400, body: { message: `start=${JSON.stringify(start)} is not a page token this console gave; leave it out for the first page.` } };
    }
  }
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: ownRequestHeaders('Scan'),
    body: JSON.stringify({ TableName: table, Limit: limit, ...(exclusiveStartKey !== undefined && { ExclusiveStartKey: exclusiveStartKey }) }),
  });
  const result = (await response.json()) as { Items?: Record<string, AttributeValue>[]; LastEvaluatedKey?: unknown; message?: string };
  if (!response.ok) return { status: 502, body: { message: `DynamoDB answered ${response.status}: ${result.message ?? JSON.stringify(result)}` } };
  const items = (result.Items ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plain(value)])));
  const next = result.LastEvaluatedKey === undefined ? undefined : Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url');
  return { status: 200, body: { items, count: items.length, next } };
}

/** An attribute value as plain JSON: numbers as numbers, sets as arrays, binary as base64. */
function plain(value: AttributeValue): unknown {
  const [type, inner] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
    case 'B':
      return inner;
    case 'N':
      return Number(inner);
    case 'BOOL':
      return inner;
    case 'NULL':
      return null;
    case 'SS':
    case 'BS':
      return inner;
    case 'NS':
      return (inner as string[]).map(Number);
    case 'L':
      return (inner as AttributeValue[]).map(plain);
    case 'M':
      return Object.fromEntries(Object.entries(inner as Record<string, AttributeValue>).map(([name, v]) => [name, plain(v)]));
    default:
      return value;
  }
}
