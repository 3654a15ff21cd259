import { ValidationError } from '@reflex/common';
import { actorOf } from './actor-input';

const operator = { principal: { name: 'ops-bot', role: 'operator' as const } };

describe('actorOf', () => {
  it("makes the token's name the actor and keeps a claimed `by` as a note", () => {
    expect(actorOf({ by: 'a (admin)', reason: 'not now' }, operator)).toEqual({
      by: 'ops-bot',
      note: 'a (admin)',
      reason: 'not now',
    });
    expect(actorOf(undefined, operator)).toEqual({ by: 'ops-bot' });
  });

  it('names the actor `anonymous` when no token was needed', () => {
    expect(actorOf({ by: 'alice' }, {})).toEqual({ by: 'anonymous', note: 'alice' });
  });

  it('refuses a `by` that is not a short string, naming it', () => {
    expect(() => actorOf({ by: 42 }, operator)).toThrow(ValidationError);
    expect(() => actorOf({ by: 'x'.repeat(1025) }, operator)).toThrow(/by must be a string/);
  });

  it('refuses a field it does not know, naming it, rather than dropping a mistyped reason', () => {
    let error: unknown;
    try {
      actorOf({ reson: 'checked' }, operator);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { path: '/reson', message: 'is not a field (known: by, reason)' },
    ]);
  });
});
