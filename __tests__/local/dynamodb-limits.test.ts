/**
 * DynamoDB's limits as the local front checks them, on the requests themselves: sizes
 * counted in UTF-8 bytes as DynamoDB counts them, boundaries one byte or one level
 * either side, and checks that stay linear and iterative on hostile input. The same
 * limits over HTTP, through the server, are in dynamodb-hostile-requests.test.ts.
 */
import { deepestDocumentPath, hasRedundantParentheses, hasUnclosedParenthesis, tallyOperators } from '../../local/dynamodb/expressions';
import { checkLimits, itemBytes, jsonDepthExceeds, type KeySchema, MAX_ITEM_BYTES, nestingLevels, UNSTORABLE_NAME } from '../../local/dynamodb/limits';

const TABLE = 'items';
const SCHEMAS = new Map<string, KeySchema>([
  [TABLE, { hashKey: 'pk', rangeKey: 'sk' }],
  ['hash-only', { hashKey: 'id', rangeKey: undefined }],
]);
const NESTING = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

const check = (operation: string, input: object) => checkLimits(operation, input, SCHEMAS)?.message;

/** A string attribute value wrapped in `levels - 1` maps: `levels` levels in all. */
function nested(levels: number, wrap: 'M' | 'L' = 'M'): object {
  let value: object = { S: 'leaf' };
  for (let i = 1; i < levels; i++) value = wrap === 'M' ? { M: { n: value } } : { L: [value] };
  return value;
}

describe('attribute nesting: 32 levels, the attribute itself the first', () => {
  test.each(['M', 'L'] as const)('a value of 32 levels passes and one of 33 is refused, in maps and lists (%s)', (wrap) => {
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, sk: { S: 'b' }, deep: nested(32, wrap) } })).toBeUndefined();
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, sk: { S: 'b' }, deep: nested(33, wrap) } })).toBe(`1 validation error detected: ${NESTING}`);
  });

  test('the single-item writes carry the validation envelope; batch writes and reads do not', () => {
    const deep = nested(33);
    expect(check('UpdateItem', { TableName: TABLE, Key: { pk: { S: 'a' }, sk: { S: 'b' } }, ExpressionAttributeValues: { ':v': deep } })).toBe(`1 validation error detected: ${NESTING}`);
    expect(check('BatchWriteItem', { RequestItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: 'a' }, deep } } }] } })).toBe(NESTING);
    expect(check('GetItem', { TableName: TABLE, Key: { pk: deep } })).toBe(NESTING);
    expect(check('Query', { TableName: TABLE, ExclusiveStartKey: { pk: deep } })).toBe(NESTING);
    expect(check('Scan', { TableName: TABLE, ScanFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [deep] } } })).toBe(NESTING);
    expect(check('BatchGetItem', { RequestItems: { [TABLE]: { Keys: [{ pk: deep }] } } })).toBe(NESTING);
  });

  test('a map nested 100,000 levels is measured without recursion, and the count stops past the limit', () => {
    expect(nestingLevels(nested(100_000))).toBe(33);
  });
});

