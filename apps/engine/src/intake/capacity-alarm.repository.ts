import { Injectable } from '@nestjs/common';
import {
  CAPACITY_ALARM_SOURCE,
  CAPACITY_ALARM_TYPE,
  FAILURE_DOMAIN_KINDS,
  type FailureDomainKind,
  type OpenCapacityAlarm,
} from '@reflex/domain';
import type { ResourceKind } from '@reflex/contracts';
import { DataSource } from 'typeorm';

/** The capacity alarms Reflex raised and has not resolved, as the alarms table holds them. */
@Injectable()
export class CapacityAlarmRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Each alarm whose latest stored message (rejected ones aside) is `firing`. */
  async open(): Promise<OpenCapacityAlarm[]> {
    const rows: {
      alarm_id: string;
      resource_kind: ResourceKind;
      resource_id: string;
      labels: Record<string, string>;
    }[] = await this.dataSource.query(
      `SELECT alarm_id, resource_kind, resource_id, labels FROM (
           SELECT DISTINCT ON (alarm_id) alarm_id, state, resource_kind, resource_id, labels FROM alarms
            WHERE source = $1 AND type = $2 AND disposition <> 'rejected'
            ORDER BY alarm_id, id DESC) latest
          WHERE state = 'firing'`,
      [CAPACITY_ALARM_SOURCE, CAPACITY_ALARM_TYPE],
    );
    // The domain from the labels Reflex set: the id of a long-named domain is cut (capacityAlarmId).
    return rows.flatMap((r) =>
      (FAILURE_DOMAIN_KINDS as readonly string[]).includes(r.labels.domainKind) && r.labels.domain
        ? [
            {
              alarmId: r.alarm_id,
              resource: { kind: r.resource_kind, id: r.resource_id },
              kind: r.labels.domainKind as FailureDomainKind,
              domain: r.labels.domain,
            },
          ]
        : [],
    );
  }
}
