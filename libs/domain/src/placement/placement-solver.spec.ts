import { InventoryView } from '../inventory/inventory-view';
import { NO_OVERCOMMIT, bm, group, host, inventory, member, vm } from '../testing/topology.fixture';
import { PlacementSolver } from './placement-solver';
import type { PlacementBlocked, PlacementResult, Reservation } from './placement.types';

const solverFor = (
  inv: ReturnType<typeof inventory>,
  reservations: Reservation[] = [],
  config = NO_OVERCOMMIT,
) => new PlacementSolver(new InventoryView(inv), config, reservations, 'plan-1');

const blocked = (r: PlacementResult): PlacementBlocked => {
  if (r.ok) throw new Error(`expected no placement, got ${r.hostId}`);
  return r;
};

describe('PlacementSolver', () => {
  it('picks the least-loaded eligible host and records why the others were rejected', () => {
    const inv = inventory(
      [host('cmp-1'), host('cmp-2'), host('cmp-3'), host('cmp-4', { status: 'disabled' })],
      [vm('vm-1', 'cmp-1'), vm('busy', 'cmp-2', { resources: { vcpus: 8, memoryMb: 16384 } })],
    );
    const result = solverFor(inv).place({ instanceId: 'vm-1' });
    expect(result).toMatchObject({
      ok: true,
      hostId: 'cmp-3',
      fromHostId: 'cmp-1',
      loadAfter: 0.25,
    });
    const byHost = Object.fromEntries(result.candidates.map((c) => [c.hostId, c]));
    expect(byHost['cmp-1'].reasons.map((r) => r.code)).toEqual(['source-host']);
    expect(byHost['cmp-2']).toMatchObject({ accepted: true, loadAfter: 0.75 });
    expect(byHost['cmp-4'].reasons.map((r) => r.code)).toEqual(['not-up']);
    expect(byHost['cmp-4'].reasons[0].message).toContain('status disabled');
  });

  it('breaks ties by host id', () => {
    const inv = inventory([host('cmp-1'), host('cmp-c'), host('cmp-b')], [vm('vm-1', 'cmp-1')]);
    expect(solverFor(inv).place({ instanceId: 'vm-1' })).toMatchObject({ hostId: 'cmp-b' });
  });

  it('never places on another hypervisor', () => {
    const inv = inventory(
      [host('cmp-1'), host('xen-1', { hypervisor: 'xen' })],
      [vm('vm-1', 'cmp-1')],
    );
    const r = blocked(solverFor(inv).place({ instanceId: 'vm-1' }));
    expect(r.constraints).toEqual(['no-eligible-host']);
    expect(r.reason).toBe('no host for vm-1: no other up host with hypervisor kvm');
    expect(r.candidates.find((c) => c.hostId === 'xen-1')!.reasons[0].code).toBe('hypervisor');
  });

  it('keeps group members on different hosts (host anti-affinity)', () => {
    const inv = inventory(
      [host('cmp-1'), host('cmp-2'), host('cmp-3')],
      [member('db-a', 'cmp-1', 'db', 'active'), member('db-s', 'cmp-2', 'db', 'standby')],
      [group('db')],
    );
    expect(solverFor(inv).place({ instanceId: 'db-a' })).toMatchObject({ hostId: 'cmp-3' });
    const twoHosts = inventory(inv.hosts.slice(0, 2), inv.instances, inv.groups);
    const r = blocked(solverFor(twoHosts).place({ instanceId: 'db-a' }));
    expect(r.constraints).toEqual(['anti-affinity']);
    expect(r.reason).toContain('anti-affinity (host): group db member db-s is or will be on cmp-2');
  });

  it('keeps group members in different zones (zone anti-affinity), ignoring the moving member', () => {
    const inv = inventory(
      [
        host('a1', { zone: 'az1' }),
        host('a2', { zone: 'az1' }),
        host('b1', { zone: 'az2' }),
        host('c1', { zone: 'az3' }),
      ],
      [
        member('db-1', 'a1', 'db', 'active'),
        member('db-2', 'b1', 'db', 'active'),
        member('db-3', 'c1', 'db', 'standby'),
      ],
      [group('db', { active: 2, antiAffinity: 'zone' })],
    );
    const result = solverFor(inv).place({ instanceId: 'db-1' });
    expect(result).toMatchObject({ ok: true, hostId: 'a2' });
    const b1 = result.candidates.find((c) => c.hostId === 'b1')!;
    expect(b1.reasons.map((r) => r.code)).toEqual(['anti-affinity-zone']);
    expect(b1.reasons[0].message).toContain('member db-2 is or will be in az2 (b1)');
  });

  it("counts this plan's own earlier placements for capacity and anti-affinity", () => {
    const inv = inventory(
      [host('src'), host('d1'), host('d2')],
      [
        member('db-a', 'src', 'db', 'active'),
        member('db-s', 'src', 'db', 'standby'),
        vm('big', 'src', { resources: { vcpus: 13, memoryMb: 8192 } }),
      ],
      [group('db', { antiAffinity: 'host' })],
    );
    const solver = solverFor(inv);
    expect(solver.place({ instanceId: 'db-a' })).toMatchObject({ hostId: 'd1' });
    // d1 now holds db-a: db-s must go elsewhere even though d1 is otherwise fine.
    expect(solver.place({ instanceId: 'db-s' })).toMatchObject({ hostId: 'd2' });
    // Both destinations have 12 vcpus left: 13 does not fit.
    const r = blocked(solver.place({ instanceId: 'big' }));
    expect(r.constraints).toEqual(['capacity']);
    expect(r.reason).toContain(
      'vcpus: needs 13, free 12 of 16 (16 x 1 overcommit; 4 used incl. 4 reserved)',
    );
    expect(solver.reservations().map((x) => [x.instanceId, x.hostId])).toEqual([
      ['db-a', 'd1'],
      ['db-s', 'd2'],
    ]);
  });

  it('reports capacity exhaustion naming the dimension and the instance', () => {
    const inv = inventory(
      [host('cmp-1'), host('cmp-2', { capacity: { vcpus: 64, memoryMb: 4096 } })],
      [vm('vm-1', 'cmp-1')],
    );
    const r = blocked(solverFor(inv).place({ instanceId: 'vm-1' }));
    expect(r.instanceId).toBe('vm-1');
    expect(r.constraints).toEqual(['capacity']);
    expect(r.reason).toBe(
      'no host for vm-1: capacity (cmp-2: memoryMb: needs 8192, free 4096 of 4096 (4096 x 1 overcommit; 0 used incl. 0 reserved))',
    );
  });

  it('applies the overcommit ratios to capacity', () => {
    const inv = inventory(
      [host('cmp-1'), host('cmp-2', { capacity: { vcpus: 4, memoryMb: 32768 } })],
      [vm('vm-1', 'cmp-1'), vm('there', 'cmp-2', { resources: { vcpus: 4, memoryMb: 8192 } })],
    );
    expect(solverFor(inv).place({ instanceId: 'vm-1' }).ok).toBe(false);
    const overcommitted = solverFor(inv, [], { cpuOvercommit: 2, memoryOvercommit: 1 });
    expect(overcommitted.place({ instanceId: 'vm-1' })).toMatchObject({
      ok: true,
      hostId: 'cmp-2',
      loadAfter: 1,
    });
  });

  it('respects reservations of in-flight plans: the last free host goes to the first plan', () => {
    const inv = inventory(
      [host('cmp-1'), host('last', { capacity: { vcpus: 4, memoryMb: 8192 } })],
      [vm('vm-1', 'cmp-1'), vm('vm-2', 'cmp-1')],
    );
    const first = solverFor(inv);
    expect(first.place({ instanceId: 'vm-1' })).toMatchObject({ hostId: 'last' });
    const second = new PlacementSolver(
      new InventoryView(inv),
      NO_OVERCOMMIT,
      first.reservations(),
      'plan-2',
    );
    const r = blocked(second.place({ instanceId: 'vm-2' }));
    expect(r.reason).toContain(
      'vcpus: needs 4, free 0 of 4 (4 x 1 overcommit; 4 used incl. 4 reserved)',
    );
  });

  it('sees where in-flight plans are moving group members (anti-affinity on planned hosts)', () => {
    const inv = inventory(
      [host('cmp-1'), host('cmp-2'), host('cmp-3'), host('cmp-4')],
      [member('db-a', 'cmp-1', 'db', 'active'), member('db-s', 'cmp-2', 'db', 'standby')],
      [group('db')],
    );
    const moving: Reservation = {
      planId: 'other',
      hostId: 'cmp-3',
      vcpus: 4,
      memoryMb: 8192,
      instanceId: 'db-s',
      groupId: 'db',
    };
    const result = solverFor(inv, [moving]).place({ instanceId: 'db-a' });
    // cmp-3 will hold db-s; cmp-2 is free of db once db-s has left it (its capacity still counts
    // db-s until the move is done, so the empty cmp-4 wins on load).
    expect(result).toMatchObject({ ok: true, hostId: 'cmp-4' });
    const verdict = (id: string) => result.candidates.find((c) => c.hostId === id)!;
    expect(verdict('cmp-3').reasons.map((r) => r.code)).toEqual(['anti-affinity-host']);
    expect(verdict('cmp-2')).toMatchObject({ accepted: true, loadAfter: 0.5 });
  });

  it('excludes hosts it is told to avoid', () => {
    const inv = inventory([host('cmp-1'), host('cmp-2')], [vm('vm-1', 'cmp-1')]);
    const r = blocked(solverFor(inv).place({ instanceId: 'vm-1', excludeHostIds: ['cmp-2'] }));
    expect(r.candidates[1].reasons.map((x) => x.code)).toEqual(['excluded']);
  });

  it('refuses baremetal and unknown instances', () => {
    const inv = inventory([host('cmp-1'), host('cmp-2')], [bm('bm-1', 'cmp-1')]);
    expect(blocked(solverFor(inv).place({ instanceId: 'bm-1' })).constraints).toEqual([
      'baremetal',
    ]);
    expect(blocked(solverFor(inv).place({ instanceId: 'nope' })).constraints).toEqual([
      'unknown-instance',
    ]);
  });

  describe('on a cloud too large to list every host', () => {
    // 40 hosts: big-00 empty, then one more vcpu and 2 GiB used per host (up to 15 of 16);
    // big-36 and big-37 run xen, big-38 and big-39 are down.
    const cloud = () =>
      inventory(
        Array.from({ length: 40 }, (_, i) =>
          host(`big-${String(i).padStart(2, '0')}`, {
            hypervisor: i === 36 || i === 37 ? 'xen' : 'kvm',
            status: i >= 38 ? 'down' : 'up',
          }),
        ),
        [
          ...Array.from({ length: 40 }, (_, i) => {
            const n = Math.min(i, 15);
            const id = `big-${String(i).padStart(2, '0')}`;
            return vm(`fill-${i}`, id, { resources: { vcpus: n, memoryMb: 2048 * n } });
          }),
          member('db-a', 'big-05', 'db', 'active'),
          member('db-s', 'big-00', 'db', 'standby', { resources: { vcpus: 0, memoryMb: 0 } }),
          vm('huge', 'big-05', { resources: { vcpus: 17, memoryMb: 1024 } }),
        ],
        [group('db')],
      );

    it('judges hosts from the least loaded on and counts those that could not have been chosen', () => {
      const result = solverFor(cloud()).place({ instanceId: 'db-a' });
      // big-00 is empty but holds db-s; big-01 is the next least loaded, at 5/16 once db-a is on
      // it. Every other host is at 2/16 or more now, so at least 6/16 with db-a: none is judged.
      expect(result).toMatchObject({ ok: true, hostId: 'big-01', loadAfter: 0.3125 });
      expect(result.candidates.map((c) => [c.hostId, c.accepted])).toEqual([
        ['big-01', true],
        ['big-00', false],
      ]);
      expect(result.candidates[1].reasons.map((r) => r.code)).toEqual(['anti-affinity-host']);
      expect(result.omitted).toEqual({
        accepted: 0,
        rejected: 4,
        rejectedBy: { 'not-up': 2, hypervisor: 2 },
        notJudged: 34,
      });
    });

    it('judges every up host of the hypervisor when none fits, and says so as on a small cloud', () => {
      const r = blocked(solverFor(cloud()).place({ instanceId: 'huge' }));
      expect(r.constraints).toEqual(['capacity']);
      expect(r.reason).toMatch(
        /^no host for huge: capacity \(big-00: vcpus: needs 17, free 16 of 16 .* \| and 25 more\)$/,
      );
      expect(r.candidates).toHaveLength(32);
      // 36 up kvm hosts judged (the source among them), 32 listed; the 4 others counted.
      expect(r.omitted).toEqual({
        accepted: 0,
        rejected: 4 + 4,
        rejectedBy: { 'not-up': 2, hypervisor: 2, vcpus: 4 },
      });
    });
  });
});