describe('item size: 400 KB, counted as DynamoDB counts', () => {
  /** An item of exactly `bytes`: `pk` and `sk` (2 + 1 and 2 + 1 bytes) and a string attribute `s` (1 byte of name). */
  const itemOf = (bytes: number, character: string) => {
    const perCharacter = Buffer.byteLength(character);
    const fixed = 3 + 3 + 1;
    return { pk: { S: 'a' }, sk: { S: 'b' }, s: { S: character.repeat((bytes - fixed) / perCharacter) } };
  };

  test('names and strings count in UTF-8 bytes: 409,600 bytes pass, 409,602 of two-byte characters are refused', () => {
    // 409,600 - 7 is odd: one ASCII character evens it out for the two-byte "é".
    const atLimit = itemOf(MAX_ITEM_BYTES, 'a');
    expect(itemBytes(atLimit)).toBe(MAX_ITEM_BYTES);
    expect(check('PutItem', { TableName: TABLE, Item: atLimit })).toBeUndefined();
    const accented = { ...itemOf(MAX_ITEM_BYTES + 1, 'é'), pad: { S: '' } };
    expect(itemBytes(accented)).toBeGreaterThan(MAX_ITEM_BYTES);
    // dynalite counted characters: 204,800 of them here.
    expect(check('PutItem', { TableName: TABLE, Item: accented })).toBe('Item size has exceeded the maximum allowed size');
    expect(check('BatchWriteItem', { RequestItems: { [TABLE]: [{ PutRequest: { Item: accented } }] } })).toBe('Item size has exceeded the maximum allowed size');
  });

  test("the other types, by the developer guide's rules", () => {
    expect(itemBytes({ n: { N: '123.4500' } })).toBe(1 + 3 + 1); // Digits 12345, about one byte per two, plus one.
    expect(itemBytes({ n: { N: '-0.000012e5' } })).toBe(1 + 1 + 1);
    expect(itemBytes({ b: { B: 'AAECAw==' } })).toBe(1 + 4); // Four bytes, decoded.
    expect(itemBytes({ t: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemBytes({ ss: { SS: ['ab', 'ü'] } })).toBe(2 + 2 + 2);
    // A list or map: 3 bytes, plus one per element, plus the elements (and a map's names).
    expect(itemBytes({ l: { L: [{ S: 'ab' }, { NULL: true }] } })).toBe(1 + 3 + 2 + 2 + 1);
    expect(itemBytes({ m: { M: { key: { S: 'ab' } } } })).toBe(1 + 3 + 1 + 3 + 2);
  });
});

describe('key sizes: partition key 2,048 bytes, sort key 1,024', () => {
  const HASH = 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes';
  const RANGE = 'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes';

  test('counted in UTF-8 bytes, in items written and keys read, updated and deleted', () => {
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'é'.repeat(1024) }, sk: { S: 'é'.repeat(512) } } })).toBeUndefined();
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: `${'é'.repeat(1024)}a` }, sk: { S: 'b' } } })).toBe(HASH);
    expect(check('GetItem', { TableName: TABLE, Key: { pk: { S: 'a' }, sk: { S: `${'é'.repeat(512)}a` } } })).toBe(RANGE);
    expect(check('DeleteItem', { TableName: 'hash-only', Key: { id: { B: Buffer.alloc(2049).toString('base64') } } })).toBe(HASH);
    expect(check('BatchWriteItem', { RequestItems: { [TABLE]: [{ DeleteRequest: { Key: { pk: { S: 'a' }, sk: { S: 'x'.repeat(1025) } } } }] } })).toBe(RANGE);
  });

  test('tables the stack does not declare are left to dynalite', () => {
    expect(check('GetItem', { TableName: 'elsewhere', Key: { pk: { S: 'x'.repeat(5000) } } })).toBeUndefined();
  });
});

