import { Backoff, markedRetriable, retryFor } from './backoff';

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

describe('retryFor', () => {
  const quick = { initialMs: 1, maxMs: 2, totalMs: 1000 };

  it('retries until the attempt succeeds, telling each retry', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryFor(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`try ${calls}`);
        return 'done';
      },
      { ...quick, onRetry: (_error, delay) => retries.push(delay) },
    );
    expect({ result, calls, retries: retries.length }).toEqual({
      result: 'done',
      calls: 3,
      retries: 2,
    });
  });

  it('throws at once an error that is not retriable, or once stopping', async () => {
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('no');
    };
    await expect(retryFor(failing, { ...quick, retriable: markedRetriable })).rejects.toThrow('no');
    await expect(retryFor(failing, { ...quick, stopping: () => true })).rejects.toThrow('no');
    expect(calls).toBe(2);
  });

  it('gives up with the last error when the time is spent', async () => {
    let calls = 0;
    await expect(
      retryFor(
        async () => {
          calls += 1;
          throw Object.assign(new Error(`try ${calls}`), { retriable: true });
        },
        { initialMs: 20, maxMs: 20, totalMs: 50, retriable: markedRetriable },
      ),
    ).rejects.toThrow(/^try \d$/);
    expect(calls).toBeGreaterThan(1);
  });
});
