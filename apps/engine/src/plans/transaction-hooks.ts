import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';

type Hook = () => void;

/**
 * Runs work once the surrounding transaction has committed: waking the outbox relay after a step
 * enqueued messages, re-planning waiting decisions after a plan finished. Works inside any caller's
 * transaction (intake's too), which the services cannot otherwise see the end of. Hooks are hints
 * for latency only: the relay polls and the ticker re-checks, so a hook lost to a crash costs time,
 * never correctness.
 */
@Injectable()
export class TransactionHooks implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('transaction-hooks');
  private readonly pending = new WeakMap<QueryRunner, Set<Hook>>();

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** Once per transaction for the same hook; at once when there is no transaction. */
  afterCommit(manager: EntityManager, hook: Hook): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      this.run(hook);
      return;
    }
    const hooks = this.pending.get(runner) ?? new Set<Hook>();
    hooks.add(hook);
    this.pending.set(runner, hooks);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint also "commits"; only the outer commit makes the work visible.
    if (event.queryRunner.isTransactionActive) return;
    const hooks = this.pending.get(event.queryRunner);
    this.pending.delete(event.queryRunner);
    hooks?.forEach((hook) => this.run(hook));
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }

  // Never inside the commit itself: TypeORM awaits subscribers before the commit call returns.
  private run(hook: Hook): void {
    setImmediate(() => {
      try {
        hook();
      } catch (error) {
        this.logger.warn(`after-commit hook failed: ${(error as Error).message}`);
      }
    });
  }
}
