import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { parseErrorMessage } from '../helpers/error-message';
import { type LocalDynamo, startDynalite, TABLE_NAME } from '../../scripts/support/dynalite';
import { loadHandler } from '../helpers/handler';

type Handler = Awaited<ReturnType<typeof loadHandler>>['handler'];

let dynamo: LocalDynamo;
let handler: Handler;
const context = { awsRequestId: 'operations-test' };

beforeAll(async () => {
  dynamo = await startDynalite();
  ({ handler } = await loadHandler(dynamo));
});

afterAll(() => dynamo.close());

beforeEach(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  await dynamo.clear();
});

afterEach(() => jest.restoreAllMocks());

const invoke = (event: unknown) => handler(event, context);

async function storedItem(id: string) {
  const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: TABLE_NAME, Key: { id: { S: id } } }));
  return Item;
}

describe('Operation: create', () => {
  it('stores the tutorial sample item and answers {} as the v2 DocumentClient did', async () => {
    const answer = await invoke({
      operation: 'create',
      tableName: 'lambda-apigateway',
      payload: { Item: { id: '1', name: 'Bob' } },
    });
    expect(answer).toStrictEqual({});
    expect(await storedItem('1')).toEqual({ id: { S: '1' }, name: { S: 'Bob' } });
  });

  it('stores create-item.json, keeping the number a DynamoDB number', async () => {
    await invoke({
      operation: 'create',
      tableName: 'lambda-apigateway',
      payload: { Item: { id: '1234ABCD', number: 5 } },
    });
    expect(await storedItem('1234ABCD')).toEqual({ id: { S: '1234ABCD' }, number: { N: '5' } });
  });

  it('uses the stack table when tableName is left out', async () => {
    await invoke({ operation: 'create', payload: { Item: { id: '2', name: 'Alice' } } });
    expect(await storedItem('2')).toEqual({ id: { S: '2' }, name: { S: 'Alice' } });
  });

  it('accepts payload.TableName when it names the stack table', async () => {
    await invoke({ operation: 'create', payload: { TableName: TABLE_NAME, Item: { id: '3' } } });
    expect(await storedItem('3')).toBeDefined();
  });

  it('stores nested maps, lists, booleans, null and empty strings unchanged', async () => {
    const item = { id: 'nested', tags: ['a', 'b'], address: { city: 'Oslo', zip: '' }, active: true, note: null };
    await invoke({ operation: 'create', payload: { Item: item } });
    expect(await invoke({ operation: 'read', payload: { Key: { id: 'nested' } } })).toEqual({ Item: item });
  });

  it('answers the replaced item when ReturnValues is ALL_OLD', async () => {
    await invoke({ operation: 'create', payload: { Item: { id: '1', name: 'Bob' } } });
    const answer = await invoke({
      operation: 'create',
      payload: { Item: { id: '1', name: 'Robert' }, ReturnValues: 'ALL_OLD' },
    });
    expect(answer).toStrictEqual({ Attributes: { id: '1', name: 'Bob' } });
  });

  it('reports consumed capacity only when asked for it', async () => {
    const answer = await invoke({
      operation: 'create',
      payload: { Item: { id: '1' }, ReturnConsumedCapacity: 'TOTAL' },
    });
    expect(answer).toHaveProperty('ConsumedCapacity.TableName', TABLE_NAME);
  });

  it("stores a number beyond a double's precision as the event carries it, rounded, as the tutorial's SDK v2 did; sent as a string, every digit is kept (README, operation reference)", async () => {
    // The runtime parses the event before the handler runs: the digits past a double's 17 are gone by then.
    await invoke(JSON.parse('{"operation":"create","payload":{"Item":{"id":"big","n":12345678901234567890123,"s":"12345678901234567890123"}}}'));
    expect(await storedItem('big')).toEqual({ id: { S: 'big' }, n: { N: '12345678901234568000000' }, s: { S: '12345678901234567890123' } });
    const read = await invoke({ operation: 'read', payload: { Key: { id: 'big' } } });
    expect(JSON.stringify(read)).toBe('{"Item":{"id":"big","n":1.2345678901234568e+22,"s":"12345678901234567890123"}}');
  });
});

