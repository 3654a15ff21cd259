// Found while running the ordinary suite next to the chaos suite: `npm test` hung for good. The
// outbox relay's claiming transaction held its batch's row locks while it waited for its delivery
// note on another connection; a TRUNCATE of both tables (the specs' reset between tests; in
// production an ALTER TABLE of a migration) took outbox_attempts and waited for those row locks,
// and the note waited behind the TRUNCATE: a lock cycle through the engine that PostgreSQL cannot
// detect. The note now gives up after a lock timeout, so the claim rolls back and the relay retries.
import { OutboxRepository } from '@reflex/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { OutboxAttemptRepository } from '../../apps/engine/src/outbox/outbox-attempt.repository';
import { startTestEngine, type TestEngine } from '../support/engine-app';

describe('outbox relay claim against a lock that waits for it', () => {
  let engine: TestEngine;
  let locker: Client;

  beforeAll(async () => {
    // The engine's own relay polls rarely, so the claim below is the only one.
    engine = await startTestEngine({ OUTBOX_POLL_MS: '60000' });
    locker = new Client({ connectionString: engine.database.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await engine?.close();
  });

  it('gives its claim up instead of waiting forever', async () => {
    await engine.app
      .get(DataSource)
      .query(`INSERT INTO outbox (topic, key, value) VALUES ('plans', 'cycle', '{}'::jsonb)`);
    const attempts = engine.app.get(OutboxAttemptRepository);
    let claimed!: () => void;
    let proceed!: () => void;
    const isClaimed = new Promise<void>((resolve) => (claimed = resolve));
    const mayProceed = new Promise<void>((resolve) => (proceed = resolve));
    const claim = engine.app.get(OutboxRepository).publishBatch(10, async (batch) => {
      claimed();
      await mayProceed;
      await attempts.record(
        batch.map((r) => r.id),
        new Date(),
      );
    });
    claim.catch(() => undefined);
    await isClaimed;

    // What TRUNCATE outbox_attempts, outbox does: the first table at once, then wait for the second.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE outbox_attempts IN ACCESS EXCLUSIVE MODE');
    const second = locker.query('LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE');
    proceed();

    await expect(claim).rejects.toThrow(/lock timeout/);
    await second;
    await locker.query('ROLLBACK');
    const [row] = await engine.app
      .get(DataSource)
      .query<{ published_at: Date | null }[]>(
        `SELECT published_at FROM outbox WHERE key = 'cycle'`,
      );
    expect(row.published_at).toBeNull();
  }, 30_000);
});
