// Force-complete on a simulated cloud where live migrations never converge (dirty rate above the
// bandwidth), driven only through Kafka and the simulator control API.
import { callsOf, simCloud, simControl, simMigrate, withKind } from './support/driver-harness';
import { driverSpec } from './support/driver-spec';

describe('driver on a non-converging simulated cloud', () => {
  const ctx = driverSpec(() => ({ simulator: { bandwidthMbps: 500, dirtyRateMbps: 1000 } }));
  let sim: ReturnType<typeof simControl>;

  beforeAll(async () => {
    sim = simControl(ctx.driver.url);
    await sim.seed(simCloud({ 'vm-busy': 4096 }));
  });

  it('force-completes a live migration that cannot converge', async () => {
    const command = simMigrate('force', 'vm-busy');
    expect(await ctx.interrupt(command, 'force-complete')).toMatchObject({
      status: 'succeeded',
      progress: 100,
      detail: { forced: true },
    });
    const state = await sim.state();
    expect(state.instances.find((i) => i.id === 'vm-busy')).toMatchObject({
      hostId: 'cmp-02',
      state: 'running',
    });
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual([
      'start',
      'forceComplete',
    ]);

    // A late force-complete changes nothing: the recorded result is sent again.
    await ctx.send(withKind(command, 'force-complete'));
    await ctx.drain(command.actionId);
    const finals = ctx.log.finals(command.actionId);
    expect(finals).toHaveLength(2);
    expect(finals[1]).toEqual(finals[0]);
    expect(callsOf(await sim.calls(), command.actionId)).toHaveLength(2);
  });
});
