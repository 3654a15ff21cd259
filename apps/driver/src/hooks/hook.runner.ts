import type { BackendAction } from '../backends/backend.port';
import { runExecHook } from './exec-hook.runner';
import { loadHooksConfig, type HookPhase, type HookSpec, type HooksConfig } from './hooks.config';
import type { HookPayload, HookResult } from './hook.types';
import { runWebhookHook } from './webhook-hook.runner';

/**
 * Runs the operator's `pre`, `post` and `fail` hooks for an action, one after another: hooks for
 * every type (`*`) first, then the type's own. The executor gives the phases their meaning:
 * - `pre`: a failure stops the remaining `pre` hooks and fails the action before the backend is
 *   touched (not retriable: the site said no, and trying again would ask the same question).
 * - `post`: failures are reported in the succeeded event's detail, but the action stays succeeded
 *   because the cloud change has happened and cannot be taken back by a notification failing.
 * - `fail`: run after the action's own fail path; all of them run whatever each returns.
 * Hooks may run more than once for one action (a driver restart, at-least-once delivery), so
 * they should be idempotent; webhooks get an `Idempotency-Key` header to help.
 */
export class HookRunner {
  constructor(private readonly config: HooksConfig = {}) {}

  /** No file configured means no hooks. */
  static async fromFile(path: string | null | undefined): Promise<HookRunner> {
    return new HookRunner(path ? await loadHooksConfig(path) : {});
  }

  hooksFor(phase: HookPhase, type: BackendAction['type']): HookSpec[] {
    return [...(this.config['*']?.[phase] ?? []), ...(this.config[type]?.[phase] ?? [])];
  }

  async run(
    phase: HookPhase,
    action: BackendAction,
    outcome?: HookPayload['outcome'],
  ): Promise<HookResult[]> {
    const payload: HookPayload = { phase, action, ...(outcome ? { outcome } : {}) };
    const results: HookResult[] = [];
    for (const spec of this.hooksFor(phase, action.type)) {
      const result =
        spec.kind === 'exec'
          ? await runExecHook(spec, payload)
          : await runWebhookHook(spec, payload);
      results.push(result);
      if (phase === 'pre' && !result.ok) break;
    }
    return results;
  }
}

/** The first failed hook, for error messages. */
export function firstFailure(results: HookResult[]): HookResult | undefined {
  return results.find((r) => !r.ok);
}
