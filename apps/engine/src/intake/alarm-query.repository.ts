import { Injectable } from '@nestjs/common';
import type { AlarmRecordV1 } from '@reflex/contracts';
import type { AlarmDisposition } from '@reflex/persistence';
import { DataSource } from 'typeorm';

export interface AlarmFilter {
  id?: string;
  type?: string;
  source?: string;
  resource?: string;
  disposition?: AlarmDisposition;
  from?: Date;
  to?: Date;
  /** Rows with a smaller id than this (newest first paging). */
  before?: string;
  limit: number;
}

/**
 * An alarm as the audit API shows it (AlarmRecordV1), as read: its times still dates until the
 * answer is serialised, its disposition and decision as stored.
 */
export type AlarmRecord = Omit<
  AlarmRecordV1,
  'occurredAt' | 'receivedAt' | 'disposition' | 'decision'
> & {
  occurredAt: Date;
  receivedAt: Date;
  disposition: AlarmDisposition;
  decision: object | null;
};

/** Audit reads of the alarms table; every filter is a bound parameter. */
@Injectable()
export class AlarmQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: AlarmFilter): Promise<AlarmRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (filter.id) add('id = ?', filter.id);
    if (filter.type) add('type = ?', filter.type);
    if (filter.source) add('source = ?', filter.source);
    if (filter.resource) add('resource_id = ?', filter.resource);
    if (filter.disposition) add('disposition = ?', filter.disposition);
    if (filter.from) add('received_at >= ?', filter.from);
    if (filter.to) add('received_at < ?', filter.to);
    if (filter.before) add('id < ?', filter.before);
    args.push(filter.limit + 1);
    const rows: Array<
      Omit<AlarmRecord, 'resource'> & { resourceKind: string | null; resourceId: string }
    > = await this.dataSource.query(
      `SELECT id, alarm_id AS "alarmId", source, type, severity, state, resource_kind AS "resourceKind",
                resource_id AS "resourceId", occurred_at AS "occurredAt", received_at AS "receivedAt",
                disposition, plan_id AS "planId", correlated_to AS "correlatedTo", labels, annotations, decision
           FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map(({ resourceKind, resourceId, ...rest }) => ({
      ...rest,
      resource: resourceKind === null ? null : { kind: resourceKind, id: resourceId },
    }));
  }

  /**
   * The first message of each source that sent an alarm with this id (the one decided on; later
   * re-notifications and the resolve repeat the id), at most `limit` sources.
   */
  async bySentId(alarmId: string, source: string | undefined, limit = 10): Promise<AlarmRecord[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT min(id) AS id FROM alarms WHERE alarm_id = $1 AND ($2::text IS NULL OR source = $2)
        GROUP BY source ORDER BY source LIMIT $3`,
      [alarmId, source ?? null, limit],
    );
    const found = await Promise.all(rows.map((row) => this.get(row.id)));
    return found.filter((alarm): alarm is AlarmRecord => alarm !== null);
  }

  async get(id: string): Promise<AlarmRecord | null> {
    if (!/^\d{1,19}$/.test(id)) return null;
    const rows = await this.list({ id, limit: 1 });
    return rows[0] ?? null;
  }
}
