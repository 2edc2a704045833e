/**
 * Requests that used to stall or stop the local server's DynamoDB, sent over real
 * HTTP to a running server: through the REST API as the tutorial's users send them,
 * and to DYNAMODB_PORT with the AWS SDK (what the function and the AWS CLI use) or
 * as raw bodies no SDK would build. Each time, other clients are still served and
 * nothing written changes.
 */
import * as path from 'node:path';
import '../helpers/quiet-sdk';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { STALL_MS } from '../../local/dynamodb/worker-host';
import { cleanUp, curlPost, inParallel, request, type RunningServer, startServer, synthesize, tempDir } from './harness';

const TABLE = 'lambda-apigateway';
const NESTING = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';
const REDUNDANT = 'The expression has redundant parentheses;';
const FAULT = path.join(__dirname, 'fault', 'end-dynalite-worker.js');
const STALL_S = STALL_MS / 1000;

let server: RunningServer;
let api: string;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  const outDir = synthesize({ API_THROTTLE_RATE_LIMIT: '10000', API_THROTTLE_BURST_LIMIT: '5000' });
  // On disk, so that a replaced worker has the data to show; the preload is inert but for one marked key.
  server = await startServer({ env: { CDKTF_OUTDIR: outDir, DATA_DIR: tempDir('data'), NODE_OPTIONS: `--require ${FAULT}` } });
  api = `${server.url}/prod/DynamoDBManager`;
  // One attempt: the SDK's retries of a 500 would hide what the server answered.
  dynamodb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.dynamodbPort}`,
    region: 'us-east-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const seeded = await curlPost(api, JSON.stringify({ operation: 'create', payload: { Item: { id: 'seed', name: 'Bob' } } }));
  expect(seeded.status).toBe(200);
});

afterAll(async () => {
  dynamodb?.destroy();
  await server?.stop();
  cleanUp();
});

/** Every item, in DynamoDB's JSON, sorted by id. */
async function snapshot(): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => (a.id.S ?? '').localeCompare(b.id.S ?? ''));
}

const rest = (event: object) => curlPost(api, JSON.stringify(event));

/** `count` reads of the seeded item through the REST API, all answered 200 with it. */
async function othersServed(count = 10): Promise<void> {
  const reads = await inParallel(count, 5, () => rest({ operation: 'read', payload: { Key: { id: 'seed' } } }));
  expect(reads.map((read) => [read.status, read.body])).toEqual(Array(count).fill([200, '{"Item":{"id":"seed","name":"Bob"}}']));
}

/** A DynamoDB API request with a body no SDK would build; signed in form (dynalite checks the form). */
function rawDynamoDB(operation: string, body: string) {
  return request(`http://127.0.0.1:${server.dynamodbPort}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20250101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/us-east-2/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body,
  });
}

/** What the SDK throws for the request `send` makes: its error name, message and HTTP status. */
async function refusal(send: () => Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await send();
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the request succeeded');
}

const wrapped = (depth: number, inner: string) => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;

/** `{"M":{"n":...}}` `levels` deep around a string, as JSON text (JSON.stringify would recurse). */
const nestedJson = (levels: number) => `${'{"M":{"n":'.repeat(levels)}{"S":"leaf"}${'}}'.repeat(levels)}`;

