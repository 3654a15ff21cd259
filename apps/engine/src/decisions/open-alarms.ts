import type { AlarmV1 } from '@reflex/contracts';
import type { AlarmDisposition } from '@reflex/persistence';
import type { HostAlarmType, StoredAlarm } from './alarm.repository';

const keyOf = (source: string, alarmId: string) => `${source}\u0000${alarmId}`;

/**
 * Which alarms are open, for the decisions of one intake batch. It starts from what the database
 * held before the batch (its own rows left out) and takes in each decision as it is made, so every
 * alarm of the batch is decided against exactly what deciding them one at a time would have seen:
 * a `resolved` closes its alarm for the alarms after it, not for those before.
 */
export class OpenAlarms {
  private readonly firing = new Map<string, StoredAlarm>();
  private readonly onHost = new Map<string, StoredAlarm[]>();

  /**
   * @param firing the open firing message of each (source, id) the batch holds
   * @param onHosts open alarms of the watched types about `hosts`, oldest first
   * @param hosts every host the batch's decisions may ask about
   */
  constructor(
    firing: readonly StoredAlarm[],
    onHosts: readonly StoredAlarm[],
    hosts: Iterable<string>,
    private readonly watched: readonly HostAlarmType[],
  ) {
    for (const alarm of firing) this.firing.set(keyOf(alarm.source, alarm.alarmId), alarm);
    for (const host of hosts) this.onHost.set(host, []);
    for (const alarm of onHosts) this.onHost.get(alarm.resourceId)?.push(alarm);
  }

  /** The open firing message of (source, id), which a new firing one duplicates. */
  firingOf(source: string, alarmId: string): StoredAlarm | null {
    return this.firing.get(keyOf(source, alarmId)) ?? null;
  }

  /** The oldest open alarm of `type` about a host. */
  oldestOn(type: HostAlarmType, hostId: string): StoredAlarm | null {
    const open = this.onHost.get(hostId);
    // A programming error, not data: the batch loads every host its decisions can ask about.
    if (!open) throw new Error(`host ${hostId} was not loaded for this intake batch`);
    return open.find((a) => a.type === type) ?? null;
  }

  /** Takes in the decision about a new message of the batch (row ids increase with the batch order). */
  decided(
    alarm: AlarmV1,
    rowId: string,
    decision: { disposition: AlarmDisposition; planId?: string | null },
  ): void {
    const key = keyOf(alarm.source, alarm.id);
    if ((alarm.state ?? 'firing') === 'resolved') {
      this.firing.delete(key);
      for (const [host, open] of this.onHost) {
        this.onHost.set(
          host,
          open.filter((a) => keyOf(a.source, a.alarmId) !== key),
        );
      }
      return;
    }
    if (decision.disposition === 'duplicate') return;
    const stored = storedFrom(alarm, rowId, decision.disposition, decision.planId ?? null);
    if (!this.firing.has(key)) this.firing.set(key, stored);
    const watched = this.watched.includes(alarm.type as HostAlarmType);
    if (watched && alarm.resource.kind === 'host') this.onHost.get(alarm.resource.id)?.push(stored);
  }
}

function storedFrom(
  alarm: AlarmV1,
  rowId: string,
  disposition: AlarmDisposition,
  planId: string | null,
): StoredAlarm {
  return {
    rowId,
    source: alarm.source,
    alarmId: alarm.id,
    type: alarm.type,
    state: 'firing',
    resourceKind: alarm.resource.kind,
    resourceId: alarm.resource.id,
    disposition,
    planId,
    occurredAt: new Date(alarm.occurredAt),
    receivedAt: new Date(),
    annotations: alarm.annotations ?? {},
  };
}
