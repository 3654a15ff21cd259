import type { ChangeFeedRepository, Watermarks } from './change-feed.repository';
import { type Change, CHANGE_POLL_MS, ChangeFeed } from './change-feed.service';

/** The database as the feed reads it: watermarks the test moves, and the plans behind an event. */
class Tables {
  marks: Watermarks = { planEvent: '10', alarm: '5', inventory: '1', progress: new Map() };
  planEvents: Array<{ id: number; planId: string }> = [];
  reads = 0;
  failing = false;

  repository(): ChangeFeedRepository {
    return {
      watermarks: async () => {
        this.reads += 1;
        if (this.failing) throw new Error('connection lost');
        return { ...this.marks, progress: new Map(this.marks.progress) };
      },
      plansChangedAfter: async (after: string) => [
        ...new Set(this.planEvents.filter((e) => e.id > Number(after)).map((e) => e.planId)),
      ],
    } as unknown as ChangeFeedRepository;
  }

  event(planId: string): void {
    const id = Number(this.marks.planEvent) + 1;
    this.planEvents.push({ id, planId });
    this.marks.planEvent = String(id);
  }
}

describe('ChangeFeed', () => {
  let tables: Tables;
  let feed: ChangeFeed;
  const tick = () => jest.advanceTimersByTimeAsync(CHANGE_POLL_MS);

  beforeEach(() => {
    jest.useFakeTimers();
    tables = new Tables();
    feed = new ChangeFeed(tables.repository());
  });
  afterEach(() => {
    feed.onModuleDestroy();
    jest.useRealTimers();
  });

  function listen(): { changes: Change[]; ended: () => boolean; stop: () => void } {
    const changes: Change[] = [];
    let ended = false;
    const stop = feed.subscribe({ send: (c) => changes.push(c), end: () => (ended = true) });
    return { changes, ended: () => ended, stop };
  }

  it('reads nothing while no console listens, and stops when the last one leaves', async () => {
    await tick();
    expect(tables.reads).toBe(0);
    const a = listen();
    const b = listen();
    await tick();
    expect(tables.reads).toBe(1);
    a.stop();
    await tick();
    expect(tables.reads).toBe(2);
    b.stop();
    await tick();
    await tick();
    expect(tables.reads).toBe(2);
  });

  it('tells every console which plans changed, by timeline entry or by progress alone', async () => {
    const a = listen();
    const b = listen();
    await tick(); // the baseline: nothing to report
    await tick();
    expect(a.changes).toEqual([]);

    tables.event('p1');
    tables.event('p2');
    tables.event('p1');
    await tick();
    expect(a.changes).toEqual([{ plans: ['p1', 'p2'], alarms: false, inventory: false }]);
    expect(b.changes).toEqual(a.changes);

    tables.marks.progress.set('p3', 40);
    await tick();
    tables.marks.progress.set('p3', 55);
    tables.marks.alarm = '6';
    tables.marks.inventory = '2';
    await tick();
    expect(a.changes.slice(1)).toEqual([
      { plans: ['p3'], alarms: false, inventory: false },
      { plans: ['p3'], alarms: true, inventory: true },
    ]);
  });

  it('keeps going through a failed read, and reports what changed meanwhile', async () => {
    const a = listen();
    await tick();
    tables.failing = true;
    tables.event('p9');
    await tick();
    expect(a.changes).toEqual([]);
    tables.failing = false;
    await tick();
    expect(a.changes).toEqual([{ plans: ['p9'], alarms: false, inventory: false }]);
  });

  it('ends every stream when the engine shuts down', async () => {
    const a = listen();
    feed.onModuleDestroy();
    expect(a.ended()).toBe(true);
    await tick();
    expect(tables.reads).toBe(0);
  });
});
