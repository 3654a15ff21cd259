// A Reflex deployment for one chaos scenario: engines and drivers as child processes sharing one
// database (as in docker-compose.yml) and one topic prefix on the given broker.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryV1 } from '@reflex/contracts';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { http } from '../../support/http';
import { testTopicPrefix } from '../../support/kafka';
import { liveOverlaps } from './checks';
import { Rng } from './cloud';
import { CHAOS_DIR, ROOT, ServiceProcess } from './service-process';
import { freePort } from '../../support/free-port';

export interface ClusterOptions {
  label: string;
  brokers: string;
  engines: number;
  drivers: number;
  rulesDir?: string;
  engineEnv?: Record<string, string>;
  driverEnv?: Record<string, string>;
}

/** What both services get; the short session timeout makes a killed consumer's partitions move on. */
function commonEnv(o: ClusterOptions, db: TestDatabase, prefix: string): Record<string, string> {
  return {
    KAFKA_BROKERS: o.brokers,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '6',
    TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_FETCH_MAX_WAIT_MS: '100',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    SHUTDOWN_TIMEOUT_MS: '20000',
  };
}

export class ChaosCluster {
  readonly engines: ServiceProcess[] = [];
  readonly drivers: ServiceProcess[] = [];
  readonly pool: Pool;
  private readonly rng = new Rng(7);

  private constructor(
    readonly options: ClusterOptions,
    readonly database: TestDatabase,
    readonly prefix: string,
  ) {
    this.pool = new Pool({ connectionString: database.url, max: 3, application_name: 'chaos' });
    // A terminated connection (the database-loss scenario) must not crash the test process.
    this.pool.on('error', () => undefined);
  }

  static async create(options: ClusterOptions): Promise<ChaosCluster> {
    const database = await createTestDatabase(`chaos_${options.label}`);
    const prefix = testTopicPrefix();
    const cluster = new ChaosCluster(options, database, prefix);
    const common = commonEnv(options, database, prefix);
    mkdirSync(CHAOS_DIR, { recursive: true });
    const backends = join(CHAOS_DIR, `backends-${options.label}.json`);
    // Fast enough that a storm's plans finish within the scenario, slow enough to kill mid-action.
    writeFileSync(
      backends,
      JSON.stringify({ simulator: { bandwidthMbps: 2000, timedOperationMs: 1000 } }),
    );
    for (let i = 1; i <= options.engines; i++) {
      cluster.engines.push(
        new ServiceProcess(`${options.label}-engine-${i}`, 'engine', {
          ...common,
          PORT: String(await freePort()),
          RULES_DIR: options.rulesDir ?? join(ROOT, 'rules'),
          RULES_WATCH: 'false',
          CPU_OVERCOMMIT: '4',
          MEMORY_OVERCOMMIT: '1',
          ...options.engineEnv,
        }),
      );
    }
    for (let i = 1; i <= options.drivers; i++) {
      cluster.drivers.push(
        new ServiceProcess(`${options.label}-driver-${i}`, 'driver', {
          ...common,
          PORT: String(await freePort()),
          SIMULATOR_CONTROL: '1',
          DRIVER_BACKENDS_FILE: backends,
          // Stable across restarts, as a StatefulSet pod name: a restarted driver takes its own
          // unfinished actions back at once.
          DRIVER_REPLICA_ID: `${options.label}-driver-${i}`,
          DRIVER_LEASE_MS: '3000',
          // The checks read every operation the simulator ran: keep them for the whole run.
          SIMULATOR_RETAIN_MS: '86400000',
          DRIVER_PROGRESS_INTERVAL_MS: '500',
          DRIVER_ABORT_GRACE_MS: '5000',
          ...options.driverEnv,
        }),
      );
    }
    return cluster;
  }

  get services(): ServiceProcess[] {
    return [...this.engines, ...this.drivers];
  }

  /** The first engine migrates the database and creates the topics; the rest start together. */
  async start(): Promise<void> {
    await this.engines[0].start();
    await Promise.all([...this.engines.slice(1), ...this.drivers].map((s) => s.start()));
  }

  /** Seeds the engine's inventory and the simulator with the same document. */
  async seed(cloud: InventoryV1): Promise<void> {
    const inv = await http('PUT', `${this.engines[0].url}/v1/inventory`, cloud);
    if (inv.status !== 200) throw new Error(`PUT /v1/inventory: ${inv.status}`);
    if (this.drivers.length === 0) return;
    const sim = await http('PUT', `${this.drivers[0].url}/v1/sim/state`, cloud);
    if (sim.status !== 200) throw new Error(`PUT /v1/sim/state: ${sim.status}`);
  }

  /** A running engine, picked at random (replicas are interchangeable for the API). */
  engine(): ServiceProcess | undefined {
    const live = this.engines.filter((e) => e.alive);
    return live.length ? this.rng.pick(live) : undefined;
  }

  driver(): ServiceProcess | undefined {
    const live = this.drivers.filter((d) => d.alive);
    return live.length ? this.rng.pick(live) : undefined;
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /** pg_terminate_backend on every connection to this cluster's database but the caller's. */
  async terminateConnections(): Promise<number> {
    const rows = await this.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [this.database.name],
    );
    return rows.filter((r) => r.terminated).length;
  }

  /** Plans not finished yet, and driver actions accepted and not finished. */
  async inFlight(): Promise<{ plans: number; actions: number }> {
    const [row] = await this.query<{ plans: string; actions: string }>(
      `SELECT (SELECT count(*) FROM plans WHERE state IN ('pending', 'running', 'rolling_back')) AS plans,
              (SELECT count(*) FROM driver_actions WHERE finished_at IS NULL) AS actions`,
    );
    return { plans: Number(row.plans), actions: Number(row.actions) };
  }

  /** Resources two live plans work on at once; must stay empty. */
  liveOverlaps(): Promise<string[]> {
    return liveOverlaps(this);
  }

  /** Unexpected exits of any service so far. */
  crashes(): string[] {
    return this.services.flatMap((s) =>
      s.crashes.map((e) => `${s.name} exited by itself (code ${e.code}, signal ${e.signal})`),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.services.map((s) => s.close()));
    await this.pool.end().catch(() => undefined);
    // CHAOS_KEEP=1 keeps the database for a post-mortem (its name is in the logs' DATABASE_URL).
    if (process.env.CHAOS_KEEP !== '1') await this.database.drop().catch(() => undefined);
  }
}
