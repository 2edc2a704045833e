/**
 * The handler's errors end to end: each failure (a bad event, another table, a
 * condition, a throttle, an SDK or internal error) becomes its error class and the
 * status the stack's selection patterns pick, with a message that says what to
 * change, and nothing internal reaching the client. Why this file is long: one
 * table of cases per kind of failure, each checked against the same contract and
 * the same dynalite, which splitting would start once per file.
 */
import {
  ERROR_CLASSES,
  ERROR_RESPONSES,
  type ErrorClass,
  formatErrorMessage,
  INTERNAL_ERROR_MESSAGE,
} from '../../function/error-contract';
import { clip, preview, toHandlerError } from '../../function/errors';
import { parseErrorMessage } from '../helpers/error-message';
import { compileSelectionPattern } from '../../local/apigateway/java-regex';
import { type LocalDynamo, startDynalite } from '../../scripts/support/dynalite';
import { failNextDocumentClientCall, loadHandler } from '../helpers/handler';

type Handler = Awaited<ReturnType<typeof loadHandler>>['handler'];

let dynamo: LocalDynamo;
let handler: Handler;
const context = { awsRequestId: 'errors-test' };

beforeAll(async () => {
  dynamo = await startDynalite();
  ({ handler } = await loadHandler(dynamo));
});

afterAll(() => dynamo.close());

beforeEach(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  await dynamo.clear();
  // Something to lose: a refused delete or overwrite would show in the snapshot.
  await handler({ operation: 'create', payload: { Item: { id: '1', name: 'Bob' } } }, context);
  await handler({ operation: 'create', payload: { Item: { id: '1234ABCD', number: 5 } } }, context);
});

afterEach(() => jest.restoreAllMocks());

interface Refusal {
  readonly error: Error;
  readonly errorClass: ErrorClass;
  readonly message: string;
}

