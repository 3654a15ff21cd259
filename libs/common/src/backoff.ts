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

export interface RetryForOptions extends BackoffPolicy {
  /** How long to keep trying, from the first attempt; the last error is thrown after it. */
  totalMs: number;
  /** Which errors are worth another attempt (default: every one). */
  retriable?: (error: unknown) => boolean;
  /** Asked before each wait: true gives up at once with the error. */
  stopping?: () => boolean;
  /** Told of each failure that will be retried, and the wait before the next attempt. */
  onRetry?: (error: unknown, delayMs: number) => void;
}

/** The errors kafkajs and Reflex mark as worth retrying (`retriable: true`). */
export const markedRetriable = (error: unknown): boolean =>
  (error as { retriable?: unknown } | null)?.retriable === true;

/**
 * Runs `attempt` until it succeeds, waiting with capped backoff between failures, for at most
 * `totalMs`: what starts up against a dependency that may still be coming (a broker starting, topics
 * being created) and must fail, not hang, if it never comes.
 */
export async function retryFor<T>(attempt: () => Promise<T>, options: RetryForOptions): Promise<T> {
  const backoff = new Backoff(options);
  const deadline = Date.now() + options.totalMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const delay = backoff.next();
      const retriable = options.retriable?.(error) ?? true;
      if (!retriable || options.stopping?.() || Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
