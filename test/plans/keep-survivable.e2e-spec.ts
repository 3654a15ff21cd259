// keepSurvivable (issue 19, CONTRACT §10) through the real engine, broker and database: the shipped
// maintenance rule drains with keepSurvivable "host", so a maintenance request whose drain would
// leave another host's failover without room is answered 409, the plan blocked and naming that
// host; with room elsewhere the same request drains.
import type { HostV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { host, inventory, vm } from './support/plan-fixtures';

/** c1 and c3 each run a 12-vCPU VM; c2 is the only host with room for either (16 vCPU each). */
const cloud = (...more: HostV1[]): InventoryV1 =>
  inventory(
    [host('c1'), host('c2'), host('c3'), ...more],
    [
      vm('a', 'c1', { resources: { vcpus: 12, memoryMb: 4096 } }),
      vm('c', 'c3', { resources: { vcpus: 12, memoryMb: 4096 } }),
    ],
  );

describe('keepSurvivable on the shipped maintenance drain (real engine and PostgreSQL)', () => {
  let engine: TestEngine;
  const put = async (inv: InventoryV1) =>
    expect((await http('PUT', `${engine.url}/v1/inventory`, inv)).status).toBe(200);

  beforeAll(async () => {
    engine = await startTestEngine({ CPU_OVERCOMMIT: '1' });
  });
  afterAll(() => engine?.close());

  it('blocks the drain of the one host with room, naming the host whose loss it makes unsurvivable', async () => {
    await put(cloud());
    const res = await http('POST', `${engine.url}/v1/hosts/c2/maintenance`, { reason: 'bios' });
    expect(res.status).toBe(409);
    const { planId, planState } = res.body.error.details;
    expect(planState).toBe('blocked');
    const plan = await http('GET', `${engine.url}/v1/plans/${planId}`);
    expect(plan.body).toMatchObject({ policy: 'host-drain', state: 'blocked', actions: [] });
    expect(plan.body.reason).toMatch(
      /^keepSurvivable host: after this plan, losing host c1 would leave 1 of 1 instances unplaced: a .*no host has 12 vCPU.* \(also c3\)$/,
    );
    // Nothing was done to the host.
    const c2 = await http('GET', `${engine.url}/v1/hosts/c2`);
    expect(c2.body.status).toBe('up');
  });

  it('drains when every host can still be lost after it', async () => {
    // With c4 empty too, c1's VM moves to c2 and each host's failover still has a place.
    await put(cloud(host('c4')));
    const res = await http('POST', `${engine.url}/v1/hosts/c1/maintenance`, { reason: 'bios' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ disposition: 'triggered' });
    expect(res.body.planState).not.toBe('blocked');
  });
});