describe('Operation: read', () => {
  beforeEach(() => invoke({ operation: 'create', payload: { Item: { id: '1', name: 'Bob' } } }));

  it('answers {Item} for the tutorial sample request', async () => {
    const answer = await invoke({ operation: 'read', tableName: 'lambda-apigateway', payload: { Key: { id: '1' } } });
    expect(answer).toStrictEqual({ Item: { id: '1', name: 'Bob' } });
  });

  it('answers {} for an item that does not exist', async () => {
    expect(await invoke({ operation: 'read', payload: { Key: { id: 'absent' } } })).toStrictEqual({});
  });

  it('returns only the projected attributes', async () => {
    const answer = await invoke({
      operation: 'read',
      payload: { Key: { id: '1' }, ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': 'name' } },
    });
    expect(answer).toStrictEqual({ Item: { name: 'Bob' } });
  });

  it('returns numbers as JavaScript numbers, large ones included', async () => {
    await invoke({ operation: 'create', payload: { Item: { id: 'big', small: 5, large: 12345678901234567890 } } });
    const answer = await invoke({ operation: 'read', payload: { Key: { id: 'big' } } });
    expect(answer).toStrictEqual({ Item: { id: 'big', small: 5, large: 12345678901234567890 } });
    // What the runtime does with the answer: a BigInt here would make it throw.
    expect(() => JSON.stringify(answer)).not.toThrow();
  });
});

describe('Operation: update', () => {
  beforeEach(() => invoke({ operation: 'create', payload: { Item: { id: '1', name: 'Bob', visits: 1 } } }));

  it('applies an UpdateExpression and answers {} without ReturnValues', async () => {
    const answer = await invoke({
      operation: 'update',
      tableName: 'lambda-apigateway',
      payload: {
        Key: { id: '1' },
        UpdateExpression: 'SET #n = :n ADD visits :one',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 'Robert', ':one': 1 },
      },
    });
    expect(answer).toStrictEqual({});
    expect(await storedItem('1')).toEqual({ id: { S: '1' }, name: { S: 'Robert' }, visits: { N: '2' } });
  });

  it('answers {Attributes} with the new item when ReturnValues is ALL_NEW', async () => {
    const answer = await invoke({
      operation: 'update',
      payload: {
        Key: { id: '1' },
        UpdateExpression: 'SET visits = visits + :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      },
    });
    expect(answer).toStrictEqual({ Attributes: { id: '1', name: 'Bob', visits: 2 } });
  });

  it('updates an existing item when ConditionExpression attribute_exists(id) holds', async () => {
    const answer = await invoke({
      operation: 'update',
      payload: {
        Key: { id: '1' },
        UpdateExpression: 'REMOVE visits',
        ConditionExpression: 'attribute_exists(id)',
        ReturnValues: 'UPDATED_OLD',
      },
    });
    expect(answer).toStrictEqual({ Attributes: { visits: 1 } });
  });

  it('refuses with 409 Conflict, creating nothing, when attribute_exists(id) fails on a missing item', async () => {
    const error = await invoke({
      operation: 'update',
      payload: {
        Key: { id: 'missing' },
        UpdateExpression: 'SET #n = :n',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 'Ghost' },
      },
    }).catch((thrown: Error) => thrown);
    expect(parseErrorMessage((error as Error).message)).toEqual({
      errorClass: 'Conflict',
      message: expect.stringContaining('ConditionExpression is not met'),
    });
    expect(await storedItem('missing')).toBeUndefined();
  });

  it('creates the item when there is no condition, as UpdateItem does', async () => {
    await invoke({
      operation: 'update',
      payload: { Key: { id: 'new' }, UpdateExpression: 'SET visits = :v', ExpressionAttributeValues: { ':v': 7 } },
    });
    expect(await storedItem('new')).toEqual({ id: { S: 'new' }, visits: { N: '7' } });
  });
});

