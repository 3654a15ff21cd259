import { Logger } from '@nestjs/common';
import { TransientError } from '@reflex/common';
import type { EngineConfig } from '@reflex/config';
import { Topic } from '@reflex/contracts/topics';
import type { MessageBus, OutgoingMessage } from '@reflex/messaging';
import type { OutboxRecord, OutboxRepository } from '@reflex/persistence';
import type { DeliveryLedger } from './delivery-ledger';
import type { OutboxAttemptRepository } from './outbox-attempt.repository';
import { OutboxRelay } from './outbox-relay.service';

/** The outbox as publishBatch sees it: a batch stays unpublished when `publish` throws. */
class MemoryOutbox {
  rows: (OutboxRecord & { published: boolean })[] = [];

  add(topic: Topic, key: string, value: unknown): void {
    const id = String(this.rows.length + 1);
    this.rows.push({ id, topic, key, value, headers: {}, createdAt: new Date(), published: false });
  }

  async publishBatch(limit: number, publish: (batch: OutboxRecord[]) => Promise<void>) {
    const batch = this.rows.filter((r) => !r.published).slice(0, limit);
    if (batch.length === 0) return 0;
    await publish(batch);
    batch.forEach((r) => (r.published = true));
    return batch.length;
  }
}

class MemoryAttempts {
  noted = new Map<string, Date>();
  async record(ids: readonly string[], at: Date) {
    const earlier = new Map([...this.noted].filter(([id]) => ids.includes(id)));
    for (const id of ids) if (!this.noted.has(id)) this.noted.set(id, at);
    return earlier;
  }
  async forget(ids: readonly string[]) {
    ids.forEach((id) => this.noted.delete(id));
  }
  async prune() {}
}

/** A broker that is down for the first `outage` publishes; `lostAcks` of them wrote before failing. */
class FlakyBus {
  sent: { topic: Topic; message: OutgoingMessage }[] = [];
  calls = 0;
  constructor(
    private outage: number,
    private lostAcks = 0,
  ) {}
  async publish(topic: Topic, messages: OutgoingMessage[]) {
    this.calls += 1;
    if (this.lostAcks > 0) {
      this.lostAcks -= 1;
      this.outage -= 1;
      messages.forEach((message) => this.sent.push({ topic, message }));
      throw new TransientError('request timed out');
    }
    if (this.outage > 0) {
      this.outage -= 1;
      throw new TransientError('broker unreachable');
    }
    messages.forEach((message) => this.sent.push({ topic, message }));
  }
}

const until = async (what: string, probe: () => boolean) => {
  for (let i = 0; i < 400; i++) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
};

function relayOver(outbox: MemoryOutbox, bus: FlakyBus, ledger: DeliveryLedger | null) {
  const attempts = new MemoryAttempts();
  const relay = new OutboxRelay(
    outbox as unknown as OutboxRepository,
    attempts as unknown as OutboxAttemptRepository,
    bus as unknown as MessageBus,
    { outboxPollMs: 10 } as EngineConfig,
    ledger,
  );
  return { relay, attempts };
}

describe('OutboxRelay', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('rides out a broker outage: retries with backoff, then publishes everything once, in order', async () => {
    const outbox = new MemoryOutbox();
    for (let n = 1; n <= 5; n++) outbox.add(Topic.Plans, 'p1', { n });
    const bus = new FlakyBus(3);
    const { relay, attempts } = relayOver(outbox, bus, null);
    relay.onApplicationBootstrap();
    await until('the backlog to be published', () => outbox.rows.every((r) => r.published));
    await relay.onModuleDestroy();
    expect(bus.calls).toBe(4);
    expect(bus.sent.map((s) => (s.message.value as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(bus.sent[0].message.headers).toEqual({ 'x-outbox-id': '1' });
    expect(attempts.noted.size).toBe(0);
  });

  it('does not resend what a failed publish had already written, when the broker has it', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(Topic.DriverCommands, 'a1', { kind: 'execute' });
    const bus = new FlakyBus(1, 1);
    const ledger: DeliveryLedger = {
      delivered: async (records) => new Set(records.map((r) => r.id)),
    };
    const { relay } = relayOver(outbox, bus, ledger);
    relay.onApplicationBootstrap();
    await until('the row to be published', () => outbox.rows[0].published);
    await relay.onModuleDestroy();
    expect(bus.sent).toHaveLength(1);
  });

  it('publishes at once when nudged, and stops cleanly', async () => {
    const outbox = new MemoryOutbox();
    const bus = new FlakyBus(0);
    const { relay } = relayOver(outbox, bus, null);
    relay.onApplicationBootstrap();
    outbox.add(Topic.Plans, 'p2', { n: 1 });
    relay.nudge();
    await until('the nudged row to be published', () => outbox.rows[0].published);
    await relay.onModuleDestroy();
    outbox.add(Topic.Plans, 'p2', { n: 2 });
    relay.nudge();
    await new Promise((resolve) => setImmediate(resolve));
    expect(outbox.rows[1].published).toBe(false);
  });
});
