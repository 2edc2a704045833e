/**
 * Checks an event before anything touches DynamoDB, so a refused request writes
 * nothing, and turns each payload into the DocumentClient parameters of its command.
 *
 * The payload is the DocumentClient's own parameters, as in the tutorial, but only
 * the names on the operation's allow-list pass: a caller cannot reach DynamoDB
 * features this API does not offer (an index, a parallel scan, legacy parameters)
 * by adding a key.
 */
import type {
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  ScanCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError, clip, ForbiddenError, preview } from './errors';

export const OPERATION_NAMES = ['create', 'read', 'update', 'delete', 'list', 'echo', 'ping'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

type TableOperation = Exclude<OperationName, 'echo' | 'ping'>;

// A Set, not an object, so that names like `__proto__` or `toString` are simply unknown.
const KNOWN_OPERATIONS: ReadonlySet<string> = new Set(OPERATION_NAMES);

/** Whether the operation reads or writes the table (echo and ping do not). */
export function usesTable(operation: OperationName): operation is TableOperation {
  return Object.hasOwn(PARAMETERS, operation);
}

export interface Envelope {
  readonly operation: OperationName;
  readonly tableName: unknown;
  readonly payload: unknown;
}

/** Checks that the event is an object naming a known operation. */
export function parseEnvelope(event: unknown): Envelope {
  if (!isObject(event)) {
    throw new BadRequestError(`The event must be a JSON object such as {"operation":"ping"}; got ${preview(event)}.`);
  }
  const { operation, tableName, payload } = event;
  if (!isOperationName(operation)) throw unknownOperation(operation);
  return { operation, tableName, payload };
}

/**
 * Checks the event's `tableName`, if any. Separate from parseEnvelope so that a
 * request refused here is still logged with its operation.
 */
export function checkEventTable({ tableName }: Envelope, table: string): void {
  if (tableName !== undefined) checkTableName('tableName', tableName, table);
}

function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && KNOWN_OPERATIONS.has(value);
}

function unknownOperation(operation: unknown): BadRequestError {
  const fix = `Set "operation" to one of: ${OPERATION_NAMES.join(', ')}.`;
  if (operation === undefined) return new BadRequestError(`Unknown operation: none given. ${fix}`);
  if (typeof operation !== 'string') {
    return new BadRequestError(`Unknown operation: ${preview(operation)} is not a string. ${fix}`);
  }
  // A plain name reads best bare (as in the tutorial's message); anything odd is quoted.
  const name = /^[\w-]{1,40}$/.test(operation) ? operation : preview(operation);
  return new BadRequestError(`Unknown operation: ${name}. ${fix}`);
}

/** Naming the table is optional; naming another one is refused, whatever IAM would allow. */
function checkTableName(field: string, value: unknown, table: string): void {
  if (typeof value !== 'string') {
    throw new BadRequestError(`${field} must be the string "${table}" or be left out; got ${preview(value)}.`);
  }
  if (value !== table) {
    throw new ForbiddenError(
      `This API serves only the table "${table}", but ${field} names ${preview(
        value
      )}. Leave ${field} out or set it to "${table}".`
    );
  }
}

type Kind = 'string' | 'number' | 'boolean' | 'object';

const KIND_NAMES: Readonly<Record<Kind, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
};

/**
 * The parameters each operation accepts, with the JSON type each must have. Maps,
 * so an inherited name such as `constructor` is never mistaken for an allowed one.
 */
const PARAMETERS: Readonly<Record<TableOperation, ReadonlyMap<string, Kind>>> = {
  create: new Map<string, Kind>([
    ['TableName', 'string'],
    ['Item', 'object'],
    ['ConditionExpression', 'string'],
    ['ExpressionAttributeNames', 'object'],
    ['ExpressionAttributeValues', 'object'],
    ['ReturnValues', 'string'],
    ['ReturnConsumedCapacity', 'string'],
  ]),
  read: new Map<string, Kind>([
    ['TableName', 'string'],
    ['Key', 'object'],
    ['ProjectionExpression', 'string'],
    ['ExpressionAttributeNames', 'object'],
    ['ConsistentRead', 'boolean'],
    ['ReturnConsumedCapacity', 'string'],
  ]),
  update: new Map<string, Kind>([
    ['TableName', 'string'],
    ['Key', 'object'],
    ['UpdateExpression', 'string'],
    ['ConditionExpression', 'string'],
    ['ExpressionAttributeNames', 'object'],
    ['ExpressionAttributeValues', 'object'],
    ['ReturnValues', 'string'],
    ['ReturnConsumedCapacity', 'string'],
  ]),
  delete: new Map<string, Kind>([
    ['TableName', 'string'],
    ['Key', 'object'],
    ['ConditionExpression', 'string'],
    ['ExpressionAttributeNames', 'object'],
    ['ExpressionAttributeValues', 'object'],
    ['ReturnValues', 'string'],
    ['ReturnConsumedCapacity', 'string'],
  ]),
  list: new Map<string, Kind>([
    ['TableName', 'string'],
    ['Limit', 'number'],
    ['ExclusiveStartKey', 'object'],
    ['ProjectionExpression', 'string'],
    ['FilterExpression', 'string'],
    ['ExpressionAttributeNames', 'object'],
    ['ExpressionAttributeValues', 'object'],
    ['ConsistentRead', 'boolean'],
    ['Select', 'string'],
    ['ReturnConsumedCapacity', 'string'],
  ]),
};