/** Invokes the handler, expecting a refusal that leaves the table as it was. */
async function refusal(event: unknown): Promise<Refusal> {
  const before = await dynamo.snapshot();
  const error = await handler(event, context).then(
    (answer) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`);
    },
    (thrown: unknown) => thrown as Error
  );
  expect(await dynamo.snapshot()).toEqual(before);
  const parsed = parseErrorMessage(error.message);
  if (!parsed) throw new Error(`errorMessage is not in the contract format: ${error.message}`);
  expect(formatErrorMessage(parsed.errorClass, parsed.message)).toBe(error.message);
  return { error, ...parsed };
}

/** The status API Gateway would pick: the first integration response whose pattern matches the whole message. */
function statusFor(errorMessage: string): string | undefined {
  return ERROR_RESPONSES.find((response) => compileSelectionPattern(response.selectionPattern, response.statusCode).test(errorMessage))?.statusCode;
}

const OTHER_TABLE = 'someone-elses-table';

describe('Refusal: 400 BadRequest', () => {
  it.each([
    ['null', null],
    ['a string', 'create'],
    ['a number', 42],
    ['an array', [{ operation: 'ping' }]],
  ])('refuses an event that is %s, not a JSON object', async (_kind, event) => {
    const { errorClass, message } = await refusal(event);
    expect(errorClass).toBe('BadRequest');
    expect(message).toContain('must be a JSON object such as {"operation":"ping"}');
    expect(message).toContain(`got ${JSON.stringify(event)}`);
  });

  it('refuses an event without operation, listing the operations', async () => {
    const { errorClass, message } = await refusal({ payload: {} });
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(
      'Unknown operation: none given. Set "operation" to one of: create, read, update, delete, list, echo, ping.'
    );
  });

  it('refuses an operation that is not a string', async () => {
    const { message } = await refusal({ operation: 5 });
    expect(message).toMatch(/^Unknown operation: 5 is not a string\. Set "operation" to one of: create, /);
  });

  it('names an unknown operation in the message the tutorial meant to send', async () => {
    const { errorClass, message } = await refusal({ operation: 'drop', tableName: 'lambda-apigateway' });
    expect(errorClass).toBe('BadRequest');
    expect(message).toMatch(/^Unknown operation: drop\. Set "operation" to one of: create, read, /);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'CREATE'])(
    'treats %s as an unknown operation, not as a property of some object',
    async (operation) => {
      const { errorClass, message } = await refusal(JSON.parse(`{"operation":"${operation}","payload":{}}`));
      expect(errorClass).toBe('BadRequest');
      expect(message.startsWith(`Unknown operation: ${operation}. `)).toBe(true);
    }
  );

  it('quotes and shortens an odd operation name, escaping what would break a selection pattern', async () => {
    const operation = `drop\u2028\u0085\n${'x'.repeat(200)}`;
    const { error, message } = await refusal({ operation });
    expect(message).toMatch(/^Unknown operation: "drop\\u2028\\u0085\\nx+…\. Set "operation"/);
    expect(message.length).toBeLessThan(200);
    expect(error.message).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
    expect(statusFor(error.message)).toBe('400');
  });

  it('refuses a tableName that is not a string', async () => {
    const { errorClass, message } = await refusal({ operation: 'read', tableName: 7, payload: { Key: { id: '1' } } });
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe('tableName must be the string "lambda-apigateway" or be left out; got 7.');
  });

  it.each([
    ['a string', 'Item'],
    ['an array', [{ id: '1' }]],
    ['null', null],
  ])('refuses a payload that is %s', async (_kind, payload) => {
    const { errorClass, message } = await refusal({ operation: 'create', payload });
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(
      `payload must be a JSON object of DynamoDB parameters for create; got ${JSON.stringify(payload)}.`
    );
  });

  it('refuses create without a payload', async () => {
    const { message } = await refusal({ operation: 'create' });
    expect(message).toBe('payload must be a JSON object of DynamoDB parameters for create; got nothing.');
  });

  it('refuses parameters outside the allow-list, naming them', async () => {
    const { errorClass, message } = await refusal({
      operation: 'list',
      payload: { Limit: 1, IndexName: 'by-name', Segment: 0, TotalSegments: 2 },
    });
    expect(errorClass).toBe('BadRequest');
    expect(message).toMatch(
      /^payload has parameters that list does not accept: "IndexName", "Segment", "TotalSegments"\. Remove them; list accepts TableName, Limit, /
    );
  });

  it('refuses an allowed parameter a delete does not take (UpdateExpression)', async () => {
    const { message } = await refusal({
      operation: 'delete',
      payload: { Key: { id: '1' }, UpdateExpression: 'SET a = :a' },
    });
    expect(message).toContain('delete does not accept: "UpdateExpression"');
  });

  it('refuses a payload key named __proto__ as an unknown parameter', async () => {
    const { message } = await refusal(
      JSON.parse('{"operation":"create","payload":{"Item":{"id":"9"},"__proto__":{"x":1}}}')
    );
    expect(message).toContain('create does not accept: "__proto__"');
  });

  it('lists at most five unknown parameters', async () => {
    const payload = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`Extra${i}`, i]));
    const { message } = await refusal({ operation: 'read', payload: { Key: { id: '1' }, ...payload } });
    expect(message).toContain('"Extra0", "Extra1", "Extra2", "Extra3", "Extra4" and 3 more.');
  });

  it('refuses a parameter of the wrong JSON type', async () => {
    const { message } = await refusal({ operation: 'list', payload: { Limit: '2' } });
    expect(message).toBe('payload.Limit must be a number; got "2".');
  });

  it('refuses a create without Item', async () => {
    const { message } = await refusal({
      operation: 'create',
      payload: { ConditionExpression: 'attribute_not_exists(id)' },
    });
    expect(message).toBe(
      'payload.Item is missing: create needs the item to write, such as {"Item":{"id":"1","name":"Bob"}}.'
    );
  });

  it('refuses an Item that is not an object', async () => {
    const { message } = await refusal({ operation: 'create', payload: { Item: ['1', 'Bob'] } });
    expect(message).toBe('payload.Item must be a JSON object; got ["1","Bob"].');
  });

  it.each([
    ['without id', { name: 'Bob' }, 'nothing'],
    ['with a numeric id', { id: 1, name: 'Bob' }, '1'],
    ['with an empty id', { id: '', name: 'Bob' }, '""'],
  ])('refuses an Item %s', async (_case, Item, shown) => {
    const { errorClass, message } = await refusal({ operation: 'create', payload: { Item } });
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(`payload.Item.id must be a non-empty string, the table's key; got ${shown}.`);
  });

  it.each(['read', 'update', 'delete'])('refuses %s without Key', async (operation) => {
    const { message } = await refusal({ operation, payload: {} });
    expect(message).toBe(`payload.Key is missing: ${operation} needs the key of the item, such as {"Key":{"id":"1"}}.`);
  });

  it('refuses a Key that is not an object', async () => {
    const { message } = await refusal({ operation: 'delete', payload: { Key: '1' } });
    expect(message).toBe('payload.Key must be a JSON object; got "1".');
  });

  it("passes on DynamoDB's ValidationException for a malformed UpdateExpression", async () => {
    const { errorClass, message } = await refusal({
      operation: 'update',
      payload: { Key: { id: '1' }, UpdateExpression: 'SET name =' },
    });
    expect(errorClass).toBe('BadRequest');
    expect(message).toMatch(/^DynamoDB rejected the request: Invalid UpdateExpression/);
  });

  it("passes on DynamoDB's ValidationException for a key of the wrong type", async () => {
    const { errorClass, message } = await refusal({ operation: 'delete', payload: { Key: { id: 1 } } });
    expect(errorClass).toBe('BadRequest');
    expect(message).toMatch(/^DynamoDB rejected the request: .*key/i);
  });

  it('refuses a number that parsed as Infinity (1e400), naming the attribute, where the SDK failed with a 500', async () => {
    const { errorClass, message } = await refusal(JSON.parse('{"operation":"create","payload":{"Item":{"id":"n","v":1e400}}}'));
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(
      'payload.Item.v is a number too large to carry (it reads as Infinity); DynamoDB numbers go up to 9.9999999999999999999999999999999999999E+125 either way. Send a number within that range.'
    );
    const { message: negative } = await refusal(JSON.parse('{"operation":"update","payload":{"Key":{"id":"1"},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":[1,-1e999]}}}'));
    expect(negative).toMatch(/^payload\.ExpressionAttributeValues\[":v"\]\[1\] is a number too large to carry \(it reads as -Infinity\)/);
  });

  it('refuses a map nested 100,000 levels, where the SDK overflowed its stack; 32 levels are stored, 33 refused', async () => {
    const nested = (levels: number) => {
      let value: unknown = 'leaf';
      for (let i = 1; i < levels; i++) value = { n: value };
      return value;
    };
    const { errorClass, message } = await refusal({ operation: 'create', payload: { Item: { id: 'deep', v: nested(100_000) } } });
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(
      `payload.Item.v${'.n'.repeat(32)} is nested deeper than the 32 levels DynamoDB allows (an attribute's own value is level 1). Flatten the attribute, or store its deeper part as a JSON string.`
    );
    const { message: inKey } = await refusal({ operation: 'read', payload: { Key: { id: nested(100_000) } } });
    expect(inKey).toMatch(/^payload\.Key\.id(\.n){32} is nested deeper than the 32 levels/);
    await refusal({ operation: 'create', payload: { Item: { id: 'deep', v: nested(33) } } });
    await handler({ operation: 'create', payload: { Item: { id: 'deep', v: nested(32) } } }, context);
    expect(await handler({ operation: 'read', payload: { Key: { id: 'deep' } } }, context)).toEqual({ Item: { id: 'deep', v: nested(32) } });
  });

  it('refuses an attribute named __proto__, which the SDK dropped without a word, naming where it is', async () => {
    const { errorClass, message } = await refusal(JSON.parse('{"operation":"create","payload":{"Item":{"id":"pp1","__proto__":{"x":1},"a":1}}}'));
    expect(errorClass).toBe('BadRequest');
    expect(message).toBe(
      'payload.Item has an attribute named "__proto__", which the AWS SDK would drop without a word when it converts the item for DynamoDB. Rename the attribute.'
    );
    const { message: nested } = await refusal(JSON.parse('{"operation":"create","payload":{"Item":{"id":"pp2","tags":[{"a b":{"__proto__":1}}]}}}'));
    expect(nested).toMatch(/^payload\.Item\.tags\[0\]\["a b"\] has an attribute named "__proto__"/);
  });

  it("passes on DynamoDB's ValidationException for a number too large to store", async () => {
    const { errorClass, message } = await refusal({ operation: 'create', payload: { Item: { id: '1', n: 1e300 } } });
    expect(errorClass).toBe('BadRequest');
    expect(message).toMatch(/^DynamoDB rejected the request: Number overflow/);
  });
});

