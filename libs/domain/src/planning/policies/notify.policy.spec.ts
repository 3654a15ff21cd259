import { buildPlan } from '../plan-builder';
import { PLANNING, host, intent, inventory, sequentialIds } from '../../testing/topology.fixture';

describe('notify policy', () => {
  const inv = inventory([host('h1')], []);
  const build = (params?: Record<string, unknown>) =>
    buildPlan(
      intent('notify', { kind: 'host', id: 'h1' }, { params }),
      inv,
      { reservations: [] },
      PLANNING,
      sequentialIds('a'),
    );

  it("sends the rule's message, or one naming the alarm, resource and rule", () => {
    expect(build({ message: 'look at h1', severity: 'major' }).actions[0]).toMatchObject({
      type: 'notify',
      params: { message: 'look at h1', severity: 'major' },
      dependsOn: [],
    });
    expect(build().actions[0].params).toEqual({
      message: 'host.down on host h1 (alarm test/alarm-1, rule notify-rule)',
      severity: 'info',
    });
  });
});
