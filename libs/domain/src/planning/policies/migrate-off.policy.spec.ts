import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import { buildPlan } from '../plan-builder';
import {
  PLANNING,
  bm,
  host,
  intent,
  inventory,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

const migrateOff = (
  inv: ReturnType<typeof inventory>,
  target: ResourceRefV1,
  params: Record<string, unknown> = {},
) =>
  buildPlan(
    intent('migrate-off', target, { params }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

describe('migrate-off policy', () => {
  const inv = inventory(
    [host('h1'), host('h2'), host('h3')],
    [vm('vm-1', 'h1'), vm('vm-2', 'h1', { state: 'stopped' }), bm('bm-1', 'h1')],
  );

  it('disables the host and moves every VM off it; baremetal is reported', () => {
    const draft = migrateOff(inv, { kind: 'host', id: 'h1' });
    expect(draft.actions.map((a) => [a.id, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 'set-host-status', { hostId: 'h1', status: 'disabled', previousStatus: 'up' }, []],
      ['a3', 'live-migrate', { instanceId: 'vm-1', fromHostId: 'h1', toHostId: 'h2' }, ['a2']],
      ['a4', 'cold-migrate', { instanceId: 'vm-2', fromHostId: 'h1', toHostId: 'h3' }, ['a2']],
    ]);
    expect(draft.reason).toBe('baremetal bm-1 cannot migrate off h1');
  });

  it('leaves the host status alone with disableHost false', () => {
    const draft = migrateOff(inv, { kind: 'host', id: 'h1' }, { disableHost: false });
    expect(draft.actions.map((a) => [a.type, a.dependsOn])).toEqual([
      ['live-migrate', []],
      ['cold-migrate', []],
    ]);
  });

  it('moves a single instance, and refuses a baremetal one', () => {
    expect(migrateOff(inv, { kind: 'instance', id: 'vm-1' }).actions.map((a) => a.params)).toEqual([
      { instanceId: 'vm-1', fromHostId: 'h1', toHostId: 'h2' },
    ]);
    expect(migrateOff(inv, { kind: 'instance', id: 'bm-1' })).toMatchObject({
      state: 'blocked',
      reason: 'bm-1 is baremetal: it cannot migrate, only switch over',
    });
  });

  it('is blocked when a VM has nowhere to go', () => {
    const full = inventory([host('h1'), host('h2', { status: 'disabled' })], [vm('vm-1', 'h1')]);
    expect(migrateOff(full, { kind: 'host', id: 'h1' })).toMatchObject({
      state: 'blocked',
      actions: [],
      reason: 'no host for vm-1: no other up host with hypervisor kvm',
    });
  });
});
