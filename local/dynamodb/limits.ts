/**
 * DynamoDB's documented limits ("Constraints in Amazon DynamoDB"), checked by the
 * local server's front (./embedded-dynamodb) before a request reaches dynalite, with the
 * error DynamoDB itself answers: a ValidationException (HTTP 400) and its message.
 *
 * dynalite enforces some of these itself, but counts sizes in UTF-16 code units
 * rather than UTF-8 bytes, and its validation and expression parser recurse without
 * bound: a map nested some thousands of levels overflows its stack, and an
 * expression of a few dozen parentheses keeps it busy for hours. Every check here
 * is linear in the request's size and iterative (an explicit stack, never
 * recursion), so no request can make the check itself the problem.
 *
 * Messages are AWS's, as captured from DynamoDB in 2026. AWS is rolling out a
 * "1 validation error detected: " prefix region by region; the single-item writes
 * (PutItem, UpdateItem, DeleteItem) carry it here for the messages where captures
 * showed it there (nesting, expression size).
 */
import { deepestDocumentPath, hasRedundantParentheses, hasUnclosedParenthesis, tallyOperators } from './expressions';

/** An item's size: attribute names and values, as DynamoDB counts them (400 KB). */
export const MAX_ITEM_BYTES = 400 * 1024;
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;
/** Levels of a document: the attribute's own value is level 1. */
export const MAX_NESTING_LEVELS = 32;
/** Each expression string, in UTF-8 bytes. */
export const MAX_EXPRESSION_BYTES = 4096;
/** Elements of a document path in an expression (`a.b[1]` has 3). */
export const MAX_DOCUMENT_PATH_LEVELS = 32;
/** Operators and functions in one expression (./expressions tallyOperators says what counts). */
export const MAX_OPERATORS = 300;
/** Operands of one IN comparator. */
export const MAX_IN_OPERANDS = 100;
/** A placeholder of ExpressionAttributeNames or ExpressionAttributeValues, `#` or `:` included, in UTF-8 bytes. */
export const MAX_PLACEHOLDER_BYTES = 255;
/** An attribute name, at any level of an item, in UTF-8 bytes (64 KB less one). */
export const MAX_ATTRIBUTE_NAME_BYTES = 65_535;
/**
 * JSON nesting no valid request reaches: a BatchWriteItem item's attribute nested
 * the allowed 32 levels sits at about 70. Deeper bodies are refused unparsed.
 */
export const MAX_JSON_DEPTH = 100;

/** Why DynamoDB refuses a request: always a ValidationException (HTTP 400). */
export interface Refusal {
  readonly message: string;
}

/** The key attributes of a table the server knows, by table name. */
export interface KeySchema {
  readonly hashKey: string;
  readonly rangeKey: string | undefined;
}

const NESTING = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';
const ENVELOPE = '1 validation error detected: ';
/** The operations whose validation messages carry ENVELOPE. */
const SINGLE_ITEM_WRITES: ReadonlySet<string> = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const EXPRESSIONS = ['KeyConditionExpression', 'ConditionExpression', 'UpdateExpression', 'FilterExpression', 'ProjectionExpression'] as const;
const PLACEHOLDER_MAPS = ['ExpressionAttributeNames', 'ExpressionAttributeValues'] as const;
/**
 * As captured from DynamoDB in 2026 (ExtendDB/extenddb issue 365, PutItem and
 * UpdateItem): the same words for an item's names at any level and for a name
 * an ExpressionAttributeNames placeholder stands for.
 */
const NAME_TOO_LARGE = `Attribute name is too large, must be less than ${MAX_ATTRIBUTE_NAME_BYTES + 1} bytes`;

type Json = Record<string, unknown>;

/**
 * True when `body` nests objects and arrays deeper than `limit`, without parsing
 * it: one pass over the bytes, skipping strings.
 */
export function jsonDepthExceeds(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++; // A backslash escapes the next byte, a quote included.
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}

/** The refusal of a body nested beyond MAX_JSON_DEPTH: DynamoDB reads it and answers with its nesting error. */
export function nestingRefusal(operation: string): Refusal {
  return refusal(operation, NESTING, true);
}

/**
 * Checks a parsed request of `operation` (`PutItem`, `Query`, ...) against
 * DynamoDB's limits; undefined when none is exceeded. Anything malformed is left
 * for dynalite to answer, as it answers it today.
 */
