// CONTRACT §9 re-placement end to end (issue 15): a host dies in the simulated cloud and monitoring
// never says so, so the inventory keeps it `up` and the failover of another host evacuates onto
// it. The simulator fails those evacuations with destination-unavailable; the engine places them
// again elsewhere and the failover succeeds with every VM running. On both configurations.
import type { AlarmV1 } from '@reflex/contracts';
import type { MigrateParams, PlanV1 } from '@reflex/contracts/plan.v1';
import { FINAL_PLAN_STATES } from '@reflex/contracts/plan.v1';
import { http } from '../support/http';
import { uniqueSuffix, waitFor } from '../support/wait-for';
import { CONFIGURATIONS, type ReflexUnderTest } from './support/reflex-under-test';

const hostDown = (id: string): AlarmV1 => ({
  id: `e2e-host.down-${id}-${uniqueSuffix()}`,
  source: 'e2e',
  type: 'host.down',
  severity: 'critical',
  state: 'firing',
  resource: { kind: 'host', id },
  occurredAt: new Date().toISOString(),
});

const params = (a: { params: unknown }) => a.params as MigrateParams;

describe.each(CONFIGURATIONS)('re-placement end to end on $name', (configuration) => {
  let under: ReflexUnderTest;

  beforeAll(async () => {
    under = await configuration.start();
  }, 120_000);
  afterAll(async () => {
    await under?.stop();
  }, 60_000);

  it('re-places evacuations onto a host dead in the cloud but up in the inventory', async () => {
    const { client } = under;
    const engine = under.reflex.engineUrl;
    // Where the failover of cmp-04 would send its VMs: the dry run plans on the same inventory.
    const dry = await http<{ plan: PlanV1 }>('POST', `${engine}/v1/rules/evaluate`, {
      alarm: hostDown('cmp-04'),
    });
    expect(dry.status).toBe(200);
    const inventory = await client.inventory();
    // A host holding a standby the plan promotes would fail the switch-over, not an evacuation.
    const promoted = new Set(
      dry.body.plan.actions
        .filter((a) => a.type === 'switch-over')
        .map(
          (a) =>
            inventory.instances.find(
              (i) => i.id === (a.params as { toInstanceId: string }).toInstanceId,
            )!.hostId,
        ),
    );
    const destinations = dry.body.plan.actions
      .filter((a) => a.type === 'evacuate')
      .map((a) => params(a).toHostId)
      .filter((h) => !promoted.has(h));
    expect(destinations.length).toBeGreaterThan(0);
    const dead = destinations.sort(
      (a, b) =>
        destinations.filter((d) => d === b).length - destinations.filter((d) => d === a).length,
    )[0];

    await client.failHost('cmp-04');
    await client.failHost(dead);
    expect((await client.inventory()).hosts.find((h) => h.id === dead)?.status).toBe('up');

    const intake = await client.alarm(hostDown('cmp-04'));
    expect(intake).toMatchObject({ disposition: 'triggered', planId: expect.any(String) });
    const plan = await waitFor(
      `plan ${intake.planId} to finish`,
      async () => {
        const p = await client.plan(intake.planId!);
        return FINAL_PLAN_STATES.includes(p.state) ? p : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect({ state: plan.state, reason: plan.reason }).toEqual({
      state: 'succeeded',
      reason: null,
    });

    const evacuations = plan.actions.filter((a) => a.type === 'evacuate');
    const replaced = evacuations.filter((a) => a.unusableHostIds?.includes(dead));
    expect(replaced.length).toBeGreaterThan(0);
    for (const a of evacuations) {
      expect(params(a).toHostId).not.toBe(dead);
      expect(a.state).toBe('succeeded');
    }
    const notes = (await client.timeline(plan.id)).filter(
      (e) => e.type === 'plan.note' && (e.detail as { replaced?: unknown }).replaced,
    );
    expect(
      notes.map((e) => (e.detail as { replaced: { oldHostId: string } }).replaced.oldHostId),
    ).toEqual(replaced.map(() => dead));

    // In the cloud, every evacuated VM runs on a live host; the dead host takes no placements.
    const cloud = await client.simState();
    for (const a of evacuations) {
      expect(cloud.instances.find((i) => i.id === params(a).instanceId)).toMatchObject({
        hostId: params(a).toHostId,
        state: 'running',
      });
    }
    expect((await client.inventory()).hosts.find((h) => h.id === dead)?.status).toBe('disabled');
  }, 120_000);
});
