import { Worker } from 'node:worker_threads';

export interface LockSamples {
  samples: number;
  /** Engine backends seen inside a transaction (running a statement or between statements). */
  inTransaction: number;
  /** Of those, the ones waiting for an advisory lock. */
  waiting: number;
  percent: number;
}

/** Runs in a worker thread of its own: the engines' event loop, when busy, must not starve it. */
const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Client } = require('pg');
const SQL = \`SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction')) AS open,
                    count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory') AS waiting
               FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND backend_type = 'client backend'\`;
let stopping = false;
parentPort.on('message', () => { stopping = true; });
(async () => {
  const client = new Client({ connectionString: workerData.url });
  await client.connect();
  const totals = { samples: 0, inTransaction: 0, waiting: 0 };
  while (!stopping) {
    const { rows } = await client.query(SQL);
    totals.samples += 1;
    totals.inTransaction += Number(rows[0].open);
    totals.waiting += Number(rows[0].waiting);
    await new Promise((resolve) => setTimeout(resolve, workerData.intervalMs));
  }
  await client.end();
  parentPort.postMessage(totals);
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

/**
 * The database's own view of lock waiting: every `intervalMs`, which of the engines' backends are
 * inside a transaction and which of those wait for an advisory lock. Unlike the time the engine
 * measures around its lock statements, it does not count a lock already granted whose answer waits
 * for the event loop (two engines in one process share one loop).
 */
export class LockSampler {
  private constructor(private readonly worker: Worker) {}

  static start(url: string, intervalMs = 10): LockSampler {
    return new LockSampler(new Worker(SAMPLER, { eval: true, workerData: { url, intervalMs } }));
  }

  async stop(): Promise<LockSamples> {
    const totals = await new Promise<Omit<LockSamples, 'percent'> & { error?: string }>(
      (resolve, reject) => {
        this.worker.once('message', resolve);
        this.worker.once('error', reject);
        this.worker.postMessage('stop');
      },
    );
    await this.worker.terminate();
    if (totals.error) throw new Error(`lock sampler: ${totals.error}`);
    const { samples, inTransaction, waiting } = totals;
    return {
      samples,
      inTransaction,
      waiting,
      percent: inTransaction > 0 ? (100 * waiting) / inTransaction : Number.NaN,
    };
  }
}
