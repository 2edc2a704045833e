/**
 * SIGINT and SIGTERM as one request to stop, for `npm start` and `npm run invoke`.
 *
 * npm runs each of them through `exec`, so this process is npm's child and gets
 * what npm forwards; Ctrl-C in a terminal reaches npm and this process both, and npm
 * forwards its copy too. So a signal within DUPLICATE_SIGNAL_MS of the first is that
 * same request, delivered again; a later one means "now".
 */
import { performance } from 'node:perf_hooks';

const DUPLICATE_SIGNAL_MS = 500;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit status a shell reports for a process ended by `signal` (128 + its number). */
export const SIGNAL_EXIT_STATUS: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export class StopRequest {
  /** Resolves at the first signal. */
  readonly stopped: Promise<'stopped'>;
  private readonly controller = new AbortController();
  private receivedAt: number | undefined;
  private first: StopSignal | undefined;

  /** Listens from now on: the default action (dying at once, children left behind) no longer applies. */
  constructor() {
    this.stopped = new Promise((resolve) => this.controller.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.receive(signal));
  }

  /** Aborted at the first signal, with that signal's name as its reason. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first signal received, if any. */
  get reason(): StopSignal | undefined {
    return this.first;
  }

  private receive(signal: StopSignal): void {
    if (this.receivedAt === undefined) {
      this.receivedAt = performance.now();
      this.first = signal;
      this.controller.abort(signal);
      return;
    }
    if (performance.now() - this.receivedAt < DUPLICATE_SIGNAL_MS) return;
    process.stderr.write(`${signal} again: exiting without waiting.\n`);
    process.exit(SIGNAL_EXIT_STATUS[signal]);
  }
}
