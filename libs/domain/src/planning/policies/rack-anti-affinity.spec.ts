import type { AntiAffinity, HostV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { buildPlan } from '../plan-builder';
import type { PlanDraft } from '../plan-intent';
import {
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

/**
 * Rack anti-affinity (CONTRACT §9) in every policy that places: a group member never goes to a
 * rack another member is or will be in. Each cloud has an empty host in the rack of another
 * member, which host anti-affinity alone would pick (it is the least loaded), and a busier host
 * in a rack of its own, which rack anti-affinity must pick instead.
 */
const inRack = (id: string, rack: string | undefined, over: Partial<HostV1> = {}) =>
  host(id, { labels: rack ? { rack } : {}, ...over });

/** h1 in rack r1; h3 and an empty h4 in r2; h5 in r3, half full. */
const hosts = (over: Partial<Record<string, Partial<HostV1>>> = {}) => [
  inRack('h1', 'r1', over.h1),
  inRack('h3', 'r2'),
  inRack('h4', 'r2'),
  inRack('h5', 'r3'),
];
const filler = vm('filler', 'h5', { resources: { vcpus: 8, memoryMb: 16384 } });

const plan = (
  policy: Parameters<typeof intent>[0],
  inv: ReturnType<typeof inventory>,
  target = 'h1',
) =>
  buildPlan(
    intent(policy, { kind: target.startsWith('h') ? 'host' : 'group', id: target }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

const destination = (draft: PlanDraft, instanceId: string): string | undefined =>
  draft.actions
    .map((a) => a.params as Partial<ActionV1<'evacuate'>['params']>)
    .find((p) => p.instanceId === instanceId && p.toHostId)?.toHostId;

const rejections = (draft: PlanDraft, instanceId: string, hostId: string): string[] =>
  draft.explanation.placements
    .find((p) => p.instanceId === instanceId)!
    .candidates.find((c) => c.hostId === hostId)!
    .reasons.map((r) => r.message);

describe.each<[AntiAffinity, string]>([
  ['host', 'h4'],
  ['rack', 'h5'],
])('%s anti-affinity', (antiAffinity, expected) => {
  it(`failover re-places the former active on ${expected}`, () => {
    const inv = inventory(
      hosts(),
      [member('db-a', 'h1', 'db', 'active'), member('db-s', 'h3', 'db', 'standby'), filler],
      [group('db', { antiAffinity })],
    );
    const draft = plan('host-failover', inv);
    expect(draft.actions.map((a) => a.type)).toEqual([
      'fence-host',
      'set-host-status',
      'switch-over',
      'evacuate',
    ]);
    expect(destination(draft, 'db-a')).toBe(expected);
  });

  it(`drain moves a member to ${expected}`, () => {
    const inv = inventory(
      hosts(),
      [member('db-1', 'h1', 'db', 'active'), member('db-2', 'h3', 'db', 'active'), filler],
      [group('db', { active: 2, standby: 0, antiAffinity })],
    );
    const draft = plan('host-drain', inv);
    expect(draft.state).toBe('pending');
    expect(destination(draft, 'db-1')).toBe(expected);
  });

  it(`restoring redundancy moves the standby off its down host to ${expected}`, () => {
    const inv = inventory(
      hosts({ h1: { status: 'down' } }),
      [member('db-a', 'h3', 'db', 'active'), member('db-s', 'h1', 'db', 'standby'), filler],
      [group('db', { antiAffinity })],
    );
    const draft = plan('restore-redundancy', inv, 'db');
    expect(draft.actions.map((a) => a.type)).toEqual(['evacuate']);
    expect(destination(draft, 'db-s')).toBe(expected);
  });
});

describe('rack anti-affinity', () => {
  it('says why the other host of a member rack is turned down', () => {
    const inv = inventory(
      hosts(),
      [member('db-a', 'h1', 'db', 'active'), member('db-s', 'h3', 'db', 'standby'), filler],
      [group('db', { antiAffinity: 'rack' })],
    );
    expect(rejections(plan('host-failover', inv), 'db-a', 'h4')).toEqual([
      'anti-affinity (rack): group db member db-s is or will be in rack az1/r2 (h3)',
    ]);
  });

  it('keeps racks of the same name in different zones apart, and a host without a rack alone', () => {
    const inv = inventory(
      [
        inRack('h1', 'r1'),
        inRack('h3', 'r2'),
        inRack('b1', 'r2', { zone: 'az2' }),
        inRack('lone', undefined),
      ],
      [
        member('db-a', 'h1', 'db', 'active'),
        member('db-s', 'h3', 'db', 'standby'),
        vm('busy', 'lone', { resources: { vcpus: 4, memoryMb: 8192 } }),
      ],
      [group('db', { antiAffinity: 'rack' })],
    );
    // az2/r2 is not az1/r2: the empty b1 takes the former active.
    expect(destination(plan('host-failover', inv), 'db-a')).toBe('b1');
    const noZone2 = inventory(
      inv.hosts.filter((h) => h.id !== 'b1'),
      inv.instances,
      inv.groups,
    );
    expect(destination(plan('host-failover', noZone2), 'db-a')).toBe('lone');
  });

  it('also holds between the members one plan moves', () => {
    // Both members live on h1 (no anti-affinity broken yet: an operator's choice); the failover
    // must still not put them in one rack.
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h3', 'r2'), inRack('h4', 'r2'), inRack('h5', 'r3')],
      [member('w-1', 'h1', 'web', 'active'), member('w-2', 'h1', 'web', 'active')],
      [group('web', { active: 2, standby: 0, antiAffinity: 'rack' })],
    );
    const draft = plan('host-failover', inv);
    const racks = ['w-1', 'w-2'].map((id) => {
      const to = destination(draft, id)!;
      return inv.hosts.find((h) => h.id === to)!.labels!.rack;
    });
    expect(new Set(racks).size).toBe(2);
  });

  it('leaves a member down and names it when every rack with room holds another member', () => {
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h3', 'r2'), inRack('h4', 'r2')],
      [member('db-a', 'h1', 'db', 'active'), member('db-s', 'h3', 'db', 'standby')],
      [group('db', { antiAffinity: 'rack' })],
    );
    const draft = plan('host-failover', inv);
    expect(draft.actions.map((a) => a.type)).toEqual([
      'fence-host',
      'set-host-status',
      'switch-over',
    ]);
    expect(draft.reason).toBe(
      "db-a (priority 50): every host with 4 vCPU / 8 GiB free breaks group db's rack anti-affinity",
    );
  });
});
