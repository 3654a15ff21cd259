import { DetachGate } from './detach-gate';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('DetachGate', () => {
  it('passes calls through until detached, then parks them without running them', async () => {
    const process = new DetachGate();
    const run = process.child();
    const other = process.child();
    let calls = 0;
    await expect(run.pass(() => ++calls)).resolves.toBe(1);
    run.detach();
    expect(await settled(run.pass(() => ++calls))).toBe(false);
    expect(calls).toBe(1);
    await expect(other.pass(async () => 'still here')).resolves.toBe('still here');
    process.detach();
    expect(await settled(other.pass(() => ++calls))).toBe(false);
    expect(calls).toBe(1);
  });

  it('parks a call that was in flight when the gate closed, success or failure', async () => {
    const gate = new DetachGate();
    let finish!: () => void;
    const inFlight = gate.pass(() => new Promise<void>((r) => (finish = r)));
    const failing = gate.pass(() => Promise.reject(new Error('late')));
    gate.detach();
    finish();
    expect(await settled(inFlight)).toBe(false);
    expect(await settled(failing)).toBe(false);
  });
});
