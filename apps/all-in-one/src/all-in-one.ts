import type { DynamicModule, INestApplication } from '@nestjs/common';
import { loadDriverConfig, loadEngineConfig } from '@reflex/config';
import { InProcessMessageBus } from '@reflex/messaging';
import { createHttpApp, MessagingModule } from '@reflex/platform';
import { DriverModule } from '../../driver/src';
import { EngineModule, engineBodyLimits } from '../../engine/src';
import type { AllInOneSettings } from './all-in-one.settings';
import { AllInOneDriverModule } from './all-in-one-driver.module';
import { seedDemoTopology } from './demo-seed';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

export interface AllInOne {
  engine: INestApplication;
  driver: INestApplication;
  /** e.g. http://127.0.0.1:3000 */
  engineUrl: string;
  driverUrl: string;
  /** What it runs on, in words, for the banner. */
  database: string;
  /** The embedded database's URL, for psql and the SQL views; null on a PostgreSQL server. */
  embeddedDatabaseUrl: string | null;
  transport: string;
  /** Whether this start seeded the demo topology (false: the inventory had something already). */
  seeded: boolean;
  /** Stops everything in order: the bus, both apps, then the embedded database. */
  close(): Promise<void>;
}

/** Connections per pool on the embedded database: it serves one statement at a time anyway. */
const EMBEDDED_POOL_SIZE = '4';

/**
 * Boots the engine and the driver in this process, through the same EngineModule and DriverModule
 * as the separate processes (`npm start` and the end-to-end specs both come here). Only what they
 * run on differs: the embedded PostgreSQL or DATABASE_URL, the in-process bus or Kafka.
 */
export async function startAllInOne(settings: AllInOneSettings): Promise<AllInOne> {
  let embedded: EmbeddedPostgres | null = null;
  let bus: InProcessMessageBus | null = null;
  let engine: INestApplication | null = null;
  let driver: INestApplication | null = null;
  // The bus first, so nothing is delivered to an app that is closing; the database last.
  const close = () =>
    closeInOrder([
      () => bus?.close(),
      () => driver?.close(),
      () => engine?.close(),
      () => embedded?.close(),
    ]);
  const poolSize = settings.env.DATABASE_POOL_SIZE ?? EMBEDDED_POOL_SIZE;
  const configs = (databaseUrl?: string) => {
    const database = settings.embedded
      ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: poolSize }
      : {};
    return {
      engineConfig: loadEngineConfig({
        ...settings.env,
        ...database,
        PORT: String(settings.enginePort),
      }),
      driverConfig: loadDriverConfig({
        ...settings.env,
        ...database,
        PORT: String(settings.driverPort),
        SIMULATOR_CONTROL: '1',
      }),
    };
  };
  // Every variable is checked before anything starts, so a bad one costs no database start-up.
  configs('postgres://postgres@127.0.0.1/postgres');
  try {
    if (settings.embedded) {
      embedded = await startEmbeddedPostgres({
        dataDir: settings.embedded.dataDir,
        maxConnections: 2 * Number(poolSize) + 4,
      });
    }
    const { engineConfig, driverConfig } = configs(embedded?.url);

    const shared = settings.inProcessBus
      ? new InProcessMessageBus({
          topicPrefix: engineConfig.topicPrefix,
          partitions: engineConfig.topicPartitions > 0 ? engineConfig.topicPartitions : undefined,
        })
      : null;
    bus = shared;
    const onTransport = (root: DynamicModule) =>
      shared ? MessagingModule.override(root, MessagingModule.forInstance(shared)) : root;

    // The engine first: it applies the migrations, which the driver then finds done. Both at once
    // would be safe on a server (advisory lock), but the embedded database is a single session, in
    // which that lock does not exclude anyone.
    engine = await createHttpApp(onTransport(EngineModule.register(engineConfig)), {
      service: 'all-in-one',
      title: 'Reflex engine (all-in-one)',
      description: 'Turns alarms into safe, audited plans of infrastructure actions (CONTRACT.md).',
      config: engineConfig,
      largeBodies: engineBodyLimits(engineConfig),
    });
    releaseSignals(engine);
    driver = await createHttpApp(
      AllInOneDriverModule.register(driverConfig, onTransport(DriverModule.register(driverConfig))),
      {
        service: 'all-in-one',
        title: 'Reflex driver (all-in-one, simulator)',
        description:
          'Executes plan actions on cloud backends and reports progress (CONTRACT.md §7).',
        config: driverConfig,
        largeBodies: [{ path: '/v1/sim/state', limit: '64mb' }],
      },
    );
    releaseSignals(driver);

    await engine.listen(engineConfig.port, engineConfig.host);
    await driver.listen(driverConfig.port, driverConfig.host);
    const seeded = settings.seed ? await seedDemoTopology(engine, driver) : false;
    return {
      engine,
      driver,
      engineUrl: urlOf(engine, engineConfig.host),
      driverUrl: urlOf(driver, driverConfig.host),
      database: embedded
        ? `embedded PostgreSQL (PGlite) ${embedded.dataDir ? `in ${embedded.dataDir}` : 'in memory'}`
        : `PostgreSQL at ${describeUrl(engineConfig.databaseUrl)}`,
      embeddedDatabaseUrl: embedded?.url ?? null,
      transport: shared ? 'in-process bus' : `Kafka at ${engineConfig.kafkaBrokers!.join(',')}`,
      seeded,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Runs every step even if one fails (one at a time, in order); rethrows the first failure. */
async function closeInOrder(steps: Array<() => Promise<void> | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw failures[0] instanceof Error ? failures[0] : new Error(String(failures[0]));
  }
}

/**
 * createHttpApp lets each app close itself on SIGINT/SIGTERM. Two apps sharing a bus and a
 * database must stop in order instead, so `close()` does it, when the caller decides.
 */
function releaseSignals(app: INestApplication): void {
  (app as unknown as { unsubscribeFromProcessSignals(): void }).unsubscribeFromProcessSignals();
}

/** Where a client on this machine reaches the app (a wildcard listener by its loopback address). */
function urlOf(app: INestApplication, host: string): string {
  const { port } = app.getHttpServer().address() as { port: number };
  const local = ['0.0.0.0', '127.0.0.1', 'localhost'].includes(host);
  const shown = local
    ? '127.0.0.1'
    : host === '::'
      ? '[::1]'
      : host.includes(':')
        ? `[${host}]`
        : host;
  return `http://${shown}:${port}`;
}

/** host:port/database without credentials. */
function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}