describe('Refusal: 403 Forbidden', () => {
  it.each([
    ['create', { Item: { id: 'x' } }],
    ['read', { Key: { id: '1' } }],
    ['update', { Key: { id: '1' }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': 1 } }],
    ['delete', { Key: { id: '1' } }],
    ['list', {}],
  ])('refuses %s naming another table in tableName', async (operation, payload) => {
    const { errorClass, message } = await refusal({ operation, tableName: OTHER_TABLE, payload });
    expect(errorClass).toBe('Forbidden');
    expect(message).toBe(
      `This API serves only the table "lambda-apigateway", but tableName names "${OTHER_TABLE}". Leave tableName out or set it to "lambda-apigateway".`
    );
  });

  it('refuses another table in payload.TableName, even when tableName names the right one', async () => {
    const { errorClass, message } = await refusal({
      operation: 'delete',
      tableName: 'lambda-apigateway',
      payload: { TableName: OTHER_TABLE, Key: { id: '1' } },
    });
    expect(errorClass).toBe('Forbidden');
    expect(message).toContain(`payload.TableName names "${OTHER_TABLE}"`);
  });

  it('refuses another table even for echo, which would not use it', async () => {
    const { errorClass } = await refusal({ operation: 'echo', tableName: OTHER_TABLE, payload: {} });
    expect(errorClass).toBe('Forbidden');
  });
});

describe('Refusal: 409 Conflict', () => {
  it('refuses a create whose ConditionExpression fails, keeping the existing item', async () => {
    const { errorClass, message } = await refusal({
      operation: 'create',
      payload: { Item: { id: '1', name: 'Mallory' }, ConditionExpression: 'attribute_not_exists(id)' },
    });
    expect(errorClass).toBe('Conflict');
    expect(message).toBe(
      'The ConditionExpression is not met by the item as it is now, so nothing was written. Read the item and retry with a condition that holds, or without one.'
    );
  });

  it('refuses a delete whose ConditionExpression fails, keeping the item', async () => {
    const { errorClass } = await refusal({
      operation: 'delete',
      payload: {
        Key: { id: '1' },
        ConditionExpression: '#n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 'Alice' },
      },
    });
    expect(errorClass).toBe('Conflict');
  });
});

describe('Refusal: 429 Throttled', () => {
  // dynalite never throttles, so DynamoDB's answer is simulated at the client.
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'reports %s as Throttled, with advice to retry',
    async (name) => {
      failNextDocumentClientCall(
        Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name })
      );
      const { error, errorClass, message } = await refusal({ operation: 'create', payload: { Item: { id: 'new' } } });
      expect(errorClass).toBe('Throttled');
      expect(message).toMatch(/throttling.*retry/);
      expect(error.name).toBe('ThrottledError');
    }
  );
});

