// The end-to-end scenarios: alarms in over HTTP, the shipped rules, the engine's plans, the
// driver on the simulator, and the simulated cloud checked against the inventory at the end.
// Each runs on both configurations of support/reflex-under-test.ts.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import type { MigrateParams, PlanV1 } from '@reflex/contracts/plan.v1';
import { FINAL_PLAN_STATES } from '@reflex/contracts/plan.v1';
import { DEFAULT_LIFECYCLE_LIMITS } from '@reflex/domain';
import { demoTopology } from '../../apps/all-in-one/src/demo-topology';
import { cloudDifferences } from '../../scripts/demo/cloud-diff';
import type { ReflexClient } from '../../scripts/demo/reflex-client';
import { http } from '../support/http';
import { uniqueSuffix, waitFor } from '../support/wait-for';
import { CONFIGURATIONS, type ReflexUnderTest } from './support/reflex-under-test';

const alarm = (type: string, kind: 'host' | 'instance', id: string): AlarmV1 => ({
  id: `e2e-${type}-${id}-${uniqueSuffix()}`,
  source: 'e2e',
  type,
  severity: 'critical',
  state: 'firing',
  resource: { kind, id },
  occurredAt: new Date().toISOString(),
});

/** Plans here take seconds; the margin is for a slow machine, and stays under the test's own. */
const PLAN_TIMEOUT_MS = 45_000;
const TEST_TIMEOUT_MS = 90_000;

const instance = (inv: InventoryV1, id: string) => inv.instances.find((i) => i.id === id);
const host = (inv: InventoryV1, id: string) => inv.hosts.find((h) => h.id === id);

async function finished(client: ReflexClient, planId: string): Promise<PlanV1> {
  return waitFor(
    `plan ${planId} to finish`,
    async () => {
      const plan = await client.plan(planId);
      return FINAL_PLAN_STATES.includes(plan.state) ? plan : undefined;
    },
    { timeoutMs: PLAN_TIMEOUT_MS, intervalMs: 100 },
  );
}

/** Every action of the plan acted on the cloud at most once per attempt. */
async function startedTwice(client: ReflexClient, plan: PlanV1): Promise<string[]> {
  const starts = (await client.simCalls()).filter(
    (c) =>
      c.method === 'start' &&
      c.outcome === 'started' &&
      plan.actions.some((a) => a.id === c.actionId),
  );
  const seen = new Set<string>();
  return starts
    .map((c) => `${c.actionId}#${c.attempt}`)
    .filter((key) => seen.has(key) || !seen.add(key));
}

async function cloudMatchesInventory(client: ReflexClient): Promise<void> {
  expect(cloudDifferences(await client.simState(), await client.inventory())).toEqual([]);
}

