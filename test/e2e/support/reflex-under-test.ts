import { startAllInOne } from '../../../apps/all-in-one/src/all-in-one';
import { allInOneSettings } from '../../../apps/all-in-one/src/all-in-one.settings';
import { ReflexClient } from '../../../scripts/demo/reflex-client';
import { createTestDatabase } from '../../support/database';
import { testTopicPrefix } from '../../support/kafka';
import { type RunningReflex, spawnAllInOne } from './spawn-all-in-one';

export interface ReflexUnderTest {
  reflex: RunningReflex;
  client: ReflexClient;
  /** Closes Reflex and removes what the configuration created for it (a test database). */
  stop(): Promise<void>;
}

export interface Configuration {
  name: string;
  start(): Promise<ReflexUnderTest>;
}

/** Quick enough for tests: fast migrations, frequent progress, no file watching, free ports. */
const COMMON: Record<string, string> = {
  PORT: '0',
  DRIVER_PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  SIMULATOR_BANDWIDTH_MBPS: '8000',
  DRIVER_PROGRESS_INTERVAL_MS: '100',
  RULES_WATCH: 'false',
  SHUTDOWN_TIMEOUT_MS: '10000',
};

/** The environment of this process without what would pick a configuration for us. */
function baseEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'AUTH_TOKENS', 'TOPIC_PREFIX', 'PORT']) {
    delete env[name];
  }
  return env;
}

const clientOf = (reflex: RunningReflex) => new ReflexClient(reflex.engineUrl, reflex.driverUrl);

/**
 * The two ways Reflex runs, both booted by `startAllInOne`, the function `npm start` runs, from the
 * sources (no `node dist/...`): the all-in-one on its embedded PostgreSQL and in-process bus (in a
 * child process, see all-in-one.child.ts), and the same engine and driver, in this process, on the
 * suite's Kafka broker and a PostgreSQL database of their own.
 */
export const CONFIGURATIONS: Configuration[] = [
  {
    name: 'in-process bus + embedded PostgreSQL (PGlite, in memory)',
    start: async () => {
      const reflex = await spawnAllInOne({ ...baseEnv(), ...COMMON }, ['--in-memory']);
      return { reflex, client: clientOf(reflex), stop: () => reflex.close() };
    },
  },
  {
    name: 'Kafka + PostgreSQL',
    start: async () => {
      const database = await createTestDatabase('e2e');
      try {
        // No argv: jest's own arguments (a spec path) are not the all-in-one's.
        const settings = allInOneSettings(
          {
            ...baseEnv(),
            ...COMMON,
            KAFKA_BROKERS: process.env.KAFKA_BROKERS,
            DATABASE_URL: database.url,
            TOPIC_PREFIX: testTopicPrefix(),
            TOPIC_PARTITIONS: '3',
            TOPIC_REPLICATION_FACTOR: '1',
          },
          [],
        );
        const reflex = await startAllInOne(settings);
        return {
          reflex,
          client: clientOf(reflex),
          stop: async () => {
            try {
              await reflex.close();
            } finally {
              await database.drop();
            }
          },
        };
      } catch (error) {
        await database.drop();
        throw error;
      }
    },
  },
];
