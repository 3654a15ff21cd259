// Sends a storm as producers do: Kafka messages keyed by resource id, and HTTP posts, each retried
// until acknowledged (the broker or the engine may be down at that moment). A retry may deliver a
// message twice; the engine must store it once all the same.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ChaosCluster } from './cluster';
import type { StormItem } from './storm';

export interface StormStats {
  kafka: number;
  http: number;
  kafkaRetries: number;
  httpRetries: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StormRunner {
  private producer: Producer | null = null;
  private readonly kafka: Kafka;
  readonly stats: StormStats = {
    kafka: 0,
    http: 0,
    kafkaRetries: 0,
    httpRetries: 0,
    durationMs: 0,
  };

  constructor(
    private readonly cluster: ChaosCluster,
    brokers: string,
    private readonly failHost: (hostId: string) => Promise<void>,
  ) {
    this.kafka = new Kafka({
      clientId: 'chaos-storm',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /** Sends every item at its time (or as soon after as the channel allows); resolves when all are acknowledged. */
  async run(items: readonly StormItem[], httpWorkers = 4): Promise<StormStats> {
    const started = Date.now();
    const failed = new Set<string>();
    // A host goes down in the simulator before its alarm leaves, whichever channel carries it.
    const prepare = async (item: StormItem) => {
      if (item.failHost && !failed.has(item.failHost)) {
        failed.add(item.failHost);
        await this.failHost(item.failHost);
      }
    };
    const due = (item: StormItem) => sleep(Math.max(0, started + item.at - Date.now()));

    const kafkaItems = items.filter((i) => i.channel === 'kafka');
    const kafkaDone = (async () => {
      for (let i = 0; i < kafkaItems.length;) {
        await due(kafkaItems[i]);
        const batch: StormItem[] = [];
        while (i < kafkaItems.length && started + kafkaItems[i].at <= Date.now()) {
          batch.push(kafkaItems[i++]);
        }
        for (const item of batch) await prepare(item);
        await this.sendKafka(batch);
      }
    })();

    const httpItems = items.filter((i) => i.channel === 'http');
    let next = 0;
    const worker = async () => {
      while (next < httpItems.length) {
        const item = httpItems[next++];
        await due(item);
        await prepare(item);
        await this.sendHttp(item);
      }
    };
    await Promise.all([kafkaDone, ...Array.from({ length: httpWorkers }, worker)]);
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
    this.stats.durationMs = Date.now() - started;
    return this.stats;
  }

  private async sendKafka(batch: StormItem[]): Promise<void> {
    if (batch.length === 0) return;
    for (;;) {
      try {
        if (!this.producer) {
          const producer = this.kafka.producer({
            createPartitioner: Partitioners.DefaultPartitioner,
            allowAutoTopicCreation: false,
          });
          await producer.connect();
          this.producer = producer;
        }
        await this.producer.send({
          topic: `${this.cluster.prefix}alarms`,
          acks: -1,
          messages: batch.map((item) => ({
            key: item.alarm.resource.id,
            value: JSON.stringify(item.alarm),
          })),
        });
        this.stats.kafka += batch.length;
        return;
      } catch {
        this.stats.kafkaRetries += 1;
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = null;
        await sleep(500);
      }
    }
  }

  private async sendHttp(item: StormItem): Promise<void> {
    for (;;) {
      const engine = this.cluster.engine();
      if (engine) {
        try {
          const res = await fetch(`${engine.url}/v1/alarms`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(item.alarm),
            signal: AbortSignal.timeout(30_000),
          });
          await res.text();
          if (res.status === 202) {
            this.stats.http += 1;
            return;
          }
          if (res.status === 400) {
            throw new Error(`the engine refused a valid alarm: ${JSON.stringify(item.alarm)}`);
          }
        } catch (error) {
          if ((error as Error).message.startsWith('the engine refused')) throw error;
        }
      }
      this.stats.httpRetries += 1;
      await sleep(300);
    }
  }
}
