// Restart safety (CONTRACT §7): the driver, a child process, is killed with SIGKILL in the middle
// of a live migration and started again; it must finish the action without migrating twice and
// report it exactly once.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testDriverEnv } from '../support/driver-app';
import {
  callsOf,
  EventLog,
  sendUnderWay,
  simCloud,
  simControl,
  simMigrate,
  writeConfig,
} from './support/driver-harness';
import { freePort } from '../support/free-port';
import { DriverProcess } from './support/driver-process';

describe('driver killed with SIGKILL mid-migration', () => {
  let database: TestDatabase;
  let driver: DriverProcess | undefined;
  let log: EventLog | undefined;

  afterAll(async () => {
    await log?.close();
    // Not a graceful stop: the new process's consumer is still waiting for Kafka to expire the
    // killed one (30 s), and a graceful stop would wait for that join to finish.
    await driver?.kill();
    await database?.drop();
  });

  it('resumes after a restart: one migrate call, one final event, the VM on the destination', async () => {
    database = await createTestDatabase('driver_restart');
    const env = testDriverEnv(database, {
      PORT: String(await freePort()),
      // Stable across the restart, so the new process takes its predecessor's actions at once
      // instead of waiting for their leases to expire.
      DRIVER_REPLICA_ID: 'driver-crash-test',
      // 1200 MB at 200 MB/s: six seconds, so the kill lands mid-migration and the new process
      // finds it still running.
      DRIVER_BACKENDS_FILE: writeConfig('backends.yaml', { simulator: { bandwidthMbps: 200 } }),
    });
    const prefix = env.TOPIC_PREFIX;
    driver = await DriverProcess.start(env);
    const sim = simControl(driver.url);
    await sim.seed(simCloud({ 'vm-crash': 1200 }));
    log = await EventLog.start(prefix);

    const command = simMigrate('crash', 'vm-crash');
    await sendUnderWay(log, prefix, command);
    await driver.kill();
    const killedAt = Date.now();
    expect(log.finals(command.actionId)).toEqual([]);

    driver = await DriverProcess.start(env);
    const final = await log.final(command.actionId);
    expect(final).toMatchObject({ status: 'succeeded', progress: 100 });
    // It watched the migration it found running (progress after the restart), and did not start it.
    const afterRestart = log
      .of(command.actionId)
      .slice(killedAt)
      .map((e) => e.status);
    expect(afterRestart).not.toContain('accepted');

    // Not `drain`: its probe command would wait for Kafka to expire the killed consumer (30 s).
    await log.caughtUp();
    expect(log.finals(command.actionId)).toHaveLength(1);
    const calls = callsOf(await sim.calls(), command.actionId);
    expect(calls.filter((c) => c.method === 'start')).toEqual([
      expect.objectContaining({ outcome: 'started' }),
    ]);
    expect(calls.map((c) => c.method)).toEqual(['start']);
    const state = await sim.state();
    expect(state.instances.find((i) => i.id === 'vm-crash')).toMatchObject({
      hostId: 'cmp-02',
      state: 'running',
    });
    expect(log.invalid).toEqual([]);
  });
});
