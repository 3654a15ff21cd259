import { Injectable } from '@nestjs/common';
import { ValidationError } from '@reflex/common';
import type { AlarmV1 } from '@reflex/contracts';
import { type AlarmDisposition, isDataException, UnitOfWork } from '@reflex/persistence';
import type { RejectedAlert } from './rejected-alert';

/** An alarm row as intake reads it back. */
export interface StoredAlarm {
  rowId: string;
  source: string;
  alarmId: string;
  type: string;
  state: 'firing' | 'resolved';
  resourceKind: string;
  resourceId: string;
  disposition: AlarmDisposition;
  planId: string | null;
  occurredAt: Date;
  receivedAt: Date;
  annotations: Record<string, string>;
  /** Its plan's state and reason now (read by `openFiring` only, for a duplicate's answer). */
  planState?: string | null;
  planReason?: string | null;
}

const COLUMNS = `id AS "rowId", source, alarm_id AS "alarmId", type, state, resource_kind AS "resourceKind",
  resource_id AS "resourceId", disposition, plan_id AS "planId", occurred_at AS "occurredAt",
  received_at AS "receivedAt", annotations`;

/**
 * "Still open": no later `resolved` message for the same (source, id), other than those of the
 * batch being decided (`$except`, a bigint[]), which it applies itself in order.
 */
const openExcept = (except: string) => `NOT EXISTS (SELECT 1 FROM alarms r WHERE r.source = a.source
  AND r.alarm_id = a.alarm_id AND r.state = 'resolved' AND r.id > a.id AND r.id <> ALL(${except}::bigint[]))`;

export interface DecisionUpdate {
  disposition: AlarmDisposition;
  planId?: string | null;
  correlatedTo?: string | null;
  decision?: object | null;
}

export interface AlarmToStore {
  alarm: AlarmV1;
  /** What arrived, for audit: the Alarm v1, or the webhook body it was mapped from. */
  payload: object;
}

/** Host alarms whose being open other decisions read: correlation, maintenance windows. */
export type HostAlarmType = 'host.down' | 'host.maintenance.requested';

const asJson = (value: unknown) => (value === null ? null : JSON.stringify(value));

/**
 * Alarm rows for intake. Every method takes a batch (one alarm is a batch of one), so deciding a
 * partition's worth of alarms costs a handful of statements, not a handful per alarm.
 */
