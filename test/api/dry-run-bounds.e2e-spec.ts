// Dry runs are bounded in size and time and run off the event loop (issue 14): a viewer's large
// `POST /v1/rules/evaluate` must not stall health checks, intake or the API.
import type { HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm } from '../support/topology';

/** `hosts` hosts; `vms` VMs on cmp-0000, the one that fails: every VM is placed over every host. */
function cloud(hosts: number, vms: number): InventoryV1 {
  const id = (i: number) => `cmp-${String(i).padStart(4, '0')}`;
  return {
    hosts: Array.from({ length: hosts }, (_, i): HostV1 => ({
      id: id(i),
      zone: `az${i % 3}`,
      status: 'up',
      hypervisor: 'kvm',
      driver: 'simulator',
      capacity: { vcpus: 64, memoryMb: 262144 },
      labels: {},
    })),
    groups: [],
    instances: Array.from({ length: vms }, (_, i): InstanceV1 => ({
      id: `vm-${i}`,
      hostId: id(0),
      kind: 'vm',
      state: 'running',
      resources: { vcpus: 1, memoryMb: 1024 },
    })),
  };
}

describe('POST /v1/rules/evaluate bounds', () => {
  let engine: TestEngine;
  beforeAll(async () => (engine = await startTestEngine()));
  afterAll(() => engine?.close());

  const evaluate = (inventory: InventoryV1) =>
    http('POST', `${engine.url}/v1/rules/evaluate`, {
      alarm: alarm('host.down', 'host', 'cmp-0000'),
      inventory,
    });

  it('answers 413 to a body over DRY_RUN_MAX_BYTES (256 KiB)', async () => {
    const inventory = cloud(1500, 1500);
    expect(JSON.stringify(inventory).length).toBeGreaterThan(256 * 1024);
    const res = await evaluate(inventory);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 naming the list when an inventory holds too many resources', async () => {
    const inventory = cloud(2, 0);
    const bare = { id: 'x', hostId: 'cmp-0000', kind: 'vm' };
    inventory.instances = Array.from({ length: 5001 }, () => bare as InstanceV1);
    const res = await evaluate(inventory);
    expect(res.status).toBe(413);
    expect(res.body.error.details).toEqual([
      { path: '/inventory/instances', message: expect.stringContaining('at most 5000') },
    ]);
  });

  it('keeps /healthz answering in under 50 ms while a large dry run computes, and bounds its answer', async () => {
    const inventory = cloud(600, 700);
    expect(JSON.stringify(inventory).length).toBeLessThan(256 * 1024);
    // The worker's first start (compiling the sources in tests) is not what is measured.
    expect((await evaluate(cloud(2, 1))).status).toBe(200);

    let done = false;
    const begun = performance.now();
    const dryRun = evaluate(inventory).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${engine.url}/healthz`);
      await res.text();
      latencies.push(performance.now() - started);
      expect(res.status).toBe(200);
    }
    const res = await dryRun;
    const duration = performance.now() - begun;
    expect(res.status).toBe(200);
    expect(res.body.decision).toMatchObject({ policy: 'host-failover' });
    // Polled all along the dry run, which took many health checks' time (before: 2 of them, the
    // second one waiting out the whole evaluation, 1.4 s). What is measured is that the event loop
    // was never held by the evaluation: the typical poll answers well under 50 ms, and even the
    // slowest one (on a shared machine the scheduler alone delays a poll now and then, an idle
    // engine shows it too) waited nowhere near the evaluation's own length, as it did before.
    expect(latencies.length).toBeGreaterThan(20);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(50);
    expect(sorted[sorted.length - 1]).toBeLessThan(Math.max(250, duration / 2));
    expect(res.body.plan.actions.length).toBeLessThanOrEqual(50);
    const cut = (path: string) =>
      (res.body.truncated as Array<{ path: string; total: number; kept: number }>).find(
        (t) => t.path === path,
      );
    // One migration per VM (and the host's own steps): all counted, 50 shown.
    expect(cut('/plan/actions')).toEqual({ path: '/plan/actions', total: 702, kept: 50 });
    expect(cut('/plan/explanation/placements')?.total).toBe(700);
    expect(JSON.stringify(res.body).length).toBeLessThan(1024 * 1024);
  });
});
