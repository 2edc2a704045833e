import { failNextDocumentClientCall, type LocalDynamo, loadHandler, startDynalite } from '../helpers/dynalite';

type Handler = Awaited<ReturnType<typeof loadHandler>>['handler'];

let dynamo: LocalDynamo;
let handler: Handler;
let lines: string[];

beforeAll(async () => {
  dynamo = await startDynalite();
  ({ handler } = await loadHandler(dynamo));
});

afterAll(() => dynamo.close());

beforeEach(() => {
  lines = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  for (const method of ['info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation(() => {
      throw new Error(`the handler logged through console.${method}; it should write one console.log line`);
    });
  }
});

afterEach(() => jest.restoreAllMocks());

/** Invokes the handler, ignoring its answer, and returns what it logged. */
async function logOf(event: unknown, awsRequestId = 'request-1'): Promise<string[]> {
  lines = [];
  await handler(event, { awsRequestId }).catch(() => undefined);
  return lines;
}

// Values that would only reach the log by copying an item or a key into it.
const PERSONAL = { id: 'patient-7f3a', name: 'Jane Personal-Data', email: 'jane@example.org' };

describe('Invocation log', () => {
  it('writes exactly one JSON line per invocation, with the fields an operator needs', async () => {
    const logged = await logOf({ operation: 'create', payload: { Item: PERSONAL } }, 'req-create');
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]) as Record<string, unknown>;
    expect(line).toEqual({
      level: 'INFO',
      requestId: 'req-create',
      operation: 'create',
      table: 'lambda-apigateway',
      outcome: 'Success',
      durationMs: expect.any(Number),
    });
    expect(line.durationMs).toBeGreaterThan(0);
  });

  it.each([
    ['create', { Item: PERSONAL }],
    ['read', { Key: { id: PERSONAL.id } }],
    [
      'update',
      {
        Key: { id: PERSONAL.id },
        UpdateExpression: 'SET email = :e',
        ExpressionAttributeValues: { ':e': PERSONAL.email },
      },
    ],
    [
      'list',
      {
        FilterExpression: '#n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': PERSONAL.name },
      },
    ],
    ['delete', { Key: { id: PERSONAL.id }, ReturnValues: 'ALL_OLD' }],
  ])('holds no item data for %s', async (operation, payload) => {
    await handler({ operation: 'create', payload: { Item: PERSONAL } }, { awsRequestId: 'seed' });
    const logged = await logOf({ operation, payload });
    expect(logged).toHaveLength(1);
    for (const value of Object.values(PERSONAL)) expect(logged[0]).not.toContain(value);
  });

  it('holds no item data when the request is refused', async () => {
    // The client's message quotes the bad id; the log line must not.
    const logged = await logOf({ operation: 'create', payload: { Item: { ...PERSONAL, id: [PERSONAL.id] } } });
    expect(JSON.parse(logged[0])).toMatchObject({ level: 'WARN', operation: 'create', outcome: 'BadRequest' });
    for (const value of Object.values(PERSONAL)) expect(logged[0]).not.toContain(value);
  });

  it('logs the class of a refusal as its outcome', async () => {
    const outcomes = [
      await logOf({ operation: 'drop' }),
      await logOf({ operation: 'list', tableName: 'another-table' }),
      await logOf({
        operation: 'update',
        payload: {
          Key: { id: 'absent' },
          UpdateExpression: 'SET a = :a',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':a': 1 },
        },
      }),
    ].map((logged) => JSON.parse(logged[0]) as Record<string, unknown>);
    expect(outcomes).toEqual([
      expect.objectContaining({ operation: null, table: null, outcome: 'BadRequest', level: 'WARN' }),
      expect.objectContaining({ operation: 'list', table: 'lambda-apigateway', outcome: 'Forbidden' }),
      expect.objectContaining({ operation: 'update', outcome: 'Conflict' }),
    ]);
  });

  it('logs echo and ping without a table', async () => {
    expect(JSON.parse((await logOf({ operation: 'ping' }))[0])).toMatchObject({
      operation: 'ping',
      table: null,
      outcome: 'Success',
    });
  });

  it('logs the underlying error of an Internal failure, which the client never sees', async () => {
    failNextDocumentClientCall(Object.assign(new Error('socket hang up'), { name: 'NetworkingError' }));
    const logged = await logOf({ operation: 'create', payload: { Item: PERSONAL } });
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]) as {
      level: string;
      outcome: string;
      error: { name: string; message: string; stack: string };
    };
    expect(line).toMatchObject({
      level: 'ERROR',
      outcome: 'Internal',
      error: { name: 'NetworkingError', message: 'socket hang up' },
    });
    expect(line.error.stack).toMatch(/^at /);
    for (const value of Object.values(PERSONAL)) expect(logged[0]).not.toContain(value);
  });

  it('logs a null requestId rather than failing when there is no context', async () => {
    lines = [];
    await handler({ operation: 'ping' });
    expect(JSON.parse(lines[0])).toMatchObject({ requestId: null, outcome: 'Success' });
  });
});