@Injectable()
export class AlarmRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Serialises decisions about the given resources across transports and replicas until the
   * transaction ends, so alarms for one resource are decided in order and never concurrently. The
   * locks are taken in one order (by key) so two batches sharing resources cannot deadlock.
   */
  async lockResources(resources: AlarmV1['resource'][]): Promise<void> {
    const keys = [...new Set(resources.map((r) => `reflex.resource:${r.kind}:${r.id}`))];
    await this.uow.manager.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(r) AS k FROM unnest($1::text[]) r ORDER BY 1) s`,
      [keys],
    );
  }

  /**
   * Stores each message once, in the given order (row ids increase with it). Returns, per message,
   * its new row id, or null when this exact message (source, id, state, occurredAt) is stored
   * already: a redelivery, or a repeat within the batch, decided once.
   */
  async insertMany(items: AlarmToStore[]): Promise<Array<string | null>> {
    try {
      return await this.insertRows(items);
    } catch (error) {
      // Values the database refuses are refused for good: not retriable, so the alarm is
      // dead-lettered (or answered 400) with the reason instead of blocking its partition.
      if (!isDataException(error)) throw error;
      const message = `cannot be stored: ${(error as Error).message}`;
      throw new ValidationError(`invalid alarm.v1: ${message}`, [{ path: '', message }], error);
    }
  }

  private async insertRows(items: AlarmToStore[]) {
    const column = <T>(pick: (a: AlarmV1) => T) => items.map((i) => pick(i.alarm));
    const rows: Array<{ id: string; ord: string }> = await this.uow.manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::timestamptz[], $9::jsonb[], $10::jsonb[], $11::float8[], $12::jsonb[])
           WITH ORDINALITY AS t(source, alarm_id, type, severity, state, resource_kind, resource_id,
             occurred_at, labels, annotations, value, payload, ord)
       ), stored AS (
         INSERT INTO alarms (source, alarm_id, type, severity, state, resource_kind, resource_id,
           occurred_at, labels, annotations, value, payload)
         SELECT source, alarm_id, type, severity, state, resource_kind, resource_id, occurred_at,
           labels, annotations, value, payload FROM input ORDER BY ord
         ON CONFLICT ON CONSTRAINT uq_alarms_message DO NOTHING
         RETURNING id, source, alarm_id, state, occurred_at
       )
       SELECT DISTINCT ON (s.id) s.id, i.ord FROM stored s
         JOIN input i USING (source, alarm_id, state, occurred_at) ORDER BY s.id, i.ord`,
      [
        column((a) => a.source),
        column((a) => a.id),
        column((a) => a.type),
        column((a) => a.severity ?? null),
        column((a) => a.state ?? 'firing'),
        column((a) => a.resource.kind),
        column((a) => a.resource.id),
        column((a) => a.occurredAt),
        column((a) => asJson(a.labels ?? {})),
        column((a) => asJson(a.annotations ?? {})),
        column((a) => a.value ?? null),
        items.map((i) => asJson(i.payload)),
      ],
    );
    const ids: Array<string | null> = items.map(() => null);
    for (const row of rows) ids[Number(row.ord) - 1] = String(row.id);
    return ids;
  }

  /**
   * Stores webhook alerts that map to no Alarm v1 as `rejected` rows with their reason, each once
   * (a repeat of the same alert collapses into its first row). Returns, per alert, whether it was
   * new. Every field was made storable by the mapper, so the database refuses none of them.
   */
  async insertRejected(items: RejectedAlert[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const column = <T>(pick: (a: RejectedAlert) => T) => items.map(pick);
    const rows: Array<{ ord: string }> = await this.uow.manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::timestamptz[], $8::jsonb[], $9::jsonb[], $10::jsonb[], $11::jsonb[])
           WITH ORDINALITY AS t(source, alarm_id, type, state, resource_kind, resource_id,
             occurred_at, labels, annotations, payload, decision, ord)
       ), stored AS (
         INSERT INTO alarms (source, alarm_id, type, state, resource_kind, resource_id, occurred_at,
           labels, annotations, payload, disposition, decision)
         SELECT source, alarm_id, type, state, resource_kind, resource_id, occurred_at, labels,
           annotations, payload, 'rejected', decision FROM input ORDER BY ord
         ON CONFLICT ON CONSTRAINT uq_alarms_message DO NOTHING
         RETURNING source, alarm_id, state, occurred_at
       )
       SELECT DISTINCT i.ord FROM stored s JOIN input i USING (source, alarm_id, state, occurred_at)`,
      [
        column((a) => a.source),
        column((a) => a.id),
        column((a) => a.type),
        column((a) => a.state),
        column((a) => a.resource?.kind ?? null),
        column((a) => a.resource?.id ?? null),
        column((a) => a.occurredAt),
        column((a) => asJson(a.labels)),
        column((a) => asJson(a.annotations)),
        column((a) => asJson(a.payload)),
        column((a) => asJson({ reason: a.reason })),
      ],
    );
    const stored = new Set(rows.map((r) => Number(r.ord) - 1));
    return items.map((_, i) => stored.has(i));
  }

  /** The stored rows of these exact messages, in their order (null where none is stored). */
  async findMessages(alarms: AlarmV1[]): Promise<Array<StoredAlarm | null>> {
    if (alarms.length === 0) return [];
    const rows: Array<StoredAlarm & { ord: string }> = await this.uow.manager.query(
      `SELECT k.ord, m.* FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
         WITH ORDINALITY AS k(source, alarm_id, state, occurred_at, ord)
       JOIN LATERAL (SELECT ${COLUMNS} FROM alarms a WHERE a.source = k.source
         AND a.alarm_id = k.alarm_id AND a.state = k.state AND a.occurred_at = k.occurred_at) m ON true`,
      [
        alarms.map((a) => a.source),
        alarms.map((a) => a.id),
        alarms.map((a) => a.state ?? 'firing'),
        alarms.map((a) => a.occurredAt),
      ],
    );
    const found: Array<StoredAlarm | null> = alarms.map(() => null);
    for (const { ord, ...row } of rows) found[Number(ord) - 1] = row;
    return found;
  }

  /**
   * For each (source, id), its open firing message if any: the first that is not a duplicate and
   * that no later `resolved` message closed. Rows in `exceptRows` (the batch being decided) are
   * neither candidates nor closers: the batch applies them itself, in order.
   */
  async openFiring(
    keys: Array<{ source: string; alarmId: string }>,
    exceptRows: string[],
  ): Promise<StoredAlarm[]> {
    if (keys.length === 0) return [];
    return this.uow.manager.query(
      `SELECT DISTINCT ON (a.source, a.alarm_id) ${COLUMNS},
              (SELECT p.state FROM plans p WHERE p.id = a.plan_id) AS "planState",
              (SELECT p.reason FROM plans p WHERE p.id = a.plan_id) AS "planReason"
         FROM alarms a
        WHERE (a.source, a.alarm_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND a.state = 'firing' AND a.disposition <> 'duplicate' AND a.id <> ALL($3::bigint[])
          AND ${openExcept('$3')}
        ORDER BY a.source, a.alarm_id, a.id`,
      [keys.map((k) => k.source), keys.map((k) => k.alarmId), exceptRows],
    );
  }

  /**
   * Open, decided firing alarms of the given types about the given hosts, oldest first, leaving
   * out (as candidates and as closers) the rows in `exceptRows`.
   */
  async openOnHosts(
    types: readonly HostAlarmType[],
    hostIds: string[],
    exceptRows: string[],
  ): Promise<StoredAlarm[]> {
    if (hostIds.length === 0) return [];
    return this.uow.manager.query(
      `SELECT ${COLUMNS} FROM alarms a
        WHERE a.resource_kind = 'host' AND a.resource_id = ANY($1::text[]) AND a.type = ANY($2::text[])
          AND a.state = 'firing' AND a.disposition NOT IN ('duplicate', 'received')
          AND a.id <> ALL($3::bigint[]) AND ${openExcept('$3')}
        ORDER BY a.id`,
      [hostIds, types, exceptRows],
    );
  }

  /**
   * Hosts a decided, non-duplicate `host.down` firing alarm reported down within the last
   * `windowSeconds`, leaving out the rows in `exceptRows` (the batch applies them itself). A report
   * resolved since still counts: a storm of short-lived reports is what the storm guard looks for.
   */
  async hostsReportedDown(windowSeconds: number, exceptRows: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.uow.manager.query(
      `SELECT DISTINCT resource_id AS id FROM alarms
        WHERE type = 'host.down' AND received_at >= clock_timestamp() - make_interval(secs => $1)
          AND resource_kind = 'host' AND state = 'firing'
          AND disposition NOT IN ('duplicate', 'received') AND id <> ALL($2::bigint[])`,
      [windowSeconds, exceptRows],
    );
    return rows.map((r) => r.id);
  }

  async recordDecisions(updates: Array<DecisionUpdate & { rowId: string }>): Promise<void> {
    if (updates.length === 0) return;
    await this.uow.manager.query(
      `UPDATE alarms a SET disposition = d.disposition, plan_id = d.plan_id,
         correlated_to = d.correlated_to, decision = d.decision
       FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::bigint[], $5::jsonb[])
         AS d(id, disposition, plan_id, correlated_to, decision)
       WHERE a.id = d.id`,
      [
        updates.map((u) => u.rowId),
        updates.map((u) => u.disposition),
        updates.map((u) => u.planId ?? null),
        updates.map((u) => u.correlatedTo ?? null),
        updates.map((u) => asJson(u.decision ?? null)),
      ],
    );
  }
}