describe('expressions', () => {
  const SIZE = 'Expression size has exceeded the maximum allowed size;';

  test('4,096 bytes in UTF-8 pass, one more byte is refused, naming the expression', () => {
    const path = (bytes: number) => `a${'é'.repeat((bytes - 1) / 2)}`;
    expect(Buffer.byteLength(path(4095))).toBe(4095);
    expect(check('GetItem', { TableName: TABLE, Key: {}, ProjectionExpression: `${path(4095)}b` })).toBeUndefined();
    expect(check('GetItem', { TableName: TABLE, Key: {}, ProjectionExpression: `${path(4095)}bc` })).toBe(`Invalid ProjectionExpression: ${SIZE}`);
    expect(check('PutItem', { TableName: TABLE, Item: {}, ConditionExpression: `attribute_exists(${path(4095)})` })).toBe(`1 validation error detected: Invalid ConditionExpression: ${SIZE}`);
    const filter = `${path(4095)} = :v`;
    expect(check('Scan', { TableName: TABLE, FilterExpression: filter })).toBe(`Invalid FilterExpression: ${SIZE} expression size: ${Buffer.byteLength(filter)}`);
  });

  test('parentheses around parentheses are redundant, however deep, and found in one pass', () => {
    const wrapped = (depth: number, inner: string) => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;
    expect(hasRedundantParentheses(wrapped(30, 'a = :v'))).toBe(true);
    expect(hasRedundantParentheses(wrapped(100_000, 'a = :v'))).toBe(true);
    expect(hasRedundantParentheses('attribute_exists(( a ))')).toBe(true);
    expect(hasRedundantParentheses('(a = :v AND (b = :w OR c = :x))')).toBe(false);
    expect(hasRedundantParentheses('(a = :v) AND (b = :w)')).toBe(false);
    expect(hasRedundantParentheses('size(a) > :v AND b IN (:x, :y)')).toBe(false);
    expect(hasRedundantParentheses('((a = :v)')).toBe(false); // Unbalanced: the parser's syntax error.
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, ConditionExpression: wrapped(30, 'a = :v') })).toBe('Invalid ConditionExpression: The expression has redundant parentheses;');
  });

  test("a parenthesis left open is DynamoDB's syntax error at the end, quoting the last token", () => {
    expect(hasUnclosedParenthesis('((((((((a = :v')).toBe(true);
    expect(hasUnclosedParenthesis('(a = :v) AND (b = :w')).toBe(true);
    expect(hasUnclosedParenthesis('(a = :v))')).toBe(false); // An extra one: the parser's own error, found at once.
    expect(hasUnclosedParenthesis('(a = :v)')).toBe(false);
    expect(check('Scan', { TableName: TABLE, FilterExpression: `${'('.repeat(30)}a = :v` })).toBe('Invalid FilterExpression: Syntax error; token: "<EOF>", near: ":v"');
    expect(check('DeleteItem', { TableName: TABLE, Key: {}, ConditionExpression: 'a <> :v AND (size(#b) >= ' })).toBe('Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ">="');
  });

  test('document paths: 32 elements pass, 33 are refused', () => {
    const path = (levels: number) => `a${'.b'.repeat(levels - 2)}[0]`;
    expect(deepestDocumentPath(`SET ${path(32)} = :v, x = :w`)).toBe(32);
    expect(deepestDocumentPath(`#a . #b [ 1 ] = :v.w.x`)).toBe(3);
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: `SET ${path(32)} = :v` })).toBeUndefined();
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: `SET ${path(33)} = :v` })).toBe(
      'Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33',
    );
  });
});

