import type { INestApplication } from '@nestjs/common';
import { loadEngineConfig, type EngineConfig } from '@reflex/config';
import { createHttpApp } from '@reflex/platform';
import { EngineModule } from '../../apps/engine/src/engine.module';
import { engineBodyLimits } from '../../apps/engine/src/rules/dry-run-limits';
import { createTestDatabase, type TestDatabase } from './database';
import { listenOnFreePort } from './free-port';
import { testTopicPrefix } from './kafka';

export interface TestEngine {
  app: INestApplication;
  /** Base URL of the listening engine, e.g. http://127.0.0.1:41234. */
  url: string;
  config: Readonly<EngineConfig>;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * Boots a real engine in this process: its own database, its own topic prefix on the suite's broker,
 * listening on a free port. `env` overrides any variable (e.g. RULES_DIR, AUTH_TOKENS).
 */
export async function startTestEngine(env: Record<string, string> = {}): Promise<TestEngine> {
  const database = await createTestDatabase('engine');
  return boot(database, testTopicPrefix(), env, () => database.drop());
}

/**
 * A second engine of the same deployment as `of`: its database and topic prefix (so one consumer
 * group), listening on its own port. Closing it leaves the database to `of`.
 */
export function startEngineReplica(
  of: TestEngine,
  env: Record<string, string> = {},
): Promise<TestEngine> {
  return boot(of.database, of.config.topicPrefix, env, async () => undefined);
}

/**
 * An engine on a database and topic prefix the spec keeps: closing it leaves both, so a later engine
 * of the same deployment finds what this one left (its committed offsets, its inventory).
 */
export function startEngineOn(
  database: TestDatabase,
  topicPrefix: string,
  env: Record<string, string> = {},
): Promise<TestEngine> {
  return boot(database, topicPrefix, env, async () => undefined);
}

async function boot(
  database: TestDatabase,
  topicPrefix: string,
  env: Record<string, string>,
  release: () => Promise<void>,
): Promise<TestEngine> {
  const config = loadEngineConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: database.url,
    TOPIC_PREFIX: topicPrefix,
    TOPIC_PARTITIONS: '3',
    TOPIC_REPLICATION_FACTOR: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    RULES_DIR: `${__dirname}/../../rules`,
    ...env,
  });
  const app = await createHttpApp(EngineModule.register(config), {
    service: 'engine',
    title: 'Reflex engine',
    description: 'test',
    config,
    largeBodies: engineBodyLimits(config),
  });
  return {
    app,
    url: await listenOnFreePort(app),
    config,
    database,
    close: async () => {
      await app.close();
      await release();
    },
  };
}

/** What a describe-level helper started, read inside a test (before its beforeAll it is not). */
export function startedOnly<T>(value: T | undefined, what: string): T {
  if (!value) throw new Error(`${what} is not started: use it inside a test`);
  return value;
}