describe('nothing a client sends stalls or stops DynamoDB for the others', () => {
  test("a FilterExpression in 30 parentheses, a ConditionExpression so wrapped on create, update and delete, and 30 parentheses left open get DynamoDB's own 400 at once; others are served meanwhile and nothing changes", async () => {
    const before = await snapshot();
    const started = performance.now();
    const condition = wrapped(30, 'attribute_exists(id)');
    const [list, create, update, remove] = await Promise.all([
      rest({ operation: 'list', payload: { FilterExpression: wrapped(30, 'a = :v'), ExpressionAttributeValues: { ':v': 1 } } }),
      rest({ operation: 'create', payload: { Item: { id: 'seed', name: 'Mallory' }, ConditionExpression: condition } }),
      rest({ operation: 'update', payload: { Key: { id: 'seed' }, UpdateExpression: 'SET #n = :n', ConditionExpression: condition, ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': 'Mallory' } } }),
      rest({ operation: 'delete', payload: { Key: { id: 'seed' }, ConditionExpression: condition } }),
      othersServed(),
    ]);
    expect(list).toMatchObject({ status: 400, body: JSON.stringify({ message: `DynamoDB rejected the request: Invalid FilterExpression: ${REDUNDANT}` }) });
    for (const refused of [create, update, remove]) {
      expect(refused).toMatchObject({ status: 400, body: JSON.stringify({ message: `DynamoDB rejected the request: Invalid ConditionExpression: ${REDUNDANT}` }) });
    }
    // Thousands of levels, straight to DynamoDB: the same answer.
    expect(await refusal(() => dynamodb.send(new ScanCommand({ TableName: TABLE, FilterExpression: wrapped(2000, 'a = :v'), ExpressionAttributeValues: { ':v': { N: '1' } } })))).toEqual({
      name: 'ValidationException',
      message: `Invalid FilterExpression: ${REDUNDANT}`,
      status: 400,
    });
    // A typo, parentheses left open: DynamoDB's syntax error (dynalite took 11 s for 8 of them).
    expect(await refusal(() => dynamodb.send(new ScanCommand({ TableName: TABLE, FilterExpression: `${'('.repeat(30)}a = :v`, ExpressionAttributeValues: { ':v': { N: '1' } } })))).toEqual({
      name: 'ValidationException',
      message: 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: ":v"',
      status: 400,
    });
    expect((performance.now() - started) / 1000).toBeLessThan(STALL_S); // Answered, not timed out.
    expect(await snapshot()).toEqual(before);
    expect(server.output()).not.toContain('replaced it');
  });

  test("a map nested 7,000 levels in an Item, or in a read's Key, gets DynamoDB's nesting error; the server stays up and nothing changes", async () => {
    const before = await snapshot();
    const put = await rawDynamoDB('PutItem', `{"TableName":"${TABLE}","Item":{"id":{"S":"deep"},"m":${nestedJson(7000)}}}`);
    const get = await rawDynamoDB('GetItem', `{"TableName":"${TABLE}","Key":{"id":${nestedJson(7000)}}}`);
    expect([put.status, JSON.parse(put.body)]).toEqual([400, { __type: 'com.amazon.coral.validate#ValidationException', message: `1 validation error detected: ${NESTING}` }]);
    expect([get.status, JSON.parse(get.body)]).toEqual([400, { __type: 'com.amazon.coral.validate#ValidationException', message: NESTING }]);
    await othersServed();
    expect(await snapshot()).toEqual(before);
    expect(server.process.exitCode).toBeNull();
  });

  test(`a request that keeps dynalite busy (a FilterExpression nested 12 levels, parsed in exponential time) gets 500 after ${STALL_S} s and again at once when retried; a read and a write sent meanwhile are served, and the data is intact`, async () => {
    let filter = 'a = :v';
    for (let i = 0; i < 12; i++) filter = `(a = :v AND ${filter})`;
    const busy = () => dynamodb.send(new ScanCommand({ TableName: TABLE, FilterExpression: filter, ExpressionAttributeValues: { ':v': { N: '1' } } }));
    const started = performance.now();
    const stuck = refusal(busy);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [read, write] = await Promise.all([
      dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } } })),
      dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'during' }, n: { N: '1' } } })),
    ]);
    expect(read.Item).toEqual({ id: { S: 'seed' }, name: { S: 'Bob' } });
    expect(write.$metadata.httpStatusCode).toBe(200);
    expect(await stuck).toEqual({ name: 'InternalServerError', message: 'Internal server error', status: 500 });
    expect((performance.now() - started) / 1000).toBeGreaterThanOrEqual(STALL_S);

    const again = performance.now();
    expect(await refusal(busy)).toMatchObject({ name: 'InternalServerError', status: 500 });
    expect((performance.now() - again) / 1000).toBeLessThan(STALL_S);
    expect(server.output()).toContain(`DynamoDB: the embedded DynamoDB was busy with a Scan on ${TABLE} for over ${STALL_S} s, serving no one; replaced it with a new one on the same data.`);
    const items = await snapshot();
    expect(items.map((item) => item.id.S)).toEqual(['during', 'seed']);
    await othersServed();
  });

  test('a worker that ends on an error (injected: no known request ends it now) is replaced on the same data: that request gets 500, and the others are served, by the retries the SDKs make of a 500', async () => {
    const before = await snapshot();
    // As the function and the AWS CLI are configured: retries of a 500 included.
    const retrying = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.dynamodbPort}`, region: 'us-east-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const [crashed, reads] = await Promise.all([
      refusal(() => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'end-the-worker' } } }))),
      inParallel(10, 5, () => retrying.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } } }))),
    ]).finally(() => retrying.destroy());
    expect(crashed).toEqual({ name: 'InternalServerError', message: 'Internal server error', status: 500 });
    expect(reads.map((read) => read.Item?.name)).toEqual(Array(10).fill({ S: 'Bob' }));
    expect(server.output()).toMatch(/DynamoDB: the embedded DynamoDB stopped on an error: injected failure in dynalite; replaced it with a new one on the same data\./);
    expect(await snapshot()).toEqual(before);
    expect((await rest({ operation: 'create', payload: { Item: { id: 'after', name: 'Alice' } } })).status).toBe(200);
  });
});

describe("DynamoDB's limits, enforced as DynamoDB enforces them", () => {
  test('an attribute nested 32 levels is stored and read back; 33 levels are refused, in an item and in an expression value', async () => {
    const deep = (levels: number) => JSON.parse(nestedJson(levels - 1)) as AttributeValue;
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'deep-32' }, m: deep(32) } }));
    expect((await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'deep-32' } } }))).Item?.m).toEqual(deep(32));
    const before = await snapshot();
    expect(await refusal(() => dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'deep-33' }, m: deep(33) } })))).toEqual({
      name: 'ValidationException',
      message: `1 validation error detected: ${NESTING}`,
      status: 400,
    });
    expect(
      await refusal(() => dynamodb.send(new UpdateItemCommand({ TableName: TABLE, Key: { id: { S: 'deep-32' } }, UpdateExpression: 'SET m = :m', ExpressionAttributeValues: { ':m': deep(33) } }))),
    ).toMatchObject({ name: 'ValidationException', message: `1 validation error detected: ${NESTING}` });
    expect(await snapshot()).toEqual(before);
  });

  test('sizes are counted in UTF-8 bytes: a 2,049-byte partition key and a 400 KB item of two-byte characters are refused, though dynalite counted characters; nothing is written', async () => {
    const before = await snapshot();
    expect(await refusal(() => dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${'é'.repeat(1024)}x` } } })))).toEqual({
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
      status: 400,
    });
    expect(await refusal(() => dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'big' }, s: { S: 'é'.repeat(205_000) } } })))).toEqual({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
      status: 400,
    });
    expect(await snapshot()).toEqual(before);
    // At the limits, both are written.
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'é'.repeat(1024) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'big' }, s: { S: 'é'.repeat(204_790) } } }));
  });

  test("an update whose result would pass 400 KB in bytes is refused by dynalite's own check, counting bytes now", async () => {
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'growing' }, a: { S: 'é'.repeat(150_000) } } }));
    const before = await snapshot();
    const update = new UpdateItemCommand({ TableName: TABLE, Key: { id: { S: 'growing' } }, UpdateExpression: 'SET b = :b', ExpressionAttributeValues: { ':b': { S: 'é'.repeat(60_000) } } });
    expect(await refusal(() => dynamodb.send(update))).toEqual({ name: 'ValidationException', message: 'Item size to update has exceeded the maximum allowed size', status: 400 });
    expect(await snapshot()).toEqual(before);
  });

  test('a 4,097-byte expression and a 33-element document path are refused with DynamoDB\'s messages', async () => {
    const path4096 = `a${'b'.repeat(4095)}`;
    expect((await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } }, ProjectionExpression: path4096 }))).$metadata.httpStatusCode).toBe(200);
    expect(await refusal(() => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } }, ProjectionExpression: `${path4096}c` })))).toEqual({
      name: 'ValidationException',
      message: 'Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;',
      status: 400,
    });
    expect(await refusal(() => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } }, ProjectionExpression: `a${'.b'.repeat(32)}` })))).toEqual({
      name: 'ValidationException',
      message: 'Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33',
      status: 400,
    });
  });

  test("an update of 301 operators is refused through the REST API, naming the problem, and one of 300 is applied; an IN of 101 operands and a 256-byte placeholder get DynamoDB's messages, 100 and 255 are served", async () => {
    const update = (n: number) => `SET ${Array.from({ length: n }, (_, i) => `n${i}=:v+:v`).join(',')}`;
    const within = (n: number) => Array.from({ length: n }, (_, i) => `:v${i}`).join(',');
    const values = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`:v${i}`, { N: String(i) }]));
    const before = await snapshot();
    expect(await rest({ operation: 'update', payload: { Key: { id: 'ops' }, UpdateExpression: update(301), ExpressionAttributeValues: { ':v': 1 } } })).toMatchObject({
      status: 400,
      body: JSON.stringify({ message: 'DynamoDB rejected the request: Invalid UpdateExpression: The expression contains too many operators; operator count: 301' }),
    });
    expect(await rest({ operation: 'list', payload: { FilterExpression: `n0 IN (${within(101)})`, ExpressionAttributeValues: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`:v${i}`, i])) } })).toMatchObject({
      status: 400,
      body: JSON.stringify({ message: 'DynamoDB rejected the request: Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101' }),
    });
    expect(await refusal(() => dynamodb.send(new ScanCommand({ TableName: TABLE, FilterExpression: `n0 IN (${within(101)})`, ExpressionAttributeValues: values(101) })))).toEqual({
      name: 'ValidationException',
      message: 'Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101',
      status: 400,
    });
    const placeholder = (bytes: number) => `#${'p'.repeat(bytes - 1)}`;
    expect(await refusal(() => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } }, ProjectionExpression: placeholder(256), ExpressionAttributeNames: { [placeholder(256)]: 'name' } })))).toEqual({
      name: 'ValidationException',
      message: 'ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256',
      status: 400,
    });
    expect(await snapshot()).toEqual(before);
    // At the limits, each is served.
    expect((await rest({ operation: 'update', payload: { Key: { id: 'ops' }, UpdateExpression: update(300), ExpressionAttributeValues: { ':v': 1 } } })).status).toBe(200);
    const ops = (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'ops' } } }))).Item ?? {};
    expect([Object.keys(ops).length, ops.n0, ops.n299]).toEqual([301, { N: '2' }, { N: '2' }]);
    const found = await dynamodb.send(new ScanCommand({ TableName: TABLE, FilterExpression: `n0 IN (${within(100)})`, ExpressionAttributeValues: values(100) }));
    expect(found.Items?.map((item) => item.id.S)).toEqual(['ops']);
    const read = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'seed' } }, ProjectionExpression: placeholder(255), ExpressionAttributeNames: { [placeholder(255)]: 'name' } }));
    expect(read.Item).toEqual({ name: { S: 'Bob' } });
  });

  test('an attribute name of 65,535 bytes is stored and read back; one of 65,536 is refused with DynamoDB\'s message, in an item and in a value to set', async () => {
    const name = (bytes: number) => 'n'.repeat(bytes);
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'long-name' }, [name(65_535)]: { S: 'x' } } }));
    expect((await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'long-name' } } }))).Item?.[name(65_535)]).toEqual({ S: 'x' });
    const before = await snapshot();
    const TOO_LARGE = { name: 'ValidationException', message: '1 validation error detected: Attribute name is too large, must be less than 65536 bytes', status: 400 };
    expect(await refusal(() => dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'longer-name' }, [name(65_536)]: { S: 'x' } } })))).toEqual(TOO_LARGE);
    expect(
      await refusal(() => dynamodb.send(new UpdateItemCommand({ TableName: TABLE, Key: { id: { S: 'long-name' } }, UpdateExpression: 'SET m = :m', ExpressionAttributeValues: { ':m': { M: { [name(65_536)]: { N: '1' } } } } }))),
    ).toEqual(TOO_LARGE);
    expect(await snapshot()).toEqual(before);
  });

  test('an attribute named __proto__, which dynalite would drop without a word, is refused, naming it', async () => {
    const before = await snapshot();
    const put = await rawDynamoDB('PutItem', `{"TableName":"${TABLE}","Item":{"id":{"S":"proto"},"__proto__":{"S":"x"},"a":{"N":"1"}}}`);
    expect(put.status).toBe(400);
    expect(JSON.parse(put.body).message).toMatch(/cannot store an attribute named __proto__ .* Rename the attribute\.$/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('client mistakes are client errors, and nothing is lost silently', () => {
  test("a number beyond a double (1e400), a map nested 100,000 levels and an attribute named __proto__ get 400 through the REST API, naming the attribute; nothing is written", async () => {
    const before = await snapshot();
    const infinite = await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"n","v":1e400}}}');
    expect(infinite.status).toBe(400);
    expect(JSON.parse(infinite.body).message).toMatch(/^payload\.Item\.v is a number too large to carry \(it reads as Infinity\)/);
    const deep = await curlPost(api, `{"operation":"create","payload":{"Item":{"id":"deep","v":${'{"n":'.repeat(100_000)}1${'}'.repeat(100_000)}}}}`);
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.body).message).toMatch(/^payload\.Item\.v(\.n){32} is nested deeper than the 32 levels DynamoDB allows/);
    const proto = await curlPost(api, '{"operation":"create","payload":{"Item":{"id":"pp1","__proto__":{"x":1},"a":1}}}');
    expect(proto.status).toBe(400);
    expect(JSON.parse(proto.body).message).toBe(
      'payload.Item has an attribute named "__proto__", which the AWS SDK would drop without a word when it converts the item for DynamoDB. Rename the attribute.',
    );
    expect(await snapshot()).toEqual(before);
    await othersServed();
  });
});