describe('operators: 300 in an expression, as DynamoDB counts them', () => {
  const TOO_MANY = 'The expression contains too many operators; operator count: 301';
  /** `n` comparisons joined by OR: 2n - 1 operators. */
  const ors = (n: number) => Array.from({ length: n }, (_, i) => `a${i} = :v`).join(' OR ');

  test('comparators, AND, OR, NOT and function calls count; the AND of a BETWEEN, parentheses, names and placeholders do not', () => {
    expect(tallyOperators('a = :v', false).operators).toBe(1);
    expect(tallyOperators('a <> :v AND b <= :w OR NOT c >= :x', false).operators).toBe(6);
    expect(tallyOperators('a BETWEEN :lo AND :hi AND b < :v', false).operators).toBe(3);
    expect(tallyOperators('attribute_exists(#and) AND size(l[3]) > :in', false).operators).toBe(4);
    expect(tallyOperators('a IN (:x, :y) or not (b>c)', false).operators).toBe(4);
  });

  test("in an update expression, + - and functions count, and SET's = does not (the developer guide's example has two)", () => {
    expect(tallyOperators('SET a = :val1 + :val2 + :val3', true).operators).toBe(2);
    expect(tallyOperators('SET a = :v, b = :w REMOVE c ADD d :n DELETE e :s', true).operators).toBe(0);
    expect(tallyOperators('SET l = list_append(if_not_exists(l, :empty), :new), n = n - :one', true).operators).toBe(3);
  });

  test('300 pass and 301 are refused, in conditions, filters and updates, at any operation', () => {
    const condition300 = `NOT ${ors(150)}`;
    expect(tallyOperators(condition300, false).operators).toBe(300);
    expect(check('DeleteItem', { TableName: TABLE, Key: {}, ConditionExpression: condition300 })).toBeUndefined();
    expect(check('DeleteItem', { TableName: TABLE, Key: {}, ConditionExpression: ors(151) })).toBe(`Invalid ConditionExpression: ${TOO_MANY}`);
    expect(check('Query', { TableName: TABLE, FilterExpression: ors(151) })).toBe(`Invalid FilterExpression: ${TOO_MANY}`);
    const update = (n: number) => `SET ${Array.from({ length: n }, (_, i) => `n${i}=:v+:v`).join(',')}`;
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: update(300) })).toBeUndefined();
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: update(301) })).toBe(`Invalid UpdateExpression: ${TOO_MANY}`);
    expect(check('GetItem', { TableName: TABLE, Key: {}, ProjectionExpression: Array.from({ length: 400 }, (_, i) => `a${i}`).join(',') })).toBeUndefined();
  });

  test('DynamoDB stops counting at 301: a<b or (a<b or (...)) 149 deep (299) passes, 150 and 454 deep are refused at 301', () => {
    const nestedOr = (depth: number) => `a<b ${'or (a<b '.repeat(depth)}${')'.repeat(depth)}`;
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, ConditionExpression: nestedOr(149) })).toBeUndefined();
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, ConditionExpression: nestedOr(150) })).toBe(`Invalid ConditionExpression: ${TOO_MANY}`);
    expect(Buffer.byteLength(nestedOr(454))).toBeLessThan(4096);
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, ConditionExpression: nestedOr(454) })).toBe(`Invalid ConditionExpression: ${TOO_MANY}`);
  });
});

describe('IN: 100 operands', () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => `:v${i}`).join(', ');

  test('operands are counted at the list\'s own depth, the largest list deciding', () => {
    expect(tallyOperators(`a IN (${list(3)})`, false).largestIn).toBe(3);
    expect(tallyOperators('a IN (size(b), :v) AND (c in (:x) OR d IN (:y, :z, size(e)))', false).largestIn).toBe(3);
    expect(tallyOperators('contains(a, :v) AND (b = :w)', false).largestIn).toBe(0);
  });

  test('100 pass and 101 are refused, naming the expression and the count', () => {
    expect(check('Scan', { TableName: TABLE, FilterExpression: `a IN (${list(100)})` })).toBeUndefined();
    expect(check('Scan', { TableName: TABLE, FilterExpression: `a = :a OR a IN (${list(101)})` })).toBe(
      'Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101',
    );
    expect(check('PutItem', { TableName: TABLE, Item: {}, ConditionExpression: `NOT a IN (${list(150)})` })).toBe(
      'Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 150',
    );
  });
});

describe('placeholders: 255 bytes, # or : included', () => {
  const TOO_LONG = 'contains invalid key: The expression attribute map contains a key that is too long;';

  test('255 bytes pass and 256 are refused; only the names\' message states the size', () => {
    expect(check('GetItem', { TableName: TABLE, Key: {}, ExpressionAttributeNames: { [`#${'a'.repeat(254)}`]: 'x' } })).toBeUndefined();
    expect(check('GetItem', { TableName: TABLE, Key: {}, ExpressionAttributeNames: { [`#${'a'.repeat(255)}`]: 'x' } })).toBe(`ExpressionAttributeNames ${TOO_LONG} size of key: 256`);
    expect(check('Scan', { TableName: TABLE, ExpressionAttributeValues: { [`:${'a'.repeat(254)}`]: { S: 'x' } } })).toBeUndefined();
    expect(check('Scan', { TableName: TABLE, ExpressionAttributeValues: { [`:${'a'.repeat(255)}`]: { S: 'x' } } })).toBe(`ExpressionAttributeValues ${TOO_LONG}`);
  });

  test('counted in UTF-8 bytes, and in each table of a BatchGetItem', () => {
    expect(check('Query', { TableName: TABLE, ExpressionAttributeNames: { [`#${'é'.repeat(127)}`]: 'x' } })).toBeUndefined();
    expect(check('Query', { TableName: TABLE, ExpressionAttributeNames: { [`#${'é'.repeat(128)}`]: 'x' } })).toBe(`ExpressionAttributeNames ${TOO_LONG} size of key: 257`);
    expect(check('BatchGetItem', { RequestItems: { [TABLE]: { Keys: [], ExpressionAttributeNames: { [`#${'a'.repeat(255)}`]: 'x' } } } })).toBe(
      `ExpressionAttributeNames ${TOO_LONG} size of key: 256`,
    );
  });
});

