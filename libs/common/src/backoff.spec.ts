import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles up to the cap and never exceeds it, for as many attempts as asked', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    expect(backoff.failures).toBe(8);
  });

  it('jitters downwards by at most 10%', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 1000 }, () => 0.999);
    const delay = backoff.next();
    expect(delay).toBeLessThan(1000);
    expect(delay).toBeGreaterThanOrEqual(900);
  });

  it('starts again from the initial delay after a reset', () => {
    const backoff = new Backoff({ initialMs: 50, maxMs: 400 }, () => 0);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(50);
  });
});
