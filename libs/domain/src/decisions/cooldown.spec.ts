import { cooldownReason } from './cooldown';

const host = { kind: 'host' as const, id: 'h1' };
const at = new Date('2026-12-06T10:00:00.000Z');

describe('cooldownReason', () => {
  it('suppresses a plan within the cooldown, saying when it ends', () => {
    expect(cooldownReason('r', host, 60, at, at.getTime() + 59_999)).toBe(
      'rule r made a plan for host h1 at 2026-12-06T10:00:00.000Z; cooldown 60s runs until 2026-12-06T10:01:00.000Z',
    );
  });

  it('lets the rule plan once the cooldown has run, without one, or with no earlier plan', () => {
    expect(cooldownReason('r', host, 60, at, at.getTime() + 60_000)).toBeNull();
    expect(cooldownReason('r', host, 0, at, at.getTime())).toBeNull();
    expect(cooldownReason('r', host, 60, null, at.getTime())).toBeNull();
  });
});
