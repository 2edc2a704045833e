import { type LocalDynamo, startDynalite } from '../../scripts/support/dynalite';
import { failNextDocumentClientCall, loadHandler } from '../helpers/handler';

type Handler = Awaited<ReturnType<typeof loadHandler>>['handler'];

/** One console call: the method, and what Lambda's JSON log format would make of its one argument. */
interface Logged {
  readonly method: string;
  readonly record: Record<string, unknown>;
  /** The record as it reaches CloudWatch, inside the line's `message`. */
  readonly text: string;
}

let dynamo: LocalDynamo;
let handler: Handler;
let lines: Logged[];

beforeAll(async () => {
  dynamo = await startDynalite();
  ({ handler } = await loadHandler(dynamo));
});

afterAll(() => dynamo.close());

beforeEach(() => {
  lines = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      // Lambda puts a lone argument into `message` as it is; several would be formatted into one string.
      if (args.length !== 1 || typeof args[0] !== 'object' || args[0] === null) {
        throw new Error(`console.${method} was called with ${JSON.stringify(args)}; each record must be one object`);
      }
      lines.push({ method, record: args[0] as Record<string, unknown>, text: JSON.stringify(args[0]) });
    });
  }
});

afterEach(() => jest.restoreAllMocks());

/** Invokes the handler, ignoring its answer, and returns what it logged. */
async function logOf(event: unknown, awsRequestId = 'request-1'): Promise<Logged[]> {
  lines = [];
  await handler(event, { awsRequestId }).catch(() => undefined);
  return lines;
}

// Values that would only reach the log by copying an item or a key into it.
const PERSONAL = { id: 'patient-7f3a', name: 'Jane Personal-Data', email: 'jane@example.org' };

describe('Invocation log', () => {
  it('writes exactly one record per invocation, with the fields an operator needs, through console.info on success', async () => {
    const logged = await logOf({ operation: 'create', payload: { Item: PERSONAL } }, 'req-create');
    expect(logged).toHaveLength(1);
    expect(logged[0].method).toBe('info');
    const line = logged[0].record;
    expect(line).toEqual({
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
    for (const value of Object.values(PERSONAL)) expect(logged[0].text).not.toContain(value);
  });

  it('holds no item data when the request is refused', async () => {
    // The client's message quotes the bad id; the log line must not.
    const logged = await logOf({ operation: 'create', payload: { Item: { ...PERSONAL, id: [PERSONAL.id] } } });
    expect(logged[0]).toMatchObject({ method: 'warn', record: { operation: 'create', outcome: 'BadRequest' } });
    for (const value of Object.values(PERSONAL)) expect(logged[0].text).not.toContain(value);
  });

  it('logs the class of a refusal as its outcome, through console.warn', async () => {
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
    ].map((logged) => logged[0]);
    expect(outcomes).toEqual([
      { method: 'warn', record: expect.objectContaining({ operation: null, table: null, outcome: 'BadRequest' }), text: expect.any(String) },
      { method: 'warn', record: expect.objectContaining({ operation: 'list', table: 'lambda-apigateway', outcome: 'Forbidden' }), text: expect.any(String) },
      { method: 'warn', record: expect.objectContaining({ operation: 'update', outcome: 'Conflict' }), text: expect.any(String) },
    ]);
  });

  it('logs echo and ping without a table', async () => {
    expect((await logOf({ operation: 'ping' }))[0].record).toMatchObject({
      operation: 'ping',
      table: null,
      outcome: 'Success',
    });
  });

  it('logs the underlying error of an Internal failure, which the client never sees, through console.error', async () => {
    failNextDocumentClientCall(Object.assign(new Error('socket hang up'), { name: 'NetworkingError' }));
    const logged = await logOf({ operation: 'create', payload: { Item: PERSONAL } });
    expect(logged).toHaveLength(1);
    expect(logged[0].method).toBe('error');
    const line = logged[0].record as { outcome: string; error: { name: string; message: string; stack: string } };
    expect(line).toMatchObject({
      outcome: 'Internal',
      error: { name: 'NetworkingError', message: 'socket hang up' },
    });
    expect(line.error.stack).toMatch(/^at /);
    for (const value of Object.values(PERSONAL)) expect(logged[0].text).not.toContain(value);
  });

  it('logs a null requestId rather than failing when there is no context', async () => {
    lines = [];
    await handler({ operation: 'ping' });
    expect(lines[0].record).toMatchObject({ requestId: null, outcome: 'Success' });
  });
});
