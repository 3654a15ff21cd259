import type { INestApplication } from '@nestjs/common';
import { loadDriverConfig, type DriverConfig } from '@reflex/config';
import { createHttpApp } from '@reflex/platform';
import { DriverModule } from '../../apps/driver/src/driver.module';
import { type DriverSettings } from '../../apps/driver/src/settings/driver-settings';
import { createTestDatabase, type TestDatabase } from './database';
import { listenOnFreePort } from './free-port';
import { testTopicPrefix } from './kafka';

export interface TestDriver {
  app: INestApplication;
  /** Base URL of the listening driver, e.g. http://127.0.0.1:41234. */
  url: string;
  config: Readonly<DriverConfig>;
  settings: Readonly<DriverSettings>;
  database: TestDatabase;
  /** Closes the app; drops the database only if this driver created it. */
  close(): Promise<void>;
}

export interface TestDriverOptions {
  /** Overrides any variable (DRIVER_BACKENDS_FILE, DRIVER_HOOKS_FILE, DRIVER_REPLICA_ID...). */
  env?: Record<string, string>;
  /** Share a database (and so the simulated cloud and `driver_actions`) with another replica. */
  database?: TestDatabase;
}

/** The environment a test driver runs with: the suite's broker, a fresh prefix, quick polling. */
export function testDriverEnv(
  database: TestDatabase,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
    DATABASE_URL: database.url,
    TOPIC_PREFIX: testTopicPrefix(),
    TOPIC_PARTITIONS: '3',
    TOPIC_REPLICATION_FACTOR: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SIMULATOR_CONTROL: '1',
    DRIVER_PROGRESS_INTERVAL_MS: '100',
    DRIVER_LEASE_MS: '3000',
    DRIVER_ABORT_GRACE_MS: '5000',
    ...env,
  };
}

/**
 * Boots a real driver in this process: its own database (or a shared one, for replicas), its own
 * topic prefix on the suite's broker (or the given TOPIC_PREFIX), listening on a free port.
 */
export async function startTestDriver(options: TestDriverOptions = {}): Promise<TestDriver> {
  const owned = !options.database;
  const database = options.database ?? (await createTestDatabase('driver'));
  const env = testDriverEnv(database, options.env);
  const config = loadDriverConfig(env);
  const settings: DriverSettings = config;
  const app = await createHttpApp(DriverModule.register(config), {
    service: 'driver',
    title: 'Reflex driver',
    description: 'test',
    config,
    largeBodies: [{ path: '/v1/sim/state', limit: '64mb' }],
  });
  return {
    app,
    url: await listenOnFreePort(app),
    config,
    settings,
    database,
    close: async () => {
      await app.close();
      if (owned) await database.drop();
    },
  };
}
