import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Gives the event loop a turn now and then during a long run of work whose awaits resolve without
 * I/O (cached reads, in-memory planning). Such awaits chain as microtasks, which the loop runs to
 * the end before any timer or socket: a storm's batch of several hundred decisions held a process
 * for close to a second, its Kafka heartbeats, HTTP answers and every other transaction's replies
 * waiting behind it.
 */
export class Turns {
  private last = performance.now();

  constructor(private readonly everyMs = 20) {}

  /** Resolves at once, or after a turn of the event loop if `everyMs` of work went by without one. */
  async take(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await nextTurn();
    this.last = performance.now();
  }
}
