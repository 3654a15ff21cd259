// Batch planning when a decision supersedes a live plan of the same batch: the superseded plan's
// promises (its reservations) are released for every later decision of the batch, as they would be
// for decisions that came one by one. Here a migrate-off of h1 reserves s1, the only host with room
// for a 40 GB VM; a switch-over of a group member on h1 supersedes it; and h2's failover, later in
// the same batch, needs s1 for its VM.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { IngestAlarmUseCase } from '../../apps/engine/src/decisions/ingest-alarm.usecase';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { host, outcome, vm } from './support/batch-outcome';

/** a (on h1) and b (on h2) need 40 GB, which only s1 has; g-1 is an active member of g on h1. */
function cloud(): InventoryV1 {
  return {
    hosts: [
      host('h1', 'az1'),
      host('h2', 'az1'),
      host('h3', 'az1'),
      host('s1', 'az2'),
      host('p2', 'az3', 16384),
      host('p3', 'az3', 16384),
    ],
    groups: [{ id: 'g', active: 2, standby: 1, antiAffinity: 'host' }],
    instances: [
      vm('a', 'h1', 40960),
      vm('b', 'h2', 40960),
      vm('filler', 'h3', 32768),
      vm('g-1', 'h1', 4096, { groupId: 'g', role: 'active' }),
      vm('g-2', 'p2', 4096, { groupId: 'g', role: 'active' }),
      vm('g-3', 'p3', 4096, { groupId: 'g', role: 'standby' }),
    ],
  };
}

const BASE = Date.parse('2026-11-02T00:00:00Z');

function sequence(): AlarmV1[] {
  let second = 0;
  const make = (id: string, type: string, kind: 'host' | 'instance', resource: string) => ({
    id,
    source: 'supersede',
    type,
    severity: 'critical' as const,
    state: 'firing' as const,
    resource: { kind, id: resource },
    occurredAt: new Date(BASE + 1000 * second++).toISOString(),
  });
  return [
    make('degraded-h1', 'host.hardware.degraded', 'host', 'h1'), // migrate-off: a onto s1
    make('g1-down', 'instance.down', 'instance', 'g-1'), // switch-over supersedes the migrate-off
    make('down-h2', 'host.down', 'host', 'h2'), // failover: b onto s1, free again
  ];
}

describe('batch planning, superseding', () => {
  const ctx = engineWithDatabase();

  it('releases a superseded plan’s reservations for the later decisions of the batch', async () => {
    const alarms = sequence();
    await ctx.resetTo(cloud());
    for (const alarm of alarms) {
      expect((await http('POST', `${ctx.engine.url}/v1/alarms`, alarm)).status).toBe(202);
    }
    const oneByOne = (await outcome(ctx.db)) as {
      alarms: Array<{ alarm_id: string; disposition: string }>;
      plans: Array<{ policy: string; state: string; target_id: string }>;
    };
    // The sequence does what it claims: the migrate-off is superseded, and b goes where a was to go.
    expect(oneByOne.alarms.map((a) => `${a.alarm_id}: ${a.disposition}`)).toEqual([
      'degraded-h1: triggered',
      'g1-down: triggered',
      'down-h2: triggered',
    ]);
    expect(oneByOne.plans.map((p) => `${p.policy} ${p.target_id}: ${p.state}`)).toEqual([
      expect.stringMatching(/^migrate-off h1: superseded$/),
      expect.stringMatching(/^switch-over /),
      expect.stringMatching(/^host-failover h2: /),
    ]);
    const migrateOff = JSON.stringify(oneByOne.plans[0]);
    const failover = JSON.stringify(oneByOne.plans[2]);
    expect(migrateOff).toContain('"toHostId":"s1"');
    expect(failover).toContain('"toHostId":"s1"');

    await ctx.resetTo(cloud());
    await ctx.engine.app
      .get(IngestAlarmUseCase)
      .executeBatch(alarms.map((alarm) => ({ alarm, payload: alarm, channel: 'kafka' as const })));
    expect(await outcome(ctx.db)).toEqual(oneByOne);
  });
});
