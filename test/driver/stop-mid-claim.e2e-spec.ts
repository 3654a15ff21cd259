// A graceful stop that lands while a command's claim is still being written: the claim commits
// after the stop began, and the stop's release of this replica's leases must still cover it, or
// the action waits, unstarted and held by a stopped replica, until its lease runs out.
import { Client } from 'pg';
import { ActionRunner } from '../../apps/driver/src/actions/action-runner.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import { testTopicPrefix } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import { sendCommands, simCloud, simControl, simMigrate } from './support/driver-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a driver stopped while a claim is under way', () => {
  let database: TestDatabase;
  let driver: TestDriver | undefined;
  let blocker: Client | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('driver_stop_claim');
  });

  afterAll(async () => {
    await blocker?.end();
    await driver?.close();
    await database?.drop();
  });

  it('releases the lease of a claim that commits after the stop began', async () => {
    const prefix = testTopicPrefix();
    // A long lease: were the claim left out of the release, it would still be held at the check.
    driver = await startTestDriver({
      database,
      env: { TOPIC_PREFIX: prefix, DRIVER_REPLICA_ID: 'stopping', DRIVER_LEASE_MS: '60000' },
    });
    await simControl(driver.url).seed(simCloud({ 'vm-x': 400 }));
    const command = simMigrate('stop-mid-claim', 'vm-x');

    // Another session inserts the same (action, attempt) and keeps its transaction open: the
    // driver's claim (INSERT ... ON CONFLICT) waits for it on the row's key.
    blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      `INSERT INTO driver_actions (action_id, attempt, plan_id, type, params, deadline, backend, status)
       VALUES ($1, 1, 'plan-test', 'live-migrate', '{}', now(), 'simulator', 'accepted')`,
      [command.actionId],
    );
    await sendCommands(prefix, command);
    await waitFor(
      'the claim waiting on the open transaction',
      async () => {
        // Inside a transaction the activity view is a snapshot unless cleared.
        await blocker!.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await blocker!.query<{ waiting: string }>(
          `SELECT count(*) AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query LIKE 'INSERT INTO driver_actions%'`,
        );
        return Number(rows[0].waiting) > 0;
      },
      // The driver's consumer joins its group first (fromBeginning: the command waits for it).
      { timeoutMs: 45_000 },
    );

    const runner = driver.app.get(ActionRunner);
    const closed = driver.close();
    driver = undefined;
    await waitFor('the stop to begin', () => runner.stopping);
    // Time for a release that does not wait for the claim to run (and miss the row).
    await sleep(500);
    // The other session gives way: the driver's claim goes in now, after the stop began.
    await blocker.query('ROLLBACK');
    await closed;

    const { rows } = await blocker.query<{ owner: string; held: boolean }>(
      `SELECT owner, lease_expires_at > now() AS held FROM driver_actions
        WHERE action_id = $1 AND finished_at IS NULL`,
      [command.actionId],
    );
    expect(rows).toEqual([{ owner: 'stopping', held: false }]);
  });
});