describe('Operation: delete', () => {
  beforeEach(() => invoke({ operation: 'create', payload: { Item: { id: '1', name: 'Bob' } } }));

  it('deletes the item and answers {}', async () => {
    expect(
      await invoke({ operation: 'delete', tableName: 'lambda-apigateway', payload: { Key: { id: '1' } } })
    ).toStrictEqual({});
    expect(await storedItem('1')).toBeUndefined();
  });

  it('answers {Attributes} with the deleted item when ReturnValues is ALL_OLD', async () => {
    const answer = await invoke({ operation: 'delete', payload: { Key: { id: '1' }, ReturnValues: 'ALL_OLD' } });
    expect(answer).toStrictEqual({ Attributes: { id: '1', name: 'Bob' } });
    expect(await invoke({ operation: 'read', payload: { Key: { id: '1' } } })).toStrictEqual({});
  });
});

describe('Operation: list', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];

  beforeEach(async () => {
    for (const id of ids) await invoke({ operation: 'create', payload: { Item: { id, name: `name-${id}` } } });
  });

  it('answers {Items, Count, ScannedCount} for the whole table, with no payload at all', async () => {
    const answer = (await invoke({ operation: 'list', tableName: 'lambda-apigateway' })) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(['Count', 'Items', 'ScannedCount']);
    expect(answer.Count).toBe(5);
    expect(answer.ScannedCount).toBe(5);
    expect((answer.Items as { id: string }[]).map((item) => item.id).sort()).toEqual(ids);
  });

  it('pages through the table with Limit and ExclusiveStartKey', async () => {
    const seen: string[] = [];
    let start: unknown;
    let pages = 0;
    do {
      const page = (await invoke({
        operation: 'list',
        payload: { Limit: 2, ...(start ? { ExclusiveStartKey: start } : {}) },
      })) as { Items: { id: string }[]; Count: number; LastEvaluatedKey?: unknown };
      expect(page.Count).toBeLessThanOrEqual(2);
      seen.push(...page.Items.map((item) => item.id));
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start && pages < 10);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.sort()).toEqual(ids);
  });

  it('filters with FilterExpression and ExpressionAttributeValues', async () => {
    const answer = await invoke({
      operation: 'list',
      payload: {
        FilterExpression: '#n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 'name-c' },
      },
    });
    expect(answer).toMatchObject({ Items: [{ id: 'c', name: 'name-c' }], Count: 1, ScannedCount: 5 });
  });
});

describe('Operations echo and ping', () => {
  it('answers "Success" to the tutorial echo request, whatever its payload', async () => {
    const answer = await invoke({ operation: 'echo', payload: { somekey1: 'somevalue1', somekey2: 'somevalue2' } });
    expect(answer).toBe('Success');
  });

  it('answers "pong" to ping', async () => {
    expect(await invoke({ operation: 'ping' })).toBe('pong');
  });

  it('never touches the table', async () => {
    const before = await dynamo.snapshot();
    await invoke({ operation: 'echo', payload: { Item: { id: 'x' } } });
    await invoke({ operation: 'ping', payload: { Item: { id: 'y' } } });
    expect(await dynamo.snapshot()).toEqual(before);
  });
});

describe('Answers', () => {
  it('never carry the SDK v3 $metadata', async () => {
    const answers = [
      await invoke({ operation: 'create', payload: { Item: { id: '1' } } }),
      await invoke({ operation: 'read', payload: { Key: { id: '1' } } }),
      await invoke({
        operation: 'update',
        payload: { Key: { id: '1' }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': 1 } },
      }),
      await invoke({ operation: 'list' }),
      await invoke({ operation: 'delete', payload: { Key: { id: '1' } } }),
    ];
    for (const answer of answers) expect(answer).not.toHaveProperty('$metadata');
  });
});
