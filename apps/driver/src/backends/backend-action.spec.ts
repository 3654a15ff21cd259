import { ValidationError } from '@reflex/common';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import { hostsOf, instancesOf, toBackendAction } from './backend-action';

const command = (over: Partial<DriverCommandV1> = {}): DriverCommandV1 => ({
  kind: 'execute',
  actionId: 'a1',
  planId: 'p1',
  attempt: 1,
  type: 'live-migrate',
  params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
  deadline: '2030-01-01T00:00:00Z',
  ...over,
});

describe('toBackendAction', () => {
  it('keeps what a backend needs', () => {
    const action = toBackendAction(command());
    expect(action).toEqual({
      actionId: 'a1',
      attempt: 1,
      type: 'live-migrate',
      params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
      deadline: '2030-01-01T00:00:00Z',
    });
    expect(hostsOf(action)).toEqual(['cmp-01', 'cmp-02']);
    expect(instancesOf(action)).toEqual(['vm-01']);
  });

  it('names each bad field', () => {
    const bad = command({
      attempt: 0,
      deadline: 'soon',
      params: { instanceId: 'vm\n01', fromHostId: '', toHostId: 'cmp-02' },
    });
    let error: unknown;
    try {
      toBackendAction(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.path)).toEqual([
      '/attempt',
      '/deadline',
      '/params/instanceId',
      '/params/fromHostId',
    ]);
  });
});
