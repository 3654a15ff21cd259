import { Client } from 'pg';

/**
 * Counts every query this process sends through `pg` (the engine's TypeORM pool included), by
 * statement text: database round trips per alarm, without any server-side extension. The bench's
 * own connections (`ignore`) are left out.
 */
export interface QueryStat {
  sql: string;
  calls: number;
  totalMs: number;
}

let stats: Map<string, QueryStat> | null = null;
const ignored = new WeakSet<object>();

export function ignoreClient(client: object): void {
  ignored.add(client);
}

export function startQueryLog(): void {
  if (stats) return;
  stats = new Map();
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (ignored.has(this)) return result;
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 100);
    const started = performance.now();
    const record = () => {
      const s = stats?.get(key) ?? { sql: key, calls: 0, totalMs: 0 };
      s.calls += 1;
      s.totalMs += performance.now() - started;
      stats?.set(key, s);
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(record, record);
    } else record();
    return result;
  };
}

/** Every statement since the last reset, the most time-consuming first. */
export function queryStats(): QueryStat[] {
  return [...(stats?.values() ?? [])].sort((a, b) => b.totalMs - a.totalMs);
}

export function totalQueries(): number {
  return queryStats().reduce((n, s) => n + s.calls, 0);
}

export function resetQueryLog(): void {
  stats?.clear();
}
