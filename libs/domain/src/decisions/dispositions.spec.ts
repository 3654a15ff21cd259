import { duplicateReason, resolvedReason } from './dispositions';

const alarm = { source: 'am', id: 'a1' };
const occurredAt = new Date('2026-12-06T10:00:00.000Z');

describe('dispositions', () => {
  it('calls a re-sent alarm a duplicate, saying again why its plan is blocked', () => {
    expect(duplicateReason(alarm, { occurredAt, planId: 'p1', planState: 'running' })).toBe(
      'alarm am/a1 is already firing (since 2026-12-06T10:00:00.000Z)',
    );
    const blocked = { occurredAt, planId: 'p1', planState: 'blocked', planReason: 'blocked: full' };
    expect(duplicateReason(alarm, blocked)).toBe(
      'alarm am/a1 is already firing (since 2026-12-06T10:00:00.000Z); its plan p1 is blocked: full',
    );
  });

  it('says what closing an alarm did', () => {
    expect(resolvedReason(null, false)).toBe('no open alarm to close');
    expect(resolvedReason({ planId: 'p1' }, false)).toBe('closed');
    expect(resolvedReason({ planId: 'p1' }, true)).toBe(
      'closed; plan p1 cancelled as it had not started',
    );
  });
});
