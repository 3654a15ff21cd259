import type { INestApplication } from '@nestjs/common';
import { loadEngineConfig, type EngineConfig } from '@reflex/config';
import { createHttpApp } from '@reflex/platform';
import { EngineModule } from '../../apps/engine/src/engine.module';
import { ENGINE_LARGE_BODIES } from '../../apps/engine/src/large-bodies';
import { createTestDatabase, type TestDatabase } from './database';
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
  const config = loadEngineConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: database.url,
    TOPIC_PREFIX: testTopicPrefix(),
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
    largeBodies: ENGINE_LARGE_BODIES,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    config,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
