import type { InventoryV1 } from '@reflex/contracts';
import type { Client } from 'pg';
import { LOCK_STATEMENT, queryStats } from '../../support/query-log';

/** Production defaults: CPU_OVERCOMMIT 4, MEMORY_OVERCOMMIT 1. */
const CPU_OVERCOMMIT = 4;

export interface Commitment {
  moves: number;
  /** Hosts whose instances plus the moves promised to them exceed what placement may use. */
  overCommitted: string[];
  /** Moves onto a host that is itself among the failed ones. */
  ontoFailed: number;
}

/**
 * Over-commit after a storm, as an operator would check it: every move the live plans hold
 * (running or still to run) applied to the inventory, each host's load against its capacity.
 */
export async function commitment(
  db: Client,
  inventory: InventoryV1,
  failed: ReadonlySet<string>,
): Promise<Commitment> {
  const moves = await db.query<{ instance: string; to: string }>(
    `SELECT a.params->>'instanceId' AS instance, a.params->>'toHostId' AS to
       FROM actions a JOIN plans p ON p.id = a.plan_id
      WHERE a.type IN ('evacuate', 'live-migrate', 'cold-migrate')
        AND a.state IN ('pending', 'running')
        AND p.state IN ('pending_approval', 'pending', 'running')`,
  );
  const where = new Map(inventory.instances.map((i) => [i.id, i.hostId]));
  for (const move of moves.rows) where.set(move.instance, move.to);
  const load = new Map<string, { vcpus: number; memoryMb: number }>();
  for (const instance of inventory.instances) {
    const hostId = where.get(instance.id)!;
    const used = load.get(hostId) ?? { vcpus: 0, memoryMb: 0 };
    used.vcpus += instance.resources.vcpus;
    used.memoryMb += instance.resources.memoryMb;
    load.set(hostId, used);
  }
  const overCommitted = inventory.hosts
    .filter((h) => {
      const used = load.get(h.id);
      return (
        used !== undefined &&
        (used.vcpus > h.capacity.vcpus * CPU_OVERCOMMIT || used.memoryMb > h.capacity.memoryMb)
      );
    })
    .map((h) => h.id);
  const ontoFailed = moves.rows.filter((m) => failed.has(m.to)).length;
  return { moves: moves.rows.length, overCommitted, ontoFailed };
}

/** Which advisory lock a statement of plan-locks.ts or the alarm store takes, by its text. */
function lockKind(sql: string): string {
  if (sql.includes('FROM unnest($2::text[]) AS t(c)')) return 'cells';
  if (sql.includes('hashtext($2)')) return 'dispatch';
  if (sql.includes('DISTINCT hashtext(r)')) return 'alarm resources';
  return 'other';
}

/**
 * Of all statement time since the last reset, the share spent waiting for advisory locks (cells,
 * dispatch, alarm resources), with the milliseconds of each kind and of who waited for it (intake,
 * the ticker...).
 */
export function lockShare(): { percent: number; lockMs: number; totalMs: number; byKind: string } {
  const stats = queryStats();
  const totalMs = stats.reduce((ms, q) => ms + q.totalMs, 0);
  const kinds = new Map<string, number>();
  for (const q of stats.filter((s) => s.sql.startsWith(LOCK_STATEMENT))) {
    const caller = /\[([^\]]+)\]$/.exec(q.sql)?.[1] ?? 'other';
    const kind = `${lockKind(q.sql)} (${caller})`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + q.totalMs);
  }
  const lockMs = [...kinds.values()].reduce((a, b) => a + b, 0);
  const byKind = [...kinds].map(([kind, ms]) => `${kind} ${Math.round(ms)} ms`).join(', ');
  return { percent: totalMs > 0 ? (100 * lockMs) / totalMs : Number.NaN, lockMs, totalMs, byKind };
}