describe('attribute names: 65,535 bytes', () => {
  const TOO_LARGE = 'Attribute name is too large, must be less than 65536 bytes';
  const name = (bytes: number) => 'n'.repeat(bytes);

  test('65,535 bytes pass and 65,536 are refused, at the top of an item and inside its maps', () => {
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, sk: { S: 'b' }, [name(65_535)]: { S: 'x' } } })).toBeUndefined();
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, sk: { S: 'b' }, [name(65_536)]: { S: 'x' } } })).toBe(`1 validation error detected: ${TOO_LARGE}`);
    expect(check('PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, m: { M: { [name(65_536)]: { S: 'x' } } } } })).toBe(`1 validation error detected: ${TOO_LARGE}`);
    expect(check('BatchWriteItem', { RequestItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: 'a' }, l: { L: [{ M: { [name(65_536)]: { N: '1' } } }] } } } }] } })).toBe(TOO_LARGE);
  });

  test('in a value to set and in the name a placeholder stands for; counted in UTF-8 bytes', () => {
    const key = { pk: { S: 'a' }, sk: { S: 'b' } };
    expect(check('UpdateItem', { TableName: TABLE, Key: key, ExpressionAttributeValues: { ':v': { M: { [name(65_536)]: { S: 'x' } } } } })).toBe(`1 validation error detected: ${TOO_LARGE}`);
    expect(check('UpdateItem', { TableName: TABLE, Key: key, ExpressionAttributeNames: { '#n': 'é'.repeat(32_767) + 'x' } })).toBeUndefined();
    expect(check('UpdateItem', { TableName: TABLE, Key: key, ExpressionAttributeNames: { '#n': 'é'.repeat(32_768) } })).toBe(`1 validation error detected: ${TOO_LARGE}`);
    expect(check('Scan', { TableName: TABLE, ExpressionAttributeNames: { '#n': name(65_536) } })).toBe(TOO_LARGE);
  });
});

describe('bodies checked before they are parsed', () => {
  test('nesting is counted in one pass, brackets inside strings and escaped quotes aside', () => {
    expect(jsonDepthExceeds(Buffer.from(`${'['.repeat(101)}${']'.repeat(101)}`), 100)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}`), 100)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ s: '[[[[[[ \\" [[[[[[', t: '"{{{{' })), 3)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(`{"a":"\\\\"${',"b":[[[[1]]]]'}}`), 4)).toBe(true);
  });
});

describe('what dynalite cannot store', () => {
  test('an attribute named __proto__, anywhere, is refused rather than dropped', () => {
    expect(check('PutItem', { TableName: TABLE, Item: JSON.parse('{"pk":{"S":"a"},"sk":{"S":"b"},"__proto__":{"S":"x"}}') })).toBe(UNSTORABLE_NAME);
    expect(check('PutItem', { TableName: TABLE, Item: JSON.parse('{"pk":{"S":"a"},"m":{"M":{"n":{"M":{"__proto__":{"S":"x"}}}}}}') })).toBe(UNSTORABLE_NAME);
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: 'SET #a = :v', ExpressionAttributeNames: { '#a': '__proto__' } })).toBe(UNSTORABLE_NAME);
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: 'SET a.__proto__ = :v' })).toBe(UNSTORABLE_NAME);
    expect(check('UpdateItem', { TableName: TABLE, Key: {}, UpdateExpression: 'SET a__proto__ = :v, b = :__proto__' })).toBeUndefined();
  });
});
