import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { planFromDraft } from '../lifecycle/plan-factory';
import {
  NOW,
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../testing/topology.fixture';
import { inFlightFromPlans } from './in-flight';
import { buildPlan } from './plan-builder';

describe('buildPlan', () => {
  // h1 and h2 are full; `last` has room for exactly one 4-vcpu VM.
  const big = { resources: { vcpus: 12, memoryMb: 8192 } };
  const inv = inventory(
    [host('h1'), host('h2'), host('last', { capacity: { vcpus: 4, memoryMb: 8192 } })],
    [vm('vm-1', 'h1'), vm('fill-1', 'h1', big), vm('vm-2', 'h2'), vm('fill-2', 'h2', big)],
  );

  it("starts the reason of a plan waiting for approval with the rule's approvalReason, and only then", () => {
    const build = (mode: 'manual' | 'auto') =>
      buildPlan(
        intent(
          'migrate-off',
          { kind: 'instance', id: 'vm-2' },
          { mode, params: { approvalReason: 'storm guard: held' } },
        ),
        inv,
        { reservations: [] },
        PLANNING,
        sequentialIds('p'),
      );
    const held = build('manual');
    expect(held.state).toBe('pending_approval');
    expect(held.reason).toMatch(/^storm guard: held(; |$)/);
    expect(held.explanation.notes).not.toContain('storm guard: held');
    expect(build('auto').reason ?? '').not.toContain('storm guard');
  });

  it('records the trigger, rule and placement decisions, and waits for approval in manual mode', () => {
    const draft = buildPlan(
      intent(
        'migrate-off',
        { kind: 'instance', id: 'vm-1' },
        {
          mode: 'manual',
          onFailure: 'stop',
          explanation: { fired: ['r1'] },
        },
      ),
      inv,
      { reservations: [] },
      PLANNING,
      sequentialIds('p'),
    );
    expect(draft).toMatchObject({
      id: 'p1',
      state: 'pending_approval',
      mode: 'manual',
      onFailure: 'stop',
      trigger: { alarmId: 'alarm-1', source: 'test', rule: 'migrate-off-rule', ruleVersion: 1 },
    });
    expect(draft.explanation).toMatchObject({
      rule: { name: 'migrate-off-rule', version: 1, hash: 'sha256:abc' },
      decision: { fired: ['r1'] },
      notes: [],
    });
    expect(draft.explanation.placements[0]).toMatchObject({ ok: true, hostId: 'last' });
    expect(draft.actions[0]).toEqual({
      id: 'p2',
      planId: 'p1',
      seq: 1,
      type: 'live-migrate',
      params: { instanceId: 'vm-1', fromHostId: 'h1', toHostId: 'last' },
      dependsOn: [],
      state: 'pending',
      attempts: 0,
      progress: 0,
      startedAt: null,
      finishedAt: null,
      error: null,
      compensationFor: null,
    });
    expect(draft.touches).toEqual({ hosts: ['h1', 'last'], instances: ['vm-1'], groups: [] });
    expect(draft.holds).toEqual({ hosts: ['h1'], instances: ['vm-1'], groups: [] });
  });

  it('is deterministic: the same inputs give the same plan', () => {
    const roomy = inventory([...inv.hosts, host('h3'), host('h4')], inv.instances);
    const build = () =>
      buildPlan(
        intent('host-failover', { kind: 'host', id: 'h1' }),
        roomy,
        { reservations: [] },
        PLANNING,
        sequentialIds(),
      );
    const once = build();
    expect(once.actions.map((a) => a.type)).toEqual([
      'fence-host',
      'set-host-status',
      'evacuate',
      'evacuate',
    ]);
    expect(build()).toEqual(once);
  });

  it("two plans competing for the last free host: the second sees the first one's reservation", () => {
    const first = buildPlan(
      intent('migrate-off', { kind: 'instance', id: 'vm-1' }),
      inv,
      { reservations: [] },
      PLANNING,
      sequentialIds('first-'),
    );
    expect(first.actions[0].params).toMatchObject({ toHostId: 'last' });
    const live: PlanV1[] = [planFromDraft(first, NOW).plan];
    const inFlight = inFlightFromPlans(live, inv);
    expect(inFlight.reservations).toEqual([
      {
        planId: 'first-1',
        hostId: 'last',
        vcpus: 4,
        memoryMb: 8192,
        instanceId: 'vm-1',
        groupId: null,
      },
    ]);

    const second = buildPlan(
      intent('migrate-off', { kind: 'instance', id: 'vm-2' }),
      inv,
      inFlight,
      PLANNING,
      sequentialIds('second-'),
    );
    expect(second.state).toBe('blocked');
    expect(second.reason).toContain('no host for vm-2: capacity');
    expect(second.reason).toContain(
      'last: vcpus: needs 4, free 0 of 4 (4 x 1 overcommit; 4 used incl. 4 reserved)',
    );

    // With room elsewhere, the second plan goes elsewhere instead.
    const roomier = inventory([...inv.hosts, host('spare')], inv.instances);
    const elsewhere = buildPlan(
      intent('migrate-off', { kind: 'instance', id: 'vm-2' }),
      roomier,
      inFlight,
      PLANNING,
      sequentialIds('second-'),
    );
    expect(elsewhere.actions[0].params).toMatchObject({ toHostId: 'spare' });
  });

  it('stops reserving once a move has finished, and counts drains as draining hosts', () => {
    const drain = buildPlan(
      intent('host-drain', { kind: 'host', id: 'h1' }),
      inventory(
        [host('h1'), host('h2')],
        [member('a', 'h1', 'g', 'active')],
        [group('g', { standby: 0 })],
      ),
      { reservations: [] },
      PLANNING,
      sequentialIds('d'),
    );
    const plan = planFromDraft(drain, NOW).plan;
    expect(inFlightFromPlans([plan], inv).drainingHosts).toEqual([{ hostId: 'h1', planId: 'd1' }]);
    plan.actions[1].state = 'succeeded';
    expect(
      inFlightFromPlans(
        [plan],
        inventory([host('h1'), host('h2')], [member('a', 'h2', 'g', 'active')]),
      ).reservations,
    ).toEqual([]);
    expect(inFlightFromPlans([{ ...plan, state: 'succeeded' }], inv)).toEqual({
      reservations: [],
      drainingHosts: [],
    });
  });
});
