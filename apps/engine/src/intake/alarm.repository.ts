import { Injectable } from '@nestjs/common';
import { ValidationError } from '@reflex/common';
import type { AlarmV1 } from '@reflex/contracts';
import { type AlarmDisposition, isDataException } from '@reflex/persistence';
import { DataSource, EntityManager } from 'typeorm';

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
}

const COLUMNS = `id AS "rowId", source, alarm_id AS "alarmId", type, state, resource_kind AS "resourceKind",
  resource_id AS "resourceId", disposition, plan_id AS "planId", occurred_at AS "occurredAt",
  received_at AS "receivedAt", annotations`;

/**
 * "Still open": no later `resolved` message for the same (source, id), other than the message being
 * decided (`$except`), which must not close the alarm it is about to be compared with.
 */
const open = (except: string) => `NOT EXISTS (SELECT 1 FROM alarms r WHERE r.source = a.source
  AND r.alarm_id = a.alarm_id AND r.state = 'resolved' AND r.id > a.id AND r.id <> ${except})`;

export interface DecisionUpdate {
  disposition: AlarmDisposition;
  planId?: string | null;
  correlatedTo?: string | null;
  decision?: object | null;
}

@Injectable()
export class AlarmRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Serialises decisions about one resource across transports and replicas until the transaction
   * ends, so alarms for one resource are decided in order and never concurrently.
   */
  async lockResource(manager: EntityManager, kind: string, id: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `reflex.resource:${kind}:${id}`,
    ]);
  }

  /**
   * Stores the message once. Null when this exact message (source, id, state, occurredAt) was stored
   * before: a redelivery, already decided.
   */
  async insert(manager: EntityManager, alarm: AlarmV1, payload: object): Promise<string | null> {
    try {
      return await this.insertRow(manager, alarm, payload);
    } catch (error) {
      // Values the database refuses are refused for good: not retriable, so the alarm is
      // dead-lettered (or answered 400) with the reason instead of blocking its partition.
      if (!isDataException(error)) throw error;
      const message = `cannot be stored: ${(error as Error).message}`;
      throw new ValidationError(`invalid alarm.v1: ${message}`, [{ path: '', message }], error);
    }
  }

  private async insertRow(manager: EntityManager, alarm: AlarmV1, payload: object) {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO alarms (source, alarm_id, type, severity, state, resource_kind, resource_id, occurred_at,
         labels, annotations, value, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT ON CONSTRAINT uq_alarms_message DO NOTHING RETURNING id`,
      [
        alarm.source,
        alarm.id,
        alarm.type,
        alarm.severity ?? null,
        alarm.state ?? 'firing',
        alarm.resource.kind,
        alarm.resource.id,
        alarm.occurredAt,
        alarm.labels ?? {},
        alarm.annotations ?? {},
        alarm.value ?? null,
        payload,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async findMessage(manager: EntityManager, alarm: AlarmV1): Promise<StoredAlarm | null> {
    const rows: StoredAlarm[] = await manager.query(
      `SELECT ${COLUMNS} FROM alarms WHERE source = $1 AND alarm_id = $2 AND state = $3 AND occurred_at = $4`,
      [alarm.source, alarm.id, alarm.state ?? 'firing', alarm.occurredAt],
    );
    return rows[0] ?? null;
  }

  /** The first firing message of (source, id) that no later `resolved` closed, other than `exceptRow`. */
  async findOpen(
    manager: EntityManager,
    source: string,
    alarmId: string,
    exceptRow: string,
  ): Promise<StoredAlarm | null> {
    const rows: StoredAlarm[] = await manager.query(
      `SELECT ${COLUMNS} FROM alarms a WHERE a.source = $1 AND a.alarm_id = $2 AND a.state = 'firing'
         AND a.id <> $3 AND a.disposition <> 'duplicate' AND ${open('$3')}
       ORDER BY a.id LIMIT 1`,
      [source, alarmId, exceptRow],
    );
    return rows[0] ?? null;
  }

  /** An open firing alarm of `type` about a resource, the oldest first (the one others correlate to). */
  async findOpenOfType(
    manager: EntityManager | null,
    type: string,
    kind: string,
    resourceId: string,
  ): Promise<StoredAlarm | null> {
    const rows: StoredAlarm[] = await (manager ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM alarms a WHERE a.resource_kind = $1 AND a.resource_id = $2 AND a.type = $3
         AND a.state = 'firing' AND a.disposition NOT IN ('duplicate', 'received') AND ${open('0')}
       ORDER BY a.id LIMIT 1`,
      [kind, resourceId, type],
    );
    return rows[0] ?? null;
  }

  /**
   * When `rule` last made a plan for `target` that counts for cooldown. Blocked plans don't count: an
   * alarm that comes again after "no capacity" deserves a new attempt.
   */
  async lastPlanAt(
    manager: EntityManager,
    rule: string,
    kind: string,
    id: string,
  ): Promise<Date | null> {
    const rows: Array<{ at: Date | null }> = await manager.query(
      `SELECT max(created_at) AS at FROM plans
        WHERE trigger_rule = $1 AND target_kind = $2 AND target_id = $3 AND state <> 'blocked'`,
      [rule, kind, id],
    );
    return rows[0]?.at ?? null;
  }

  async recordDecision(
    manager: EntityManager,
    rowId: string,
    update: DecisionUpdate,
  ): Promise<void> {
    await manager.query(
      `UPDATE alarms SET disposition = $2, plan_id = $3, correlated_to = $4, decision = $5 WHERE id = $1`,
      [
        rowId,
        update.disposition,
        update.planId ?? null,
        update.correlatedTo ?? null,
        update.decision ?? null,
      ],
    );
  }
}