describe('Refusal: 500 Internal', () => {
  it('answers only the generic message for an unexpected failure, whatever it said', async () => {
    failNextDocumentClientCall(new TypeError('connect ECONNREFUSED 10.1.2.3:443 (internal detail)'));
    const { error, errorClass, message } = await refusal({
      operation: 'update',
      payload: { Key: { id: '1' }, UpdateExpression: 'REMOVE name' },
    });
    expect(errorClass).toBe('Internal');
    expect(message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(error.message).toBe(formatErrorMessage('Internal', INTERNAL_ERROR_MESSAGE));
    expect(error.name).toBe('InternalError');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toMatch(
      /ECONNREFUSED|10\.1\.2\.3|internal detail/
    );
  });

  it('treats a thrown non-Error as Internal', async () => {
    failNextDocumentClientCall('a string, not an Error');
    const { errorClass, message } = await refusal({ operation: 'list' });
    expect(errorClass).toBe('Internal');
    expect(message).toBe(INTERNAL_ERROR_MESSAGE);
  });

  it("treats a missing table (ResourceNotFoundException) as the deployment's fault, not the client's", async () => {
    const saved = process.env.TABLE_NAME;
    let isolated: Handler | undefined;
    process.env.TABLE_NAME = 'table-that-was-never-created';
    try {
      jest.isolateModules(() => {
        ({ handler: isolated } = require('../../function/index') as { handler: Handler });
      });
    } finally {
      process.env.TABLE_NAME = saved;
    }
    const error = await isolated!({ operation: 'list' }, context).catch((thrown: Error) => thrown);
    expect(parseErrorMessage((error as Error).message)).toEqual({
      errorClass: 'Internal',
      message: INTERNAL_ERROR_MESSAGE,
    });
  });
});

describe('Configuration', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
  ])('fails to load, saying what to set, when TABLE_NAME is %s', (_case, value) => {
    const saved = process.env.TABLE_NAME;
    if (value === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = value;
    try {
      expect(() => jest.isolateModules(() => require('../../function/index'))).toThrow(
        /^TABLE_NAME is not set: .*TABLE_NAME environment variable/
      );
    } finally {
      process.env.TABLE_NAME = saved;
    }
  });
});

