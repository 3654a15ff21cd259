// Force-complete on a simulated cloud where live migrations never converge (dirty rate above the
// bandwidth), driven only through Kafka and the simulator control API.
import { startTestDriver, type TestDriver } from '../support/driver-app';
import {
  callsOf,
  drain,
  EventLog,
  migrate,
  newActionId,
  sendCommands,
  simCloud,
  simControl,
  withKind,
  writeConfig,
} from './support/driver-harness';

describe('driver on a non-converging simulated cloud', () => {
  let driver: TestDriver;
  let prefix: string;
  let log: EventLog;
  let sim: ReturnType<typeof simControl>;

  beforeAll(async () => {
    driver = await startTestDriver({
      env: {
        DRIVER_BACKENDS_FILE: writeConfig('backends.yaml', {
          simulator: { bandwidthMbps: 500, dirtyRateMbps: 1000 },
        }),
      },
    });
    prefix = driver.config.topicPrefix;
    sim = simControl(driver.url);
    await sim.seed(simCloud({ 'vm-busy': 4096 }));
    log = await EventLog.start(prefix);
  });

  afterAll(async () => {
    await log?.close();
    await driver?.close();
  });

  it('force-completes a live migration that cannot converge', async () => {
    const command = migrate(newActionId('force'), {
      instanceId: 'vm-busy',
      fromHostId: 'cmp-01',
      toHostId: 'cmp-02',
    });
    await sendCommands(prefix, command);
    await log.next(command.actionId, 'progress');
    await sendCommands(prefix, withKind(command, 'force-complete'));
    expect(await log.final(command.actionId)).toMatchObject({
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
    await sendCommands(prefix, withKind(command, 'force-complete'));
    await drain(log, prefix, command.actionId);
    const finals = log.finals(command.actionId);
    expect(finals).toHaveLength(2);
    expect(finals[1]).toEqual(finals[0]);
    expect(callsOf(await sim.calls(), command.actionId)).toHaveLength(2);
    expect(log.invalid).toEqual([]);
  });
});
