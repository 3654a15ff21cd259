import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { sequentialIds } from '../testing/topology.fixture';
import { compensationsFor } from './compensation';

const action = (
  over: Partial<ActionV1> & Pick<ActionV1, 'id' | 'seq' | 'type' | 'params'>,
): ActionV1 => ({
  planId: 'p1',
  dependsOn: [],
  state: 'succeeded',
  attempts: 1,
  progress: 100,
  startedAt: '2026-12-06T10:00:00.000Z',
  finishedAt: `2026-12-06T10:00:0${over.seq}.000Z`,
  error: null,
  compensationFor: null,
  ...over,
});

// A switch-over plan: promote s in place of a, then restart a where it is.
const switchOver = action({
  id: 'a1',
  seq: 1,
  type: 'switch-over',
  params: { groupId: 'g', fromInstanceId: 'a', toInstanceId: 's' },
});
const restart = (state: ActionV1['state']) =>
  action({ id: 'a2', seq: 2, type: 'recover-instance', params: { instanceId: 'a' }, state });

describe('compensationsFor', () => {
  it('switches back when something else failed', () => {
    const other = action({
      id: 'a3',
      seq: 3,
      type: 'notify',
      params: { message: 'x', severity: 'info' },
      state: 'failed',
    });
    const undo = compensationsFor([switchOver, restart('succeeded'), other], sequentialIds('c'));
    expect(undo.map((c) => [c.type, c.params, c.compensationFor])).toEqual([
      ['switch-over', { groupId: 'g', fromInstanceId: 's', toInstanceId: 'a' }, 'a1'],
    ]);
  });

  it('never switches back to a member whose restart failed: it would hand the service to a down instance', () => {
    expect(compensationsFor([switchOver, restart('failed')], sequentialIds('c'))).toEqual([]);
    expect(compensationsFor([switchOver, restart('aborted')], sequentialIds('c'))).toEqual([]);
  });
});
