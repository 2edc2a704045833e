/**
 * One invocation's log as Lambda files it in CloudWatch: the function's lines
 * between Lambda's own. In the Text format those are `START`, `END` and `REPORT`;
 * in the JSON format `platform.start` and `platform.report` records, which Lambda
 * sends at the system log level INFO, so WARN drops them (DEBUG adds records of
 * the runtime's phases that this server does not make). `aws lambda invoke
 * --log-type Tail` returns the last 4 KB of it (`logTail`).
 */
import type { FunctionModel } from '../stack/model';

/** How an invocation ended, in the words of Lambda's report. */
export type InvocationStatus = 'success' | 'error' | 'timeout';

/** What Lambda's report says of one invocation. */
export interface InvocationReport {
  readonly requestId: string;
  /** When the invocation started in its environment (epoch ms). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The environment's init, reported with the first invocation it serves only. */
  readonly initDurationMs: number | undefined;
  /** The environment's peak memory so far; undefined when it could not say (it crashed). */
  readonly maxMemoryUsedMb: number | undefined;
  readonly status: InvocationStatus;
}

/** How much of the end of an invocation's log `--log-type Tail` returns. */
export const LOG_TAIL_BYTES = 4096;

/** The invocation's whole log: Lambda's lines around `functionLines` (the function's output, each line ending in a newline). */
export function invocationLog(fn: FunctionModel, report: InvocationReport, functionLines: string): string {
  const { requestId } = report;
  // Billed since 2025 with the init phase included, in whole milliseconds.
  const billedMs = Math.ceil(report.durationMs + (report.initDurationMs ?? 0));
  const memoryUsed = report.maxMemoryUsedMb ?? fn.memoryMb;
  if (fn.logFormat === 'Text') {
    const fields = [
      `Duration: ${report.durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billedMs} ms`,
      `Memory Size: ${fn.memoryMb} MB`,
      `Max Memory Used: ${memoryUsed} MB`,
      ...(report.initDurationMs === undefined ? [] : [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`]),
      ...(report.status === 'timeout' ? ['Status: timeout'] : []),
    ];
    return [
      `START RequestId: ${requestId} Version: $LATEST\n`,
      functionLines,
      `END RequestId: ${requestId}\n`,
      `REPORT RequestId: ${requestId}\t${fields.join('\t')}\t\n`,
    ].join('');
  }
  if (fn.systemLogLevel === 'WARN') return functionLines;
  const start = { time: new Date(report.startedAt).toISOString(), type: 'platform.start', record: { requestId, functionArn: fn.arn, version: '$LATEST' } };
  const metrics = {
    durationMs: round3(report.durationMs),
    billedDurationMs: billedMs,
    memorySizeMB: fn.memoryMb,
    maxMemoryUsedMB: memoryUsed,
    ...(report.initDurationMs === undefined ? {} : { initDurationMs: round3(report.initDurationMs) }),
  };
  const end = { time: new Date(report.startedAt + report.durationMs).toISOString(), type: 'platform.report', record: { requestId, metrics, status: report.status } };
  return `${JSON.stringify(start)}\n${functionLines}${JSON.stringify(end)}\n`;
}

/** What `--log-type Tail` returns: the last LOG_TAIL_BYTES of `log`, base64-encoded (as Lambda cuts it, by bytes). */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

/** Now, in epoch milliseconds with a fraction: durations of a millisecond or less still show. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