export function parseCreate(payload: unknown, table: string): PutCommandInput {
  const params = checkParameters<PutCommandInput>('create', payload, table);
  const item = params.Item;
  if (item === undefined) {
    throw new BadRequestError(
      'payload.Item is missing: create needs the item to write, such as {"Item":{"id":"1","name":"Bob"}}.'
    );
  }
  if (typeof item.id !== 'string' || item.id === '') {
    throw new BadRequestError(`payload.Item.id must be a non-empty string, the table's key; got ${preview(item.id)}.`);
  }
  return params;
}

export function parseRead(payload: unknown, table: string): GetCommandInput {
  return requireKey(checkParameters<GetCommandInput>('read', payload, table), 'read');
}

export function parseUpdate(payload: unknown, table: string): UpdateCommandInput {
  return requireKey(checkParameters<UpdateCommandInput>('update', payload, table), 'update');
}

export function parseDelete(payload: unknown, table: string): DeleteCommandInput {
  return requireKey(checkParameters<DeleteCommandInput>('delete', payload, table), 'delete');
}

export function parseList(payload: unknown, table: string): ScanCommandInput {
  // The whole table is a sensible default for a scan, so `list` alone needs no payload.
  if (payload === undefined) return { TableName: table };
  return checkParameters<ScanCommandInput>('list', payload, table);
}

function requireKey<T extends { Key: unknown }>(params: T, operation: TableOperation): T {
  if (params.Key === undefined) {
    throw new BadRequestError(
      `payload.Key is missing: ${operation} needs the key of the item, such as {"Key":{"id":"1"}}.`
    );
  }
  return params;
}

/**
 * Checks the payload against the operation's allow-list and returns a copy with
 * the table set. The cast to `T` is what the checks establish: every key is one
 * of `T`'s parameters and holds the JSON type DynamoDB expects.
 */
function checkParameters<T>(operation: TableOperation, payload: unknown, table: string): T {
  if (!isObject(payload)) {
    throw new BadRequestError(
      `payload must be a JSON object of DynamoDB parameters for ${operation}; got ${preview(payload)}.`
    );
  }
  const allowed = PARAMETERS[operation];
  const unknown = Object.keys(payload).filter((name) => !allowed.has(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `payload has parameters that ${operation} does not accept: ${listNames(
        unknown
      )}. Remove them; ${operation} accepts ${[...allowed.keys()].join(', ')}.`
    );
  }
  for (const [name, kind] of allowed) {
    const value = payload[name];
    if (value !== undefined && !hasKind(value, kind)) {
      throw new BadRequestError(`payload.${name} must be ${KIND_NAMES[kind]}; got ${preview(value)}.`);
    }
  }
  if (payload.TableName !== undefined) checkTableName('payload.TableName', payload.TableName, table);
  for (const name of ATTRIBUTE_VALUES) {
    if (payload[name] !== undefined) checkAttributeValues(`payload.${name}`, payload[name]);
  }
  return { ...payload, TableName: table } as T;
}

/** The parameters whose values the DocumentClient converts into DynamoDB's attribute values. */
const ATTRIBUTE_VALUES = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** DynamoDB's limit on nesting: an attribute's own value is level 1. */
const MAX_LEVELS = 32;

/**
 * Refuses, before the SDK converts them, values it would lose or could not
 * convert: a number that parsed as Infinity, nesting beyond DynamoDB's 32 levels
 * (the SDK's recursive conversion would overflow the stack long before a map
 * 100,000 levels deep is done), and an attribute named `__proto__` (which the
 * conversion drops without a word). Iterative, so no nesting can overflow it.
 */
function checkAttributeValues(path: string, values: unknown): void {
  // The parameter itself is level 0: its attributes (or placeholders) are level 1.
  const stack: [value: unknown, path: string, level: number][] = [[values, path, 0]];
  while (stack.length > 0) {
    const [value, at, level] = stack.pop()!;
    if (level > MAX_LEVELS) {
      throw new BadRequestError(
        `${at} is nested deeper than the ${MAX_LEVELS} levels DynamoDB allows (an attribute's own value is level 1). ` +
          'Flatten the attribute, or store its deeper part as a JSON string.'
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new BadRequestError(
        `${at} is a number too large to carry (it reads as ${value}); DynamoDB numbers go up to ` +
          '9.9999999999999999999999999999999999999E+125 either way. Send a number within that range.'
      );
    }
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${at}[${i}]`, level + 1]);
      continue;
    }
    if (Object.hasOwn(value, '__proto__')) {
      throw new BadRequestError(
        `${at} has an attribute named "__proto__", which the AWS SDK would drop without a word when it converts the item for DynamoDB. Rename the attribute.`
      );
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], `${at}${memberPath(entries[i][0])}`, level + 1]);
  }
}

/** `.name`, or `["odd name"]` for a name that is not a plain identifier. */
function memberPath(name: string): string {
  return /^[A-Za-z_$][\w$]{0,40}$/.test(name) ? `.${name}` : `[${clip(JSON.stringify(name), 60)}]`;
}

function hasKind(value: unknown, kind: Kind): boolean {
  return kind === 'object' ? isObject(value) : typeof value === kind;
}

const LISTED_NAMES = 5;

function listNames(names: readonly string[]): string {
  const listed = names.slice(0, LISTED_NAMES).map((name) => clip(JSON.stringify(name), 40));
  const more = names.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
