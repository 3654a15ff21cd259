interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for one kind of write: items submitted while a batch is being written wait and go
 * together in the next one, so under load one round trip carries many, and alone an item goes at
 * once (no timer). One batch is in flight at a time, and items leave in the order they came.
 * When `keyOf` is given, two items with one key never share a batch (a multi-row UPDATE applies
 * only one change per row): the later one waits for the next batch.
 */
export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = false;

  constructor(
    /** Writes a batch; answers one result per item, in order. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly keyOf?: (item: I) => string,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.take();
        try {
          const results = await this.write(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(results[i]));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private take(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    for (const w of this.waiting) {
      const key = this.keyOf?.(w.item);
      const clash = key !== undefined && keys.has(key);
      if (batch.length >= this.maxBatch || clash) rest.push(w);
      else {
        batch.push(w);
        if (key !== undefined) keys.add(key);
      }
    }
    this.waiting = rest;
    return batch;
  }
}
