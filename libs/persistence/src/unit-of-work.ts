import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

type Hook = () => void;

interface Scope {
  /** The unit of work that opened it: another one (a second engine in the process) is outside it. */
  readonly owner: UnitOfWork;
  readonly manager: EntityManager;
  readonly hooks: Set<Hook>;
  /** False once the transaction has ended: work it started and left running is outside it now. */
  open: boolean;
}

/**
 * One store for every unit of work of the process: on Node 20 each AsyncLocalStorage in use adds its
 * own hook to every promise created anywhere, so two engines in one process (the bench's, a test's)
 * would pay twice.
 */
const scopes = new AsyncLocalStorage<Scope>();

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
  constructor(
    private readonly dataSource: DataSource,
    private readonly onHookError: (error: Error) => void = (error) =>
      process.emitWarning(`after-commit hook failed: ${error.message}`),
  ) {}

  /** This unit of work's open transaction, if the current async context is inside one. */
  private scope(): Scope | undefined {
    const scope = scopes.getStore();
    return scope?.owner === this && scope.open ? scope : undefined;
  }

  /** The current transaction's manager, or the pool's outside one. */
  get manager(): EntityManager {
    return this.scope()?.manager ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.scope() !== undefined;
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
      scope = { owner: this, manager, hooks: new Set(), open: true };
      return scopes.run(scope, work);
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
    const scope = this.scope();
    if (scope) scope.hooks.add(hook);
    else this.runHooks([hook]);
  }

  // Outside every scope, and never inside the commit's own call chain.
  private runHooks(hooks: Iterable<Hook>): void {
    for (const hook of hooks) {
      scopes.exit(() =>
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
