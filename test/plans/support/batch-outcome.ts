import type { HostV1, InstanceV1 } from '@reflex/contracts';
import type { Client } from 'pg';
import { host as baseHost, vm as baseVm } from '../../support/topology';

/** The batch specs' hosts: 16 vCPUs, 64 GB unless told, a rack per zone. */
export const host = (id: string, zone: string, memoryMb = 65536): HostV1 => ({
  ...baseHost(id, zone),
  capacity: { vcpus: 16, memoryMb },
  labels: { rack: `${zone}-r1` },
});
export const vm = (id: string, hostId: string, memoryMb: number, extra: Partial<InstanceV1> = {}) =>
  baseVm(id, hostId, { resources: { vcpus: 2, memoryMb }, ...extra });

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;

/**
 * Everything the decisions made, in arrival order, with plan and action ids replaced by their
 * order of appearance and times by a placeholder, so two runs compare equal when they decided alike.
 */
export async function outcome(db: Client): Promise<unknown> {
  const ids = new Map<string, string>();
  const name = (text: string) =>
    text
      .replace(UUID, (id) => {
        if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), `#${ids.size + 1}`);
        return ids.get(id.toLowerCase())!;
      })
      .replace(TIME, '<time>');
  const alarms = await db.query(
    `SELECT alarm_id, state, disposition, plan_id, decision->>'reason' AS reason
       FROM alarms ORDER BY id`,
  );
  const plans = await db.query(
    `SELECT p.id, p.policy, p.state, p.target_kind, p.target_id, p.reason, p.trigger_alarm_id,
            p.resources,
            (SELECT json_agg(json_build_object('type', a.type, 'state', a.state, 'params', a.params,
                    'dependsOn', a.depends_on) ORDER BY a.seq) FROM actions a WHERE a.plan_id = p.id) AS actions,
            (SELECT json_agg(e.type || ':' || coalesce(e.to_state, '') ORDER BY e.id)
               FROM plan_events e WHERE e.plan_id = p.id) AS timeline,
            (SELECT count(*) FROM outbox o WHERE o.key = p.id::text OR o.value->>'planId' = p.id::text)
              AS messages
       FROM plans p ORDER BY p.created_at, p.trigger_alarm_id`,
  );
  const waiting = await db.query(
    `SELECT intent->'alarm'->>'id' AS alarm, reason, outcome FROM deferred_intents ORDER BY id`,
  );
  return JSON.parse(
    name(JSON.stringify({ alarms: alarms.rows, plans: plans.rows, waiting: waiting.rows })),
  );
}
