import { TransientError } from '@reflex/common';
import type { DataSource } from 'typeorm';
import {
  emptySimState,
  MAX_CALLS,
  type SimCall,
  type SimOperation,
  type SimSettings,
  type SimState,
} from './simulator.state';
import type { SimulatedDirectory, SimulatorStore } from './simulator.store';
import {
  type Cache,
  changesOf,
  isLive,
  type Kind,
  KINDS,
  rowKey,
  trackInventory,
} from './simulator-copy';
import { readSince, writeChanges } from './simulator-tables';

/** Finished operations kept at hand for the polls and inspects that follow their end. */
const FINISHED_CACHE = 20_000;
/** Most mutations per batch. */
const MAX_BATCH = 250;
/** Conflicts with other writers in a row before a batch gives up (each means one re-read). */
const MAX_CONFLICTS = 20;

interface Pending {
  mutate: (state: SimState) => unknown;
  operations: readonly string[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The simulated cloud in PostgreSQL, one row per host, instance, group, operation and call, with
 * a copy in memory.
 *
 * Calls are group-committed: every `update` waiting while one batch is written joins the next
 * batch, which catches up with what other writers did (rows newer than the copy's version), runs
 * its mutations in order on the copy, and writes only the rows they changed, in one statement
 * guarded by the version it started from. A writer that lost the race (another replica, or the
 * chaos suite's host failures, wrote in between) reads the cloud again and runs the batch anew;
 * so do the others of a batch when one mutation throws, which leaves nothing of that one saved.
 * Finished operations without capacity held leave the copy after their batch (they never change
 * again): the newest are kept aside, which answers polls of them without a round trip (`finished`),
 * and the others are fetched by key when a call names them; `prune` deletes them once their
 * driver action has long been final.
 */
export class PgSimulatorStore implements SimulatorStore {
  private cache: Cache | null = null;
  private readonly finishedOps = new Map<string, SimOperation>();
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly initialSettings: Partial<SimSettings> = {},
  ) {}

  /** Creates the cloud on first use; a driver that restarts keeps the cloud it had. */
  async ensure(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO simulator_meta (id, version, epoch, call_seq, settings, faults)
       VALUES (1, 0, 0, 0, $1::jsonb, '[]'::jsonb) ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(emptySimState(this.initialSettings).settings)],
    );
  }

  update<T>(mutate: (state: SimState) => T, operations: readonly string[] = []): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ mutate, operations, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** From the finished operations this process keeps (see `place`), never the database. */
  finished(key: string): SimOperation | undefined {
    return this.finishedOps.get(key);
  }

  async calls(): Promise<SimCall[]> {
    const rows = await this.dataSource.query<{ data: SimCall }[]>(
      `SELECT data FROM (SELECT seq, data FROM simulator_calls ORDER BY seq DESC LIMIT $1) c
       ORDER BY seq`,
      [MAX_CALLS],
    );
    return rows.map((r) => r.data);
  }

  /** Straight from the table, not the copy: always as fresh as the database. */
  async holding(wanted: SimulatedDirectory): Promise<SimulatedDirectory> {
    const asked = KINDS.flatMap((kind) => [...wanted[kind]].map((id) => [kind, id]));
    const rows = await this.dataSource.query<{ kind: Kind; id: string }[]>(
      `SELECT kind, id FROM simulator_inventory
       WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [asked.map(([kind]) => kind), asked.map(([, id]) => id)],
    );
    const held = (kind: Kind) => new Set(rows.filter((r) => r.kind === kind).map((r) => r.id));
    return { hosts: held('hosts'), instances: held('instances'), groups: held('groups') };
  }

  /**
   * Deletes finished operations whose driver action was final more than `retentionMs` ago (no
   * replica polls or inspects them any more: a redelivered command finds the final record and
   * never reaches the backend), and calls older than the newest `MAX_CALLS`.
   *
   * A deleted row carries no version, so catching up by version cannot see it go: a replica whose
   * copy still held such an operation as running (it was idle while another replica finished it)
   * would have "completed" it later and moved the instance. So the delete moves the epoch in the
   * same statement: every replica reads the cloud afresh, and a write guarded by the old version
   * fails and is run again on the fresh copy.
   */
  async prune(retentionMs: number): Promise<{ operations: number; calls: number }> {
    // A SELECT at the top: TypeORM answers with the rows (a DELETE alone answers [rows, count]).
    const ops = await this.dataSource.query<{ key: string }[]>(
      `WITH gone AS (
         DELETE FROM simulator_operations o USING driver_actions d
         WHERE o.status <> 'running' AND NOT o.holds_claim
           AND d.action_id = o.action_id AND d.attempt = o.attempt
           AND d.finished_at < now() - $1 * interval '1 millisecond'
         RETURNING o.key
       ), moved AS (
         UPDATE simulator_meta SET version = version + 1, epoch = epoch + 1
         WHERE id = 1 AND EXISTS (SELECT 1 FROM gone) RETURNING 1
       )
       SELECT key FROM gone`,
      [retentionMs],
    );
    const [calls] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM simulator_calls
       WHERE seq <= (SELECT call_seq FROM simulator_meta WHERE id = 1) - $1
       RETURNING seq`,
      [MAX_CALLS],
    );
    return { operations: ops.length, calls: calls.length };
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // Bounded: every mutation of a batch sees the batch's operations (advance, busy).
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.commit(batch);
        } catch (error) {
          // The write may or may not have happened: read everything again next time.
          this.cache = null;
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let conflicts = 0;
    for (let left = batch; left.length > 0;) {
      const cache = await this.refresh(left.flatMap((p) => p.operations));
      const results: unknown[] = [];
      const thrown = new Map<Pending, unknown>();
      const maps = { ...cache.state };
      cache.touched.clear();
      for (const p of left) {
        try {
          results.push(p.mutate(cache.state));
        } catch (error) {
          thrown.set(p, error);
        }
      }
      if (thrown.size > 0) {
        // A throwing mutation may have changed the copy half-way: drop the copy and run the
        // others again on a fresh one.
        this.cache = null;
        for (const [p, error] of thrown) p.reject(error);
        left = left.filter((p) => !thrown.has(p));
        continue;
      }
      if (!(await this.write(cache, maps))) {
        this.cache = null;
        if (++conflicts >= MAX_CONFLICTS) {
          throw new TransientError('the simulated cloud kept changing under this driver');
        }
        continue;
      }
      left.forEach((p, i) => p.resolve(results[i]));
      return;
    }
  }

  /** Brings the copy up to the database's version and fetches the named operations. */
  private async refresh(keys: string[]): Promise<Cache> {
    const known = this.cache;
    const wanted = [...new Set(keys)].filter(
      (k) => !known?.state.operations[k] && !this.finishedOps.has(k),
    );
    const row = await readSince(this.dataSource, known?.epoch ?? -1, known?.version ?? -1, wanted);
    if (!row) throw new TransientError('the simulated cloud has no simulator_meta row yet');
    const version = Number(row.version);
    const epoch = Number(row.epoch);
    let cache: Cache;
    if (known && known.epoch === epoch) {
      cache = known;
    } else {
      this.finishedOps.clear();
      const state = emptySimState(row.settings);
      const touched = new Set<string>();
      cache = { version, epoch, state, saved: new Map(), touched, settings: '', faults: '' };
    }
    const { state, saved } = cache;
    for (const kind of KINDS) {
      const changes = (row.inventory ?? []).filter(([k]) => k === kind);
      if (changes.length === 0) continue;
      // A new map, not changes in place: the model keeps sums per map (freeCapacity).
      const map: Record<string, unknown> = { ...state[kind] };
      for (const [, id, data] of changes) {
        map[id] = data;
        saved.set(rowKey(kind, id), JSON.stringify(data));
      }
      Object.assign(state, { [kind]: map });
    }
    trackInventory(cache);
    for (const op of row.operations ?? []) this.place(cache, op);
    for (const op of row.wanted ?? []) this.place(cache, op);
    state.settings = row.settings;
    state.faults = row.faults;
    state.calls = [];
    state.callSeq = Number(row.call_seq);
    cache.version = version;
    cache.settings = JSON.stringify(row.settings);
    cache.faults = JSON.stringify(row.faults);
    this.cache = cache;
    // The copy was dropped while these were at hand, or was replaced: fetch what is still missing.
    const missing = [...new Set(keys)].filter(
      (k) => !wanted.includes(k) && !state.operations[k] && !this.finishedOps.has(k),
    );
    if (missing.length > 0) await this.refresh(missing);
    for (const k of keys) {
      const op = this.finishedOps.get(k);
      if (op && !state.operations[k]) this.keep(cache, op);
    }
    return cache;
  }

  /** An operation read from the database: live ones into the copy, finished ones aside. */
  private place(cache: Cache, op: SimOperation): void {
    if (isLive(op)) this.keep(cache, op);
    else this.setAside(cache, op);
  }

  private keep(cache: Cache, op: SimOperation): void {
    cache.state.operations[op.key] = op;
    cache.saved.set(rowKey('operations', op.key), JSON.stringify(op));
  }

  /** Finished operations no longer change: out of the copy, so batches stop comparing them. */
  private setAside(cache: Cache, op: SimOperation): void {
    delete cache.state.operations[op.key];
    cache.saved.delete(rowKey('operations', op.key));
    this.remember(op);
  }

  private remember(op: SimOperation): void {
    this.finishedOps.delete(op.key);
    this.finishedOps.set(op.key, op);
    if (this.finishedOps.size > FINISHED_CACHE) {
      this.finishedOps.delete(this.finishedOps.keys().next().value!);
    }
  }

  /**
   * Writes what the batch changed, guarded by the version the copy was read at; false when another
   * writer came first (nothing was written). `before` holds the state's maps as the batch found
   * them: a map the batch replaced (a seed) replaces its whole table.
   */
  private async write(cache: Cache, before: SimState): Promise<boolean> {
    const { state, saved } = cache;
    const changes = changesOf(cache, before);
    const { replaced, inventory, operations, settings, faults } = changes;
    if (changes.dirty) {
      const version = await writeChanges(this.dataSource, cache.version, state.callSeq, changes);
      if (version === null) return false;
      cache.version = version;
      if (replaced.length > 0) cache.epoch += 1;
      if (replaced.includes('operations')) this.finishedOps.clear();
    }
    for (const r of [...inventory, ...operations]) saved.set(rowKey(r.kind, r.id), r.json);
    cache.settings = settings;
    cache.faults = faults;
    state.calls = [];
    for (const op of Object.values(state.operations)) if (!isLive(op)) this.setAside(cache, op);
    return true;
  }
}
