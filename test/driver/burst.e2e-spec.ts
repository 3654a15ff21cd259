// A burst of commands through the driver: claimed together per partition, started, polled,
// recorded and published in batches, with every per-action guarantee intact (one backend start,
// one final result, commands of one action in order).
import { Client } from 'pg';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import { waitFor } from '../support/wait-for';
import {
  callsOf,
  EventLog,
  migrate,
  newActionId,
  sendCommands,
  simCloud,
  simControl,
  simMigrate,
  withKind,
} from './support/driver-harness';

const COUNT = 300;

describe('driver under a burst of commands', () => {
  let driver: TestDriver;
  let log: EventLog;

  beforeAll(async () => {
    driver = await startTestDriver();
    const vms = Object.fromEntries(Array.from({ length: COUNT + 1 }, (_, i) => [`vm-${i}`, 0]));
    await simControl(driver.url).seed(simCloud(vms));
    log = await EventLog.start(driver.config.topicPrefix);
  });

  afterAll(async () => {
    await log?.close();
    await driver?.close();
  });

  it('runs each action once and reports it once, keeping each action’s commands in order', async () => {
    const ids = Array.from({ length: COUNT }, () => newActionId('burst'));
    const executes = ids.map((id, i) =>
      // Half to each of two hosts: one would not have room for them all (256 vCPUs).
      migrate(id, { instanceId: `vm-${i}`, fromHostId: 'cmp-01', toHostId: `cmp-0${2 + (i % 2)}` }),
    );
    // An abort that arrives before its execute: answered `not-found` and recorded final, so the
    // execute right behind it in the same burst finds the record and never starts.
    const refused = simMigrate('refused', `vm-${COUNT}`);
    await sendCommands(
      driver.config.topicPrefix,
      ...executes,
      // Redelivered executes of the first ten, in the same burst.
      ...executes.slice(0, 10),
      withKind(refused, 'abort'),
      refused,
    );

    await waitFor('every final event', () => ids.every((id) => log.finals(id).length > 0), {
      timeoutMs: 60_000,
    });
    await waitFor(
      'the refused action answered twice',
      () => log.finals(refused.actionId).length >= 2,
    );
    await log.caughtUp();

    for (const id of ids) {
      // Repeats of one recorded result (a redelivered execute re-publishes it) are the same event.
      expect([id, log.distinctFinals(id).length, log.finals(id)[0].status]).toEqual([
        id,
        1,
        'succeeded',
      ]);
      expect(log.statuses(id)[0]).toBe('accepted');
    }
    const codes = log
      .finals(refused.actionId)
      .map((e) => (typeof e.error === 'object' ? e.error.code : e.error));
    expect(new Set(codes)).toEqual(new Set(['not-found']));

    const calls = await simControl(driver.url).calls();
    for (const id of ids) {
      expect([id, callsOf(calls, id).map((c) => `${c.method}:${c.outcome}`)]).toEqual([
        id,
        ['start:started'],
      ]);
    }
    expect(callsOf(calls, refused.actionId)).toEqual([]);
    const cloud = await simControl(driver.url).state();
    const moved = cloud.instances.filter((i) => i.hostId !== 'cmp-01');
    expect(moved).toHaveLength(COUNT);

    const db = new Client({ connectionString: driver.database.url });
    await db.connect();
    try {
      await waitFor('every final event marked published', async () => {
        const { rows } = await db.query<{ open: string }>(
          `SELECT count(*) AS open FROM driver_actions
           WHERE finished_at IS NULL OR final_published_at IS NULL`,
        );
        return Number(rows[0].open) === 0;
      });
    } finally {
      await db.end();
    }
  });
});