export function checkLimits(operation: string, input: unknown, keySchemas: ReadonlyMap<string, KeySchema>): Refusal | undefined {
  if (!isObject(input)) return undefined;
  const parts = requestParts(operation, input);
  for (const value of parts.values) {
    if (nestingLevels(value) > MAX_NESTING_LEVELS) return refusal(operation, NESTING, true);
  }
  for (const item of parts.items) {
    if (itemBytes(item) > MAX_ITEM_BYTES) return refusal(operation, 'Item size has exceeded the maximum allowed size', false);
  }
  for (const { table, key } of parts.keys) {
    const schema = keySchemas.get(table);
    const tooLong = schema && keyTooLong(key, schema);
    if (tooLong) return refusal(operation, tooLong, false);
  }
  for (const expressions of parts.expressions) {
    const placeholder = placeholderProblem(expressions);
    if (placeholder) return placeholder;
    for (const name of EXPRESSIONS) {
      const expression = expressions[name];
      if (typeof expression !== 'string') continue;
      const problem = expressionProblem(operation, name, expression);
      if (problem) return problem;
    }
  }
  return namesProblem(operation, parts);
}

/**
 * Not DynamoDB's limit but dynalite's: it keeps items in plain objects, where an
 * attribute named `__proto__` is dropped without a word. Refused, so that nothing
 * a client writes is lost silently.
 */
export const UNSTORABLE_NAME =
  'One or more parameter values were invalid: this local DynamoDB cannot store an attribute named __proto__ ' +
  '(dynalite, which it runs, would drop it without a word; DynamoDB itself accepts the name). Rename the attribute.';
