import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the suite uses: DATABASE_URL, else the local PostgreSQL. */
export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

const UNREACHABLE_HINT =
  'Start a local PostgreSQL 15+ on 127.0.0.1:5432 with user postgres, or set DATABASE_URL.';

/** Fails fast, naming the server and what to do, when PostgreSQL does not answer (suite, bench). */
export async function checkPostgres(): Promise<void> {
  const client = new Client({ connectionString: serverUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `Cannot reach PostgreSQL at ${serverUrl()} (${(error as Error).message}). ${UNREACHABLE_HINT}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach PostgreSQL at ${serverUrl()} (${(error as Error).message}). ${UNREACHABLE_HINT}`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own for one test file; `drop()` removes it. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `reflex_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(serverUrl(), name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/**
 * Empties what the engine decided and did (alarms, plans, outbox...) but keeps the schema, the rule
 * versions and the inventory, so the specs of one file start from the same state on one engine.
 */
export async function resetDecisions(query: (sql: string) => Promise<unknown>): Promise<void> {
  const keep = [
    'typeorm_migrations',
    'rule_versions',
    'hosts',
    'instances',
    'groups',
    'inventory_version',
  ];
  const tables = (await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)) as {
    rows: Array<{ tablename: string }>;
  };
  const names = tables.rows.map((r) => r.tablename).filter((t) => !keep.includes(t));
  if (names.length) await query(`TRUNCATE ${names.map((n) => `"${n}"`).join(', ')} CASCADE`);
}
