/**
 * An invocation's log as Lambda files it, in both log formats, and the tail that
 * `--log-type Tail` returns: the last 4 KB, cut by bytes as Lambda cuts it.
 */
import { invocationLog, LOG_TAIL_BYTES, logTail } from '../../local/lambda/invocation-log';
import type { FunctionModel } from '../../local/stack/model';

const FUNCTION = {
  name: 'Fn',
  arn: 'arn:aws:lambda:eu-west-1:000000000000:function:Fn',
  memoryMb: 128,
  logFormat: 'Text',
  systemLogLevel: 'INFO',
} as FunctionModel;
const REPORT = { requestId: 'r-1', startedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6), durationMs: 12.3456, initDurationMs: 150.5, maxMemoryUsedMb: 64, status: 'success' } as const;

test("the Text format: START, the function's lines, END and REPORT, billed for init and run in whole milliseconds", () => {
  expect(invocationLog(FUNCTION, REPORT, '2026-01-02T03:04:05.010Z\tr-1\tINFO\thello\n')).toBe(
    'START RequestId: r-1 Version: $LATEST\n' +
      '2026-01-02T03:04:05.010Z\tr-1\tINFO\thello\n' +
      'END RequestId: r-1\n' +
      'REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 163 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 150.50 ms\t\n',
  );
  expect(invocationLog(FUNCTION, { ...REPORT, initDurationMs: undefined, status: 'timeout' }, '')).toMatch(/\tBilled Duration: 13 ms\t.*\tMax Memory Used: 64 MB\tStatus: timeout\t\n$/);
});

test('the JSON format: platform.start and platform.report records, which a system log level of WARN drops', () => {
  const json = { ...FUNCTION, logFormat: 'JSON' } as FunctionModel;
  const lines = invocationLog(json, REPORT, '{"level":"INFO"}\n').trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual([
    { time: '2026-01-02T03:04:05.006Z', type: 'platform.start', record: { requestId: 'r-1', functionArn: FUNCTION.arn, version: '$LATEST' } },
    { level: 'INFO' },
    {
      time: '2026-01-02T03:04:05.018Z',
      type: 'platform.report',
      record: { requestId: 'r-1', metrics: { durationMs: 12.346, billedDurationMs: 163, memorySizeMB: 128, maxMemoryUsedMB: 64, initDurationMs: 150.5 }, status: 'success' },
    },
  ]);
  expect(invocationLog({ ...json, systemLogLevel: 'WARN' } as FunctionModel, REPORT, '{"level":"WARN"}\n')).toBe('{"level":"WARN"}\n');
});

test('the tail is the last 4 KB of the log, by bytes, base64-encoded', () => {
  const log = `${'a'.repeat(5000)}é${'z'.repeat(LOG_TAIL_BYTES - 1)}`;
  const tail = Buffer.from(logTail(log), 'base64');
  expect(tail.length).toBe(LOG_TAIL_BYTES);
  // 'é' is two bytes: the cut falls between them, as a cut by bytes does.
  expect(tail.subarray(1).toString()).toBe('z'.repeat(LOG_TAIL_BYTES - 1));
  expect(Buffer.from(logTail('short'), 'base64').toString()).toBe('short');
});