describe('Error contract', () => {
  it.each(Object.entries(ERROR_CLASSES))(
    'maps every %s message the handler makes to status %d',
    async (errorClass, status) => {
      const examples: Record<string, unknown> = {
        BadRequest: { operation: 'drop' },
        Forbidden: { operation: 'list', tableName: OTHER_TABLE },
        Conflict: {
          operation: 'delete',
          payload: { Key: { id: 'absent' }, ConditionExpression: 'attribute_exists(id)' },
        },
        Throttled: { operation: 'read', payload: { Key: { id: '1' } } },
        Internal: { operation: 'read', payload: { Key: { id: '1' } } },
      };
      if (errorClass === 'Throttled' || errorClass === 'Internal') {
        failNextDocumentClientCall(
          Object.assign(new Error('simulated'), { name: errorClass === 'Throttled' ? 'ThrottlingException' : 'Boom' })
        );
      }
      const { error } = await refusal(examples[errorClass]);
      expect(statusFor(error.message)).toBe(String(status));
    }
  );
});

describe('Error classification (toHandlerError)', () => {
  it.each([
    ['ValidationException', 'BadRequest'],
    ['ConditionalCheckFailedException', 'Conflict'],
    ['ProvisionedThroughputExceededException', 'Throttled'],
    ['ThrottlingException', 'Throttled'],
    ['RequestLimitExceeded', 'Throttled'],
    ['ResourceNotFoundException', 'Internal'],
    ['InternalServerError', 'Internal'],
    ['TypeError', 'Internal'],
  ])('classifies %s as %s', (name, errorClass) => {
    const cause = Object.assign(new Error('detail'), { name });
    const classified = toHandlerError(cause);
    expect(classified.errorClass).toBe(errorClass);
    expect(classified.cause).toBe(cause);
  });

  it('recognises an SDK error from another realm by its name, not by instanceof', () => {
    const foreign = { name: 'ConditionalCheckFailedException', message: 'The conditional request failed' };
    expect(toHandlerError(foreign).errorClass).toBe('Conflict');
  });

  it('passes an error that is already classified through unchanged', () => {
    const classified = toHandlerError(Object.assign(new Error('x'), { name: 'ThrottlingException' }));
    expect(toHandlerError(classified)).toBe(classified);
  });
});

describe('Value previews in messages', () => {
  it('JSON-encodes and shortens a long value', () => {
    const shown = preview({ text: 'y'.repeat(500) });
    // 60 characters, then the ellipsis.
    expect(shown).toBe(`{"text":"${'y'.repeat(51)}…`);
  });

  it('survives values JSON cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(preview(cyclic)).toBe('a value of type object');
    expect(preview(10n)).toBe('a value of type bigint');
  });

  it('does not cut a character in half', () => {
    expect(clip(`${'a'.repeat(9)}😀tail`, 10)).toBe(`${'a'.repeat(9)}…`);
  });
});
