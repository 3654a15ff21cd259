import { Turns } from './turns';

/** Busy work for `ms` milliseconds, without giving the loop a turn. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('Turns', () => {
  it('lets a timer run during a long chain of work that awaits only resolved promises', async () => {
    const turns = new Turns(10);
    let timerRanAfter = -1;
    let steps = 0;
    setTimeout(() => (timerRanAfter = steps), 0);
    for (; steps < 20; steps++) {
      spin(5);
      await turns.take();
    }
    // Without turns the timer would run only after all 20 steps (100 ms of work).
    expect(timerRanAfter).toBeGreaterThanOrEqual(0);
    expect(timerRanAfter).toBeLessThan(5);
  });

  it('costs no turn while the work is short', async () => {
    const turns = new Turns(60_000);
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    for (let i = 0; i < 100; i++) await turns.take();
    expect(timerRan).toBe(false);
  });
});
