/**
 * One line per request: time, method, path, status, duration. Lines are gathered
 * and written once per turn of the event loop, so a burst of requests costs one
 * write, not one per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class AccessLog {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly out: NodeJS.WritableStream) {}

  track(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    res.once('finish', () => {
      const ms = (performance.now() - started).toFixed(1);
      const time = new Date().toISOString().slice(11, 23);
      this.pending.push(`${time} ${req.method} ${req.url} ${res.statusCode} ${ms} ms\n`);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    this.out.write(this.pending.join(''));
    this.pending = [];
  }
}
