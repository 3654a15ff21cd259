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

/** How every advisory lock statement begins; the log appends ` [caller]` to its key. */
export const LOCK_STATEMENT = 'SELECT pg_advisory_xact_lock';
/** Who waits for an advisory lock, from the awaited call chain (Node keeps `async` frames). */
const CALLERS: Array<[RegExp, string]> = [
  // Rule facts (zone losses) reach the lock through json-rules-engine's plain promises.
  [/IngestAlarmUseCase|LiveFactSource|RecentHostDowns/, 'intake'],
  [/PlanTicker/, 'ticker'],
  [/WaitingIntents/, 'waiting decisions'],
  [/PlanCommands/, 'operator'],
  // A planning batch's own lock, where the chain above it went through a plain promise.
  [/BatchCells|PlanningBatch/, 'planning batch'],
];

function lockCaller(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return CALLERS.find(([pattern]) => pattern.test(stack))?.[1] ?? 'other';
}
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
    let key = text.replace(/\s+/g, ' ').trim().slice(0, 100);
    if (key.startsWith(LOCK_STATEMENT)) key += ` [${lockCaller()}]`;
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
