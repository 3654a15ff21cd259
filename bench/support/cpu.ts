import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

/**
 * CPU time spent over a stretch of a scenario: by this process (user + system), and by the
 * PostgreSQL backends serving one database. On a machine shared with other work, rates move with
 * the load; CPU time per item moves far less, so before/after comparisons read it first.
 */
export interface CpuSpent {
  processMs: number;
  /** The database's backends; NaN when their /proc entries cannot be read. */
  databaseMs: number;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc's clock ticks, 100 per second on Linux

/** utime + stime of a process, in ms, or null when it is gone or unreadable. */
function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), closed by the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

async function backends(db: Client): Promise<Map<number, number>> {
  const rows = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  const out = new Map<number, number>();
  for (const { pid } of rows.rows) {
    const ms = procCpuMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** Starts counting; `stop()` gives what was spent since. `db` is on the database to watch. */
export async function cpuMeter(db: Client): Promise<{ stop(): Promise<CpuSpent> }> {
  const process0 = process.cpuUsage();
  const before = await backends(db);
  const readable = before.size > 0;
  return {
    async stop() {
      const spent = process.cpuUsage(process0);
      const after = await backends(db);
      let databaseMs = 0;
      // A backend that started meanwhile counts whole; one that ended meanwhile is lost (the
      // engine's pool keeps its connections, so neither happens much).
      for (const [pid, ms] of after) databaseMs += ms - (before.get(pid) ?? 0);
      return {
        processMs: (spent.user + spent.system) / 1000,
        databaseMs: readable ? databaseMs : Number.NaN,
      };
    },
  };
}

/** CPU time this process spends in `work`, in ms. */
export async function processCpuMs(work: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / 1000;
}
