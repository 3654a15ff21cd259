import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

type Hook = () => void;

interface Scope {
  readonly manager: EntityManager;
  readonly hooks: Set<Hook>;
  /** False once the transaction has ended: work it started and left running is outside it now. */
  open: boolean;
}

/**
 * The transaction a use case opens, held for the repositories it calls: they read `manager` rather
 * than have an `EntityManager` passed down every call. The scope follows the async context
 * (AsyncLocalStorage), so work awaited inside `transaction` sees it and work of other requests
 * does not.
 *
 * Outside a transaction `manager` is the pool's: each statement commits on its own, as it would
 * have with `dataSource.manager`.
 */
export class UnitOfWork {
  private readonly scopes = new AsyncLocalStorage<Scope>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly onHookError: (error: Error) => void = (error) =>
      process.emitWarning(`after-commit hook failed: ${error.message}`),
  ) {}

  /** The current transaction's manager, or the pool's outside one. */
  get manager(): EntityManager {
    const scope = this.scopes.getStore();
    return scope?.open ? scope.manager : this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.scopes.getStore()?.open === true;
  }

  /** Throws unless a transaction is open: for locks and claims that would end with the statement. */
  requireTransaction(what: string): void {
    if (!this.inTransaction) throw new Error(`${what} must run inside a transaction`);
  }

  /**
   * Runs `work` in a new transaction of its own, committed when it resolves and rolled back when it
   * throws, even when called inside another one (as `dataSource.transaction` would).
   */
  async transaction<T>(work: () => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    let scope: Scope | undefined;
    const run = (manager: EntityManager) => {
      scope = { manager, hooks: new Set(), open: true };
      return this.scopes.run(scope, work);
    };
    try {
      const result = isolation
        ? await this.dataSource.transaction(isolation, run)
        : await this.dataSource.transaction(run);
      this.runHooks(scope?.hooks ?? []);
      return result;
    } finally {
      if (scope) scope.open = false;
    }
  }

  /** `work` in the current transaction, or in a new one (at `isolation`) when none is open. */
  within<T>(work: () => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    return this.inTransaction ? work() : this.transaction(work, isolation);
  }

  /**
   * Runs `hook` once the current transaction has committed (once per transaction for the same
   * function), at once when none is open, never after a rollback. Hooks are hints for latency (waking
   * a relay, a ticker): a hook lost to a crash must cost time, never correctness.
   */
  afterCommit(hook: Hook): void {
    const scope = this.scopes.getStore();
    if (scope?.open) scope.hooks.add(hook);
    else this.runHooks([hook]);
  }

  // Outside every scope, and never inside the commit's own call chain.
  private runHooks(hooks: Iterable<Hook>): void {
    for (const hook of hooks) {
      this.scopes.exit(() =>
        setImmediate(() => {
          try {
            hook();
          } catch (error) {
            this.onHookError(error as Error);
          }
        }),
      );
    }
  }
}
