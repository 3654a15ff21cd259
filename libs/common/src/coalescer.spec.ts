import { Coalescer } from './coalescer';

/** A run that records what it was given and answers each item doubled, after `ms`. */
function recording(ms = 5, fails: (items: number[]) => boolean = () => false) {
  const runs: number[][] = [];
  let running = 0;
  let overlapped = false;
  const work = async (items: number[]) => {
    runs.push(items);
    running++;
    if (running > 1) overlapped = true;
    await new Promise((r) => setTimeout(r, ms));
    running--;
    if (fails(items)) throw new Error(`bad: ${items.join(',')}`);
    return items.map((i) => i * 2);
  };
  return { runs, work, overlapped: () => overlapped };
}

describe('Coalescer', () => {
  it('runs what is submitted in one turn together, and gives each caller its own results', async () => {
    const r = recording();
    const c = new Coalescer(r.work, 100);
    const results = await Promise.all([c.submit([1, 2]), c.submit([3]), c.submit([4, 5, 6])]);
    expect(results).toEqual([[2, 4], [6], [8, 10, 12]]);
    expect(r.runs).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('runs one at a time; what arrives meanwhile goes into the next run, up to maxItems', async () => {
    const r = recording(20);
    const c = new Coalescer(r.work, 4);
    const first = c.submit([1]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first run is under way
    const later = [c.submit([2, 3]), c.submit([4, 5]), c.submit([6]), c.submit([7, 8, 9, 10, 11])];
    expect(await first).toEqual([2]);
    expect(await Promise.all(later)).toEqual([[4, 6], [8, 10], [12], [14, 16, 18, 20, 22]]);
    // Never splits a submission: one larger than maxItems runs alone.
    expect(r.runs).toEqual([[1], [2, 3, 4, 5], [6], [7, 8, 9, 10, 11]]);
    expect(r.overlapped()).toBe(false);
  });

  it('runs each submission alone when a run fails: only the bad one fails', async () => {
    const r = recording(1, (items) => items.includes(13));
    const c = new Coalescer(r.work, 100);
    const settled = await Promise.allSettled([c.submit([1]), c.submit([13, 14]), c.submit([2])]);
    expect(settled).toEqual([
      { status: 'fulfilled', value: [2] },
      { status: 'rejected', reason: new Error('bad: 13,14') },
      { status: 'fulfilled', value: [4] },
    ]);
    expect(r.runs).toEqual([[1, 13, 14, 2], [1], [13, 14], [2]]);
  });

  it('rejects a lone submission with its own error, and keeps serving', async () => {
    const r = recording(1, (items) => items.includes(13));
    const c = new Coalescer(r.work, 100);
    await expect(c.submit([13])).rejects.toThrow('bad: 13');
    await expect(c.submit([3])).resolves.toEqual([6]);
    expect(r.runs).toEqual([[13], [3]]);
  });
});
