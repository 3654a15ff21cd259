/** Delays that double from `initialMs` up to `maxMs`, for anything retried until it works. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Capped exponential backoff with a little jitter, so that many clients cut off by the same outage
 * do not all come back in the same millisecond. `next()` hands out the delay to wait before the
 * next attempt; `reset()` after a success starts again from the initial delay.
 */
export class Backoff {
  private current: number;
  private tries = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.current = policy.initialMs;
  }

  /** Attempts that have failed since the last reset. */
  get failures(): number {
    return this.tries;
  }

  next(): number {
    const base = this.current;
    this.tries += 1;
    this.current = Math.min(this.current * 2, this.policy.maxMs);
    // Up to 10% less than the nominal delay: never longer than the cap.
    return Math.max(1, Math.round(base * (1 - 0.1 * this.random())));
  }

  reset(): void {
    this.current = this.policy.initialMs;
    this.tries = 0;
  }
}
