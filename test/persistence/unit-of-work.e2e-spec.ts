// The unit of work on a real PostgreSQL: what a repository reads through `uow.manager` is the
// transaction the use case opened (and only that use case's), its hooks run after the commit and
// never after a rollback, and work left running past the end of a transaction is outside it.
import { createDataSource, runMigrations, UnitOfWork } from '@reflex/persistence';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('UnitOfWork', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: UnitOfWork;

  beforeAll(async () => {
    db = await createTestDatabase('persistence_unit_of_work');
    dataSource = await createDataSource(db.url, { logging: false }).initialize();
    await runMigrations(dataSource);
    uow = new UnitOfWork(dataSource);
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });
  beforeEach(() => dataSource.query('TRUNCATE processed_messages'));

  /** A stand-in for a repository: it only ever reads `uow.manager`. */
  const insert = (id: string) =>
    uow.manager.query(`INSERT INTO processed_messages (consumer, message_id) VALUES ('t', $1)`, [
      id,
    ]);
  const stored = async () =>
    (
      await dataSource.query<{ message_id: string }[]>(
        `SELECT message_id FROM processed_messages ORDER BY message_id`,
      )
    ).map((r) => r.message_id);
  const transactionId = async () =>
    (await uow.manager.query<{ id: string }[]>(`SELECT txid_current()::text AS id`))[0].id;

  it("gives each concurrent use case its own transaction, and the pool's outside one", async () => {
    expect(uow.inTransaction).toBe(false);
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) =>
        uow.transaction(async () => {
          const first = await transactionId();
          await sleep(20); // the other use case runs meanwhile
          await insert(name);
          expect(await transactionId()).toBe(first);
          return first;
        }),
      ),
    );
    expect(a).not.toBe(b);
    // Outside: every statement is a transaction of its own.
    expect(await transactionId()).not.toBe(await transactionId());
    expect(await stored()).toEqual(['a', 'b']);
  });

  it('rolls back what the repositories wrote when the use case throws', async () => {
    await expect(
      uow.transaction(async () => {
        await insert('lost');
        throw new Error('decision failed');
      }),
    ).rejects.toThrow('decision failed');
    expect(await stored()).toEqual([]);
  });

  it('opens a transaction of its own inside another, while `within` joins it', async () => {
    await expect(
      uow.transaction(async () => {
        const outer = await transactionId();
        await uow.transaction(async () => {
          expect(await transactionId()).not.toBe(outer);
          await insert('own');
        });
        await uow.within(async () => {
          expect(await transactionId()).toBe(outer);
          await insert('joined');
        });
        expect(await transactionId()).toBe(outer);
        throw new Error('outer rolls back');
      }),
    ).rejects.toThrow('outer rolls back');
    expect(await stored()).toEqual(['own']);
  });

  it('runs a hook once after the commit, and never after a rollback', async () => {
    const ran: string[] = [];
    const once = () => ran.push('once');
    await uow.transaction(async () => {
      uow.afterCommit(once);
      uow.afterCommit(once);
      uow.afterCommit(() => ran.push(`sees commit: ${uow.inTransaction}`));
      await insert('x');
      await sleep(20);
      expect(ran).toEqual([]);
    });
    await sleep(20);
    expect(ran).toEqual(['once', 'sees commit: false']);

    ran.length = 0;
    await uow
      .transaction(async () => {
        uow.afterCommit(() => ran.push('rolled back'));
        throw new Error('no');
      })
      .catch(() => undefined);
    uow.afterCommit(() => ran.push('outside: at once'));
    await sleep(20);
    expect(ran).toEqual(['outside: at once']);
  });

  it('leaves work still running after the transaction ended outside it', async () => {
    let late: Promise<boolean> | undefined;
    await uow.transaction(async () => {
      // Started inside, finished after the commit released the connection.
      late = sleep(30).then(async () => {
        await insert('late');
        return uow.inTransaction;
      });
      await insert('inside');
    });
    expect(await late).toBe(false);
    expect(await stored()).toEqual(['inside', 'late']);
  });

  it('refuses locks and claims outside a transaction', () => {
    expect(() => uow.requireTransaction('planning')).toThrow(
      'planning must run inside a transaction',
    );
  });
});
