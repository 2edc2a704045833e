import type { ThrottleModel } from '../stack/model';

/** API Gateway's throttle: a bucket of `burstLimit` tokens, refilled at `rateLimit` per second; a request takes one. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly limits: ThrottleModel) {
    this.tokens = limits.burstLimit;
  }

  hasToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + ((now - this.last) / 1000) * this.limits.rateLimit);
    this.last = now;
    return this.tokens >= 1;
  }

  /** Only after hasToken() said yes, in the same turn of the event loop. */
  take(): void {
    this.tokens -= 1;
  }
}
