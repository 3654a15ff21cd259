import { buildPlan } from '../plan-builder';
import {
  PLANNING,
  bm,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

const restore = (inv: ReturnType<typeof inventory>) =>
  buildPlan(
    intent('host-restore', { kind: 'host', id: 'h1' }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

describe('host-restore policy', () => {
  it('marks the host up, then restarts in place what is not running', () => {
    const inv = inventory(
      [host('h1', { status: 'maintenance' }), host('h2')],
      [
        member('db-a', 'h1', 'db', 'standby', { state: 'stopped' }),
        bm('bm-1', 'h1', { state: 'error' }),
        vm('vm-ok', 'h1'),
      ],
    );
    const draft = restore(inv);
    expect(draft.actions.map((a) => [a.id, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 'set-host-status', { hostId: 'h1', status: 'up', previousStatus: 'maintenance' }, []],
      ['a3', 'recover-instance', { instanceId: 'bm-1' }, ['a2']],
      ['a4', 'recover-instance', { instanceId: 'db-a' }, ['a2']],
    ]);
  });

  it('is an empty plan, with a note, when there is nothing to restore', () => {
    const draft = restore(inventory([host('h1')], [vm('vm-1', 'h1')]));
    expect(draft).toMatchObject({ state: 'pending', actions: [] });
    expect(draft.reason).toBe('h1 is up and everything on it runs: nothing to do');
  });
});