describe.each(CONFIGURATIONS)('end-to-end on $name', (configuration) => {
  let under: ReflexUnderTest;
  let client: ReflexClient;

  beforeAll(async () => {
    under = await configuration.start();
    client = under.client;
  }, 120_000);
  afterAll(async () => {
    await under?.stop();
  }, 60_000);

  it('boots ready, with the demo topology in the inventory and the simulated cloud', async () => {
    expect(under.reflex.seeded).toBe(true);
    for (const url of [under.reflex.engineUrl, under.reflex.driverUrl]) {
      const ready = await http('GET', `${url}/readyz`);
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
    }
    const inventory = await client.inventory();
    const seeded = demoTopology();
    expect(inventory.hosts.map((h) => h.id).sort()).toEqual(seeded.hosts.map((h) => h.id).sort());
    expect(inventory.instances).toHaveLength(seeded.instances.length);
    await cloudMatchesInventory(client);
  });

  it(
    'instance down: the N+1 group switches over to its standby and recovers the member',
    async () => {
      const intake = await client.alarm(alarm('instance.down', 'instance', 'queue-2'));
      expect(intake).toMatchObject({ disposition: 'triggered', planId: expect.any(String) });
      const plan = await finished(client, intake.planId!);

      expect(plan).toMatchObject({ state: 'succeeded', policy: 'switch-over' });
      expect(plan.trigger.rule).toBe('n-plus-one-switch-over');
      expect(plan.actions.map((a) => [a.type, a.params])).toEqual([
        ['switch-over', { groupId: 'queue', fromInstanceId: 'queue-2', toInstanceId: 'queue-3' }],
        ['recover-instance', { instanceId: 'queue-2' }],
      ]);
      const inventory = await client.inventory();
      expect(instance(inventory, 'queue-3')).toMatchObject({ role: 'active', state: 'running' });
      expect(instance(inventory, 'queue-2')).toMatchObject({ role: 'standby', state: 'running' });
      await cloudMatchesInventory(client);
      expect(await startedTwice(client, plan)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'host failure: fence, switch over the actives, evacuate every VM; the cloud follows',
    async () => {
      const before = await client.inventory();
      const onHost = before.instances.filter((i) => i.hostId === 'cmp-04').map((i) => i.id);
      expect(onHost.sort()).toEqual(['app-01', 'app-02', 'cache-3', 'db-2', 'web-2']);

      const outage = await client.failHost('cmp-04');
      expect(outage.instances.map((i) => i.id).sort()).toEqual(onHost.sort());
      const intake = await client.alarm(alarm('host.down', 'host', 'cmp-04'));
      expect(intake).toMatchObject({ disposition: 'triggered', planId: expect.any(String) });
      const echo = await client.alarm(alarm('instance.down', 'instance', 'web-2'));
      expect(echo).toMatchObject({ disposition: 'correlated', planId: intake.planId });
      const plan = await finished(client, intake.planId!);

      expect(plan).toMatchObject({ state: 'succeeded', policy: 'host-failover' });
      expect(plan.trigger.rule).toBe('host-down-failover');
      const byType = (type: string) => plan.actions.filter((a) => a.type === type);
      expect(byType('fence-host')).toHaveLength(1);
      expect(byType('switch-over').map((a) => a.params)).toEqual(
        expect.arrayContaining([
          { groupId: 'web', fromInstanceId: 'web-2', toInstanceId: 'web-4' },
          { groupId: 'db', fromInstanceId: 'db-2', toInstanceId: 'db-3' },
        ]),
      );
      expect(
        byType('evacuate')
          .map((a) => (a.params as MigrateParams).instanceId)
          .sort(),
      ).toEqual(onHost.sort());

      const cloud = await client.simState();
      expect(host(cloud, 'cmp-04')?.status).toBe('down');
      expect(cloud.instances.filter((i) => i.hostId === 'cmp-04')).toEqual([]);
      expect(cloud.instances.every((i) => i.state === 'running')).toBe(true);
      const inventory = await client.inventory();
      expect(instance(inventory, 'web-4')?.role).toBe('active');
      expect(instance(inventory, 'db-3')?.role).toBe('active');
      for (const group of ['web', 'db', 'cache']) {
        expect(await client.groupStatus(group)).toMatchObject({ redundant: true });
      }
      await cloudMatchesInventory(client);
      expect(await startedTwice(client, plan)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'maintenance drain with a failing live migration: each try rolled back, the drain stops',
    async () => {
      const tries = DEFAULT_LIFECYCLE_LIMITS.maxAttempts;
      await client.fault({
        action: 'live-migrate',
        instanceId: 'app-04',
        effect: 'fail',
        count: tries,
      });
      try {
        const intake = await client.maintenance('cmp-02', 'e2e');
        expect(intake).toMatchObject({ disposition: 'triggered', planId: expect.any(String) });
        const plan = await finished(client, intake.planId!);

        expect(plan).toMatchObject({ state: 'failed', policy: 'host-drain' });
        expect(plan.trigger.rule).toBe('host-maintenance-drain');
        const migrations = plan.actions.filter((a) => a.type === 'live-migrate');
        const failing = migrations.find(
          (a) => (a.params as MigrateParams).instanceId === 'app-04',
        )!;
        expect(failing).toMatchObject({ state: 'failed', attempts: tries });
        expect(failing.error).toContain('simulated-failure');
        // The driver's fail path ran after every try: the destination was cleaned up each time.
        const failPaths = (await client.simCalls()).filter(
          (c) => c.actionId === failing.id && c.method === 'failPath',
        );
        expect(failPaths.map((c) => [c.attempt, c.outcome])).toEqual(
          Array.from({ length: tries }, (_, i) => [i + 1, 'done']),
        );
        // Under onFailure=stop the others finish or never start; the final maintenance step never runs.
        expect(plan.actions[0]).toMatchObject({ type: 'set-host-status', state: 'succeeded' });
        expect(plan.actions[plan.actions.length - 1]).toMatchObject({
          type: 'set-host-status',
          params: { status: 'maintenance' },
          state: 'skipped',
        });
        for (const other of migrations.filter((a) => a !== failing)) {
          expect(['succeeded', 'skipped']).toContain(other.state);
        }

        const cloud = await client.simState();
        const inventory = await client.inventory();
        expect(instance(cloud, 'app-04')).toMatchObject({ hostId: 'cmp-02', state: 'running' });
        expect(instance(inventory, 'app-04')).toMatchObject({ hostId: 'cmp-02', state: 'running' });
        for (const doc of [cloud, inventory]) expect(host(doc, 'cmp-02')?.status).toBe('disabled');
        for (const moved of migrations.filter((a) => a.state === 'succeeded')) {
          const { instanceId, toHostId } = moved.params as MigrateParams;
          expect(instance(cloud, instanceId)).toMatchObject({ hostId: toHostId, state: 'running' });
        }
        await cloudMatchesInventory(client);
        expect(await startedTwice(client, plan)).toEqual([]);
      } finally {
        await client.clearFaults();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
