// The set-up of the specs that read the engine's tables: one engine on the real broker and database
// and a client of that database, started before the describe block's tests and stopped after.
import type { InventoryV1 } from '@reflex/contracts';
import { Client } from 'pg';
import { resetDecisions } from './database';
import { startedOnly, startTestEngine, type TestEngine } from './engine-app';
import { http } from './http';

export interface EngineWithDatabase {
  readonly engine: TestEngine;
  readonly db: Client;
  /** PUT /v1/inventory, which must answer 200. */
  putInventory(inventory: InventoryV1): Promise<void>;
  /** Empties what the engine decided (resetDecisions), then puts `inventory`. */
  resetTo(inventory: InventoryV1): Promise<void>;
}

/** Call at the top of a describe block, as engineWithDriver; `env` as startTestEngine's. */
export function engineWithDatabase(env: Record<string, string> = {}): EngineWithDatabase {
  const started: { engine?: TestEngine; db?: Client } = {};
  beforeAll(async () => {
    started.engine = await startTestEngine(env);
    started.db = new Client({ connectionString: started.engine.database.url });
    await started.db.connect();
  });
  afterAll(async () => {
    await started.db?.end();
    await started.engine?.close();
  });
  const ctx: EngineWithDatabase = {
    get engine() {
      return startedOnly(started.engine, 'the engine');
    },
    get db() {
      return startedOnly(started.db, 'the database client');
    },
    putInventory: async (inventory) =>
      expect((await http('PUT', `${ctx.engine.url}/v1/inventory`, inventory)).status).toBe(200),
    resetTo: async (inventory) => {
      await resetDecisions((sql) => ctx.db.query(sql));
      await ctx.putInventory(inventory);
    },
  };
  return ctx;
}
