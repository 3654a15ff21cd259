interface Submission<I, R> {
  items: readonly I[];
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

/**
 * Batches of items handed in by concurrent callers, run together: what is submitted in the same turn
 * of the event loop, or while the previous run is under way, goes into the next run (up to
 * `maxItems`, never splitting a submission), and each caller gets its own items' results. One run
 * at a time.
 *
 * For the alarms consumer: kafkajs hands each partition's batch to its own call, and each of them
 * took the planning cell's lock in a transaction of its own, one after another; together they take
 * it once. If a run fails, each submission runs again alone, so one caller's bad item costs the
 * others nothing but time.
 */
export class Coalescer<I, R> {
  private readonly waiting: Submission<I, R>[] = [];
  private draining = false;

  constructor(
    private readonly work: (items: I[]) => Promise<R[]>,
    private readonly maxItems: number,
  ) {}

  submit(items: readonly I[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // The other partitions' calls of the same fetch arrive in this turn: wait for them.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.run(this.take());
    } finally {
      this.draining = false;
    }
  }

  /** The next run's submissions, in arrival order: at least one, then up to `maxItems` items. */
  private take(): Submission<I, R>[] {
    const taken = [this.waiting.shift()!];
    let count = taken[0].items.length;
    while (this.waiting.length > 0 && count + this.waiting[0].items.length <= this.maxItems) {
      const next = this.waiting.shift()!;
      taken.push(next);
      count += next.items.length;
    }
    return taken;
  }

  private async run(taken: Submission<I, R>[]): Promise<void> {
    try {
      const results = await this.work(taken.flatMap((s) => s.items));
      let at = 0;
      for (const s of taken) {
        s.resolve(results.slice(at, at + s.items.length));
        at += s.items.length;
      }
    } catch (error) {
      if (taken.length === 1) {
        taken[0].reject(error);
        return;
      }
      for (const s of taken) {
        try {
          s.resolve(await this.work([...s.items]));
        } catch (alone) {
          s.reject(alone);
        }
      }
    }
  }
}
