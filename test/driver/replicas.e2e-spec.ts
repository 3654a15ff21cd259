// Two driver replicas: one database (so one `driver_actions` and one simulated cloud), one topic
// prefix, one consumer group. They must never run an action twice, and an action whose replica
// stops must be finished by the other.
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import { http } from '../support/http';
import { testTopicPrefix } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import {
  callsOf,
  drain,
  EventLog,
  migrate,
  newActionId,
  sendCommands,
  sendUnderWay,
  simCloud,
  simControl,
  simMigrate,
  withKind,
  writeConfig,
} from './support/driver-harness';

async function running(driver: TestDriver): Promise<number> {
  const text = (await http<string>('GET', `${driver.url}/metrics`)).body;
  const match = /^reflex_driver_actions_running\{backend="simulator"\} (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

describe('two driver replicas in one consumer group', () => {
  let database: TestDatabase;
  let prefix: string;
  let a: TestDriver;
  let b: TestDriver;
  /** Same database, own topics: receives every command a rebalance or redelivery could bring. */
  let c: TestDriver;
  const open = new Set<TestDriver>();
  let log: EventLog;
  let cLog: EventLog;

  beforeAll(async () => {
    database = await createTestDatabase('driver_replicas');
    prefix = testTopicPrefix();
    const backends = writeConfig('backends.yaml', { simulator: { bandwidthMbps: 1000 } });
    const start = async (replica: string, topicPrefix = prefix) => {
      const driver = await startTestDriver({
        database,
        env: {
          TOPIC_PREFIX: topicPrefix,
          DRIVER_REPLICA_ID: replica,
          DRIVER_BACKENDS_FILE: backends,
        },
      });
      open.add(driver);
      return driver;
    };
    [a, b, c] = await Promise.all([
      start('replica-a'),
      start('replica-b'),
      start('replica-c', testTopicPrefix()),
    ]);
    const vms: Record<string, number> = { 'vm-long': 3000, 'vm-hung': 400 };
    for (let i = 1; i <= 8; i++) vms[`vm-r${i}`] = 400;
    for (let i = 1; i <= 6; i++) vms[`vm-c${i}`] = 400;
    await simControl(a.url).seed(simCloud(vms));
    [log, cLog] = await Promise.all([EventLog.start(prefix), EventLog.start(c.config.topicPrefix)]);
  });

  afterEach(() => {
    expect(log.invalid).toEqual([]);
    expect(cLog.invalid).toEqual([]);
  });

  afterAll(async () => {
    await log?.close();
    await cLog?.close();
    for (const driver of open) await driver.close();
    await database?.drop();
  });

  it('starts each action once when both replicas receive the same commands twice', async () => {
    const commands = Array.from({ length: 8 }, (_, i) =>
      migrate(newActionId(`r${i + 1}`), {
        instanceId: `vm-r${i + 1}`,
        fromHostId: 'cmp-01',
        toHostId: i % 2 ? 'cmp-02' : 'cmp-03',
      }),
    );
    await sendCommands(prefix, ...commands, ...commands);
    for (const c of commands)
      expect(await log.final(c.actionId)).toMatchObject({ status: 'succeeded' });
    await log.caughtUp();
    const calls = await simControl(b.url).calls();
    for (const c of commands) {
      expect(log.finals(c.actionId)).toHaveLength(1);
      expect(log.statuses(c.actionId).filter((s) => s === 'accepted')).toHaveLength(1);
      expect(callsOf(calls, c.actionId).map((call) => [call.method, call.outcome])).toEqual([
        ['start', 'started'],
      ]);
    }
    expect(log.invalid).toEqual([]);
  });

  it('lets only the claimer run an action that two replicas receive at once', async () => {
    // Replica c gets every command too, as a replica does after a rebalance or a redelivery:
    // the claim in driver_actions decides.
    const commands = Array.from({ length: 6 }, (_, i) =>
      migrate(newActionId(`c${i + 1}`), {
        instanceId: `vm-c${i + 1}`,
        fromHostId: 'cmp-01',
        toHostId: 'cmp-02',
      }),
    );
    await Promise.all([
      sendCommands(prefix, ...commands),
      sendCommands(c.config.topicPrefix, ...commands),
    ]);
    const both = (id: string) => [...log.of(id), ...cLog.of(id)];
    for (const command of commands) {
      await waitFor('a final event', () => both(command.actionId).some((e) => e.progress === 100));
    }
    await Promise.all([log.caughtUp(), cLog.caughtUp()]);
    const calls = await simControl(c.url).calls();
    for (const command of commands) {
      const events = both(command.actionId);
      expect(events.filter((e) => e.status === 'accepted')).toHaveLength(1);
      // The loser either saw it running (said nothing) or finished (sent the record again).
      const finals = events.filter((e) => e.status === 'succeeded');
      expect(finals.length).toBeGreaterThanOrEqual(1);
      for (const final of finals) expect(final).toEqual(finals[0]);
      expect(callsOf(calls, command.actionId).map((call) => call.method)).toEqual(['start']);
    }
  });

  it('carries out an abort that reached another replica, through the record', async () => {
    await simControl(a.url).fault({
      action: 'live-migrate',
      instanceId: 'vm-hung',
      effect: 'hang',
      count: 1,
    });
    const command = simMigrate('far-abort', 'vm-hung');
    await sendUnderWay(log, prefix, command);
    // Replica c does not run it: it notes the request, and the owner's next heartbeat acts on it.
    await sendCommands(c.config.topicPrefix, withKind(command, 'abort'));
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted' },
    });
    await cLog.caughtUp();
    expect(cLog.of(command.actionId)).toEqual([]);
    const calls = callsOf(await simControl(c.url).calls(), command.actionId);
    expect(calls.map((call) => call.method)).toEqual(['start', 'abort', 'failPath']);
  });

  it('hands a running action to the other replica when its own stops', async () => {
    // Replica c listens to other topics: were it to take the action over, its result would go
    // there. Its close stops its lease sweeps at once; the rest (Kafka) finishes in the background.
    open.delete(c);
    const cClosed = c.close();
    const command = simMigrate('handover', 'vm-long');
    await sendUnderWay(log, prefix, command);
    const owner = (await running(a)) > 0 ? a : b;
    const other = owner === a ? b : a;
    expect(await running(owner)).toBe(1);

    // A command redelivered meanwhile changes nothing.
    await sendCommands(prefix, command);
    await drain(log, prefix, command.actionId);
    expect(log.finals(command.actionId)).toEqual([]);

    // A graceful stop leaves the migration running and the action unfinished, for the other.
    await owner.close();
    open.delete(owner);
    expect(await log.final(command.actionId)).toMatchObject({ status: 'succeeded' });
    await log.caughtUp();
    expect(log.finals(command.actionId)).toHaveLength(1);

    const sim = simControl(other.url);
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual(['start']);
    expect((await sim.state()).instances.find((i) => i.id === 'vm-long')).toMatchObject({
      hostId: 'cmp-02',
      state: 'running',
    });
    const metrics = (await http<string>('GET', `${other.url}/metrics`)).body;
    expect(metrics).toMatch(/^reflex_driver_action_takeovers_total [1-9]/m);

    // An abort after the end is answered from the record: nothing runs again.
    await sendCommands(prefix, withKind(command, 'abort'));
    await drain(log, prefix, command.actionId);
    const finals = log.finals(command.actionId);
    expect(finals).toHaveLength(2);
    expect(finals[1]).toEqual(finals[0]);
    expect(callsOf(await sim.calls(), command.actionId)).toHaveLength(1);
    await cClosed;
  });
});