const PROTO = '__proto__';
const PROTO_IN_EXPRESSION = /(^|[^\w#:])__proto__(?!\w)/;

/**
 * The attribute names a request carries, checked in one walk over its values: each
 * no longer than MAX_ATTRIBUTE_NAME_BYTES, and none named `__proto__`.
 */
function namesProblem(operation: string, parts: RequestParts): Refusal | undefined {
  const tooLarge = refusal(operation, NAME_TOO_LARGE, true);
  let unstorable = false;
  for (const { key } of parts.keys) {
    for (const name of Object.keys(key)) {
      if (nameTooLarge(name)) return tooLarge;
      if (name === PROTO) unstorable = true;
    }
  }
  for (const holder of parts.expressions) {
    if (!isObject(holder.ExpressionAttributeNames)) continue;
    for (const name of Object.values(holder.ExpressionAttributeNames)) {
      if (typeof name === 'string' && nameTooLarge(name)) return tooLarge;
      if (name === PROTO) unstorable = true;
    }
  }
  if (parts.expressions.some((holder) => EXPRESSIONS.some((name) => typeof holder[name] === 'string' && PROTO_IN_EXPRESSION.test(holder[name])))) unstorable = true;
  const stack = parts.values.slice();
  while (stack.length > 0) {
    const value = stack.pop();
    if (isObject(value) && isObject(value.M)) {
      for (const name of Object.keys(value.M)) {
        if (nameTooLarge(name)) return tooLarge;
        if (name === PROTO) unstorable = true;
      }
    }
    for (const child of children(value)) stack.push(child);
  }
  return unstorable ? { message: UNSTORABLE_NAME } : undefined;
}

/** Cheap for the usual name: only one that may pass the limit (3 bytes a UTF-16 unit at most) is measured. */
function nameTooLarge(name: string): boolean {
  return name.length * 3 > MAX_ATTRIBUTE_NAME_BYTES && Buffer.byteLength(name) > MAX_ATTRIBUTE_NAME_BYTES;
}

/**
 * A placeholder longer than MAX_PLACEHOLDER_BYTES, with DynamoDB's message as
 * captured in 2026 (ExtendDB/extenddb pull request 181): only the names' message
 * states the size.
 */
function placeholderProblem(holder: Json): Refusal | undefined {
  for (const map of PLACEHOLDER_MAPS) {
    const placeholders = holder[map];
    if (!isObject(placeholders)) continue;
    for (const key of Object.keys(placeholders)) {
      const bytes = key.length * 3 > MAX_PLACEHOLDER_BYTES ? Buffer.byteLength(key) : 0;
      if (bytes > MAX_PLACEHOLDER_BYTES) {
        const size = map === 'ExpressionAttributeNames' ? ` size of key: ${bytes}` : '';
        return { message: `${map} contains invalid key: The expression attribute map contains a key that is too long;${size}` };
      }
    }
  }
  return undefined;
}

/** What a request holds that the limits apply to. */
interface RequestParts {
  /** Every attribute value: item attributes, keys, expression values, legacy conditions' values. */
  readonly values: unknown[];
  /** Items written whole. */
  readonly items: Json[];
  /** Keys naming an item, with their table. */
  readonly keys: { table: string; key: Json }[];
  /** Objects that may hold expressions. */
  readonly expressions: Json[];
}

function requestParts(operation: string, input: Json): RequestParts {
  const parts: RequestParts = { values: [], items: [], keys: [], expressions: [input] };
  const table = typeof input.TableName === 'string' ? input.TableName : '';
  addValuesOf(parts, input.ExpressionAttributeValues);
  addValuesOf(parts, input.ExclusiveStartKey);
  addLegacyConditions(parts, input.Expected);
  addLegacyConditions(parts, input.AttributeUpdates);
  addLegacyConditions(parts, input.KeyConditions);
  addLegacyConditions(parts, input.QueryFilter);
  addLegacyConditions(parts, input.ScanFilter);
  if (operation === 'PutItem') addItem(parts, table, input.Item);
  if (operation === 'GetItem' || operation === 'UpdateItem' || operation === 'DeleteItem') addKey(parts, table, input.Key);
  if ((operation === 'BatchGetItem' || operation === 'BatchWriteItem') && isObject(input.RequestItems)) {
    for (const [name, request] of Object.entries(input.RequestItems)) {
      if (operation === 'BatchGetItem' && isObject(request)) {
        parts.expressions.push(request);
        if (Array.isArray(request.Keys)) for (const key of request.Keys) addKey(parts, name, key);
      }
      if (operation === 'BatchWriteItem' && Array.isArray(request)) {
        for (const write of request) {
          if (!isObject(write)) continue;
          if (isObject(write.PutRequest)) addItem(parts, name, write.PutRequest.Item);
          if (isObject(write.DeleteRequest)) addKey(parts, name, write.DeleteRequest.Key);
        }
      }
    }
  }
  return parts;
}

function addValuesOf(parts: RequestParts, values: unknown): void {
  if (isObject(values)) for (const value of Object.values(values)) parts.values.push(value);
}

function addItem(parts: RequestParts, table: string, item: unknown): void {
  if (!isObject(item)) return;
  addValuesOf(parts, item);
  parts.items.push(item);
  parts.keys.push({ table, key: item });
}

function addKey(parts: RequestParts, table: string, key: unknown): void {
  if (!isObject(key)) return;
  addValuesOf(parts, key);
  parts.keys.push({ table, key });
}

/** Expected, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter: per attribute, a Value or an AttributeValueList. */
function addLegacyConditions(parts: RequestParts, conditions: unknown): void {
  if (!isObject(conditions)) return;
  for (const condition of Object.values(conditions)) {
    if (!isObject(condition)) continue;
    if (condition.Value !== undefined) parts.values.push(condition.Value);
    if (Array.isArray(condition.AttributeValueList)) for (const value of condition.AttributeValueList) parts.values.push(value);
  }
}

/** The levels of an attribute value (a scalar is 1, a map of scalars 2), counted up to one past the limit. */
export function nestingLevels(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, level] = stack.pop()!;
    if (level > deepest) deepest = level;
    if (deepest > MAX_NESTING_LEVELS) return deepest;
    for (const child of children(current)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** A map's or a list's elements; none for anything else. */
function children(value: unknown): unknown[] {
  if (!isObject(value)) return [];
  if (isObject(value.M)) return Object.values(value.M);
  if (Array.isArray(value.L)) return value.L;
  return [];
}

/**
 * An item's size as DynamoDB counts it: each attribute's name in UTF-8 bytes plus
 * its value; strings in UTF-8 bytes, binaries decoded, a number about one byte per
 * two significant digits plus one, true/false/null one byte, and a list or map
 * three bytes plus one per element besides its elements (a map's names included).
 */
export function itemBytes(item: Json): number {
  let total = 0;
  // Name bytes and values still to count; a map's entries join the same stack.
  const stack: unknown[] = [];
  for (const [name, value] of Object.entries(item)) {
    total += Buffer.byteLength(name);
    stack.push(value);
  }
  while (stack.length > 0) {
    const value = stack.pop();
    if (!isObject(value)) continue;
    if (typeof value.S === 'string') total += Buffer.byteLength(value.S);
    else if (typeof value.N === 'string') total += numberBytes(value.N);
    else if (typeof value.B === 'string') total += base64Bytes(value.B);
    else if (value.BOOL !== undefined || value.NULL !== undefined) total += 1;
    else if (Array.isArray(value.SS)) for (const s of value.SS) total += typeof s === 'string' ? Buffer.byteLength(s) : 0;
    else if (Array.isArray(value.NS)) for (const n of value.NS) total += typeof n === 'string' ? numberBytes(n) : 0;
    else if (Array.isArray(value.BS)) for (const b of value.BS) total += typeof b === 'string' ? base64Bytes(b) : 0;
    else if (isObject(value.M)) {
      const entries = Object.entries(value.M);
      total += 3 + entries.length;
      for (const [name, element] of entries) {
        total += Buffer.byteLength(name);
        stack.push(element);
      }
    } else if (Array.isArray(value.L)) {
      total += 3 + value.L.length;
      for (const element of value.L) stack.push(element);
    }
  }
  return total;
}

/** Significant digits of a number's text, ignoring sign, leading and trailing zeros, point and exponent. */
function numberBytes(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '');
  const digits = mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
  return Math.ceil(digits / 2) + 1;
}

function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/** DynamoDB's message when a key attribute of `key` is longer than its limit. */
function keyTooLong(key: Json, schema: KeySchema): string | undefined {
  if (keyBytes(key[schema.hashKey]) > MAX_PARTITION_KEY_BYTES) {
    // Sic: AWS's message has no space between "of" and the number.
    return `One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of${MAX_PARTITION_KEY_BYTES} bytes`;
  }
  if (schema.rangeKey !== undefined && keyBytes(key[schema.rangeKey]) > MAX_SORT_KEY_BYTES) {
    return `One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${MAX_SORT_KEY_BYTES} bytes`;
  }
  return undefined;
}

function keyBytes(value: unknown): number {
  if (!isObject(value)) return 0;
  if (typeof value.S === 'string') return Buffer.byteLength(value.S);
  if (typeof value.B === 'string') return base64Bytes(value.B);
  return 0;
}

function expressionProblem(operation: string, name: string, expression: string): Refusal | undefined {
  const bytes = Buffer.byteLength(expression);
  if (bytes > MAX_EXPRESSION_BYTES) {
    // Only a Scan's FilterExpression states the size (captured 2026).
    const size = operation === 'Scan' && name === 'FilterExpression' ? ` expression size: ${bytes}` : '';
    return refusal(operation, `Invalid ${name}: Expression size has exceeded the maximum allowed size;${size}`, true);
  }
  if (hasUnclosedParenthesis(expression)) {
    return refusal(operation, `Invalid ${name}: Syntax error; token: "<EOF>", near: "${LAST_TOKEN.exec(expression)?.[1] ?? ''}"`, false);
  }
  if (hasRedundantParentheses(expression)) return refusal(operation, `Invalid ${name}: The expression has redundant parentheses;`, false);
  const levels = deepestDocumentPath(expression);
  if (levels > MAX_DOCUMENT_PATH_LEVELS) {
    return refusal(operation, `Invalid ${name}: The document path has too many nesting levels; nesting levels: ${levels}`, false);
  }
  if (name === 'ProjectionExpression') return undefined;
  const { operators, largestIn } = tallyOperators(expression, name === 'UpdateExpression');
  // DynamoDB stops counting at the first operator past the limit, and says so: "operator
  // count: 301" for an expression of 909 (scylladb test/alternator/test_limits.py, run
  // against DynamoDB; aws/aws-sdk-js issue 3721 for a FilterExpression).
  if (operators > MAX_OPERATORS) {
    return refusal(operation, `Invalid ${name}: The expression contains too many operators; operator count: ${MAX_OPERATORS + 1}`, false);
  }
  // "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 163",
  // as DynamoDB answered (reapit/foundations issue 8255).
  if (largestIn > MAX_IN_OPERANDS) {
    return refusal(operation, `Invalid ${name}: The IN operator is provided with too many operands; number of operands: ${largestIn}`, false);
  }
  return undefined;
}

/** The last token of an expression, as DynamoDB's syntax errors quote it: a name, a placeholder, or an operator. */
const LAST_TOKEN = /([#:]?\w+|<>|<=|>=|\S)\s*$/;

function refusal(operation: string, message: string, enveloped: boolean): Refusal {
  return { message: enveloped && SINGLE_ITEM_WRITES.has(operation) ? `${ENVELOPE}${message}` : message };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
