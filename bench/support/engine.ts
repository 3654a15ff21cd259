import type { InventoryV1 } from '@reflex/contracts';
import { Client } from 'pg';
import { startTestEngine, type TestEngine } from '../../test/support/engine-app';
import { track } from './cleanup';
import { ignoreClient } from './query-log';

export type { TestEngine };

/**
 * A real engine in this process (the test suite's own harness): its own database and topic prefix
 * on the bench's broker, the shipped rules, production defaults otherwise. Quiet logs and no rule
 * watcher: neither is what is being measured.
 */
export async function startBenchEngine(env: Record<string, string> = {}): Promise<TestEngine> {
  return track(
    await startTestEngine({
      LOG_LEVEL: 'error',
      RULES_WATCH: 'false',
      TOPIC_PARTITIONS: '6',
      ...env,
    }),
  );
}

/** `PUT /v1/inventory`, failing loudly: a bench on an inventory the engine refused measures nothing. */
export async function putInventory(engine: TestEngine, inventory: InventoryV1): Promise<void> {
  const response = await fetch(`${engine.url}/v1/inventory`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inventory),
  });
  if (!response.ok) {
    throw new Error(
      `PUT /v1/inventory: ${response.status} ${(await response.text()).slice(0, 500)}`,
    );
  }
}

/** A plain client on the engine's database, for reading what it decided. */
export async function databaseClient(engine: TestEngine): Promise<Client> {
  const client = new Client({ connectionString: engine.database.url });
  ignoreClient(client);
  await client.connect();
  return client;
}

export async function count(client: Client, sql: string, params: unknown[] = []): Promise<number> {
  const result = await client.query<{ n: string }>(sql, params);
  return Number(result.rows[0]?.n ?? 0);
}
