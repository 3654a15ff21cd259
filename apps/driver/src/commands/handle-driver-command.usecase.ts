import { Inject, Injectable, Logger } from '@nestjs/common';
import { ValidationError } from '@reflex/common';
import type { DriverCommandV1, DriverErrorV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import { ActionRunner } from '../actions/action-runner.service';
import type { DriverActionRecord } from '../action-store/driver-action.record';
import { DriverActionRepository } from '../action-store/driver-action.repository';
import { toBackendAction } from '../backends/backend-action';
import { BackendError, toDriverError } from '../backends/backend.errors';
import type { BackendAction } from '../backends/backend.port';
import { DriverEventsPublisher } from '../events/driver-events.publisher';
import { DriverMetrics } from '../events/driver.metrics';
import { HostBackendResolver } from '../routing/host-backend.resolver';
import { DRIVER_SETTINGS, type DriverSettings } from '../settings/driver-settings';

export type CommandOutcome =
  | 'started'
  | 'republished'
  | 'running-here'
  | 'running-elsewhere'
  | 'taken-over'
  | 'requested'
  | 'answered';

/**
 * One driver command (CONTRACT §7), idempotent per (action id, attempt):
 *
 * - `execute`: the first delivery claims the action in `driver_actions` and starts it; any later
 *   one (redelivery, a rebalance, a second replica) finds the record and re-publishes its final
 *   event, or leaves it with the replica that holds its lease, or takes it over if that replica
 *   is gone. The backend is never called twice for one attempt.
 * - `abort` / `force-complete`: noted on the record, then acted on by the replica running the
 *   action. Commands are keyed by action id, so with one consumer group they reach the replica
 *   that received the `execute`; after a rebalance the note reaches the owner with its next
 *   heartbeat. For a finished action the recorded result is re-published; for one the driver
 *   never accepted, a `failed` event says so (and is recorded, so that attempt never runs).
 *
 * Returns immediately after starting an action: the consumer must stay free for the abort that
 * may follow on the same partition.
 */
@Injectable()
export class HandleDriverCommand {
  private readonly logger = new Logger('driver-commands');

  constructor(
    @Inject(DRIVER_SETTINGS) private readonly settings: DriverSettings,
    private readonly actions: DriverActionRepository,
    private readonly runner: ActionRunner,
    private readonly resolver: HostBackendResolver,
    private readonly publisher: DriverEventsPublisher,
    private readonly metrics: DriverMetrics,
  ) {}

  async handle(command: DriverCommandV1): Promise<CommandOutcome> {
    const outcome =
      command.kind === 'execute' ? await this.execute(command) : await this.request(command);
    this.report(command, outcome);
    return outcome;
  }

  /**
   * Several consecutive commands of one partition, with the same effect as `handle` on each in
   * turn, but the fresh executes claimed together: an execute that is the first command of its
   * action here is resolved and claimed with the others in one look and one INSERT; every other
   * command (a later one of the same action, a refused or already known execute) then goes
   * through `handle`, in order. Idempotent like `handle`: if this throws half-way, handling the
   * same commands again one by one finds the claims made and starts nothing twice.
   */
  async handleAll(commands: DriverCommandV1[]): Promise<void> {
    const seen = new Set<string>();
    const fresh: { command: DriverCommandV1; action: BackendAction }[] = [];
    const later: DriverCommandV1[] = [];
    for (const command of commands) {
      const first = !seen.has(command.actionId);
      seen.add(command.actionId);
      const action = first && command.kind === 'execute' ? usable(command) : null;
      if (action) fresh.push({ command, action });
      else later.push(command);
    }
    const backends = await this.resolver.resolveAll(fresh.map((f) => f.action));
    const resolved = fresh.flatMap((f, i) => {
      const backend = backends[i];
      return backend instanceof BackendError ? [] : [{ command: f.command, backend }];
    });
    const claimed = await this.actions.claimAll(resolved, this.runner.owner, this.leaseMs);
    const single: DriverCommandV1[] = [];
    const byKey = new Map(resolved.map((r, i) => [r.command, claimed[i]]));
    for (const { command } of fresh) {
      const record = byKey.get(command);
      if (!record) {
        // Refused or known already: `handle` answers it, before any later command of its action.
        single.push(command);
        continue;
      }
      this.runner.run(record, 'execute');
      this.report(command, 'started');
    }
    for (const command of [...single, ...later]) await this.handle(command);
  }

  private report(command: DriverCommandV1, outcome: CommandOutcome): void {
    this.metrics.commands.inc({ kind: command.kind, outcome });
    this.logger.log({
      msg: `${command.kind}: ${outcome}`,
      actionId: command.actionId,
      attempt: command.attempt,
      planId: command.planId,
    });
  }

  /**
   * Claims first and reads only when the claim finds the action known (a redelivery, a second
   * replica): a fresh command, the usual case, costs the backend lookup and one INSERT.
   */
  private async execute(command: DriverCommandV1): Promise<CommandOutcome> {
    let action: BackendAction;
    let backend: DriverBackend;
    try {
      action = toBackendAction(command);
      backend = await this.resolver.resolve(action);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof BackendError) || error.retriable)
        throw error;
      // Unusable now, but perhaps accepted before (and its hosts re-seeded since): that record,
      // not this refusal, is the answer.
      const known = await this.actions.find(command);
      return known ? this.alreadyKnown(known) : this.answer(command, rejected(error));
    }
    const claimed = await this.actions.claim(command, backend, this.runner.owner, this.leaseMs);
    if (!claimed) return this.alreadyKnown((await this.actions.find(command))!);
    this.runner.run(claimed, 'execute');
    return 'started';
  }

  private async alreadyKnown(record: DriverActionRecord): Promise<CommandOutcome> {
    if (record.finalEvent) {
      await this.publisher.publishRecorded(record);
      return 'republished';
    }
    if (this.runner.isLocal(record)) return 'running-here';
    const taken = await this.actions.takeOver(record, this.runner.owner, this.leaseMs);
    if (!taken) return 'running-elsewhere';
    this.runner.run(taken, 'resume');
    return 'taken-over';
  }

  private async request(command: DriverCommandV1): Promise<CommandOutcome> {
    const what = command.kind === 'abort' ? 'abort' : 'force-complete';
    const record = await this.actions.find(command);
    if (!record) {
      return this.answer(command, {
        code: 'not-found',
        message: `the driver never accepted ${command.actionId} attempt ${command.attempt}; nothing to ${what}`,
        retriable: false,
      });
    }
    if (record.finalEvent || !(await this.actions.request(record, what))) {
      // Final already (or it became final just now): the recorded result is the answer.
      await this.publisher.publishRecorded((await this.actions.find(command)) ?? record);
      return 'republished';
    }
    const sent = what === 'abort' ? this.runner.abort(record) : this.runner.forceComplete(record);
    if (sent) return 'requested';
    // Not here: its owner sees the note with its next heartbeat, unless the owner is gone.
    const taken = await this.actions.takeOver(record, this.runner.owner, this.leaseMs);
    if (taken) this.runner.run(taken, 'resume');
    return taken ? 'taken-over' : 'requested';
  }

  /** Answers without running: recorded as final first, so the attempt can never run later. */
  private async answer(command: DriverCommandV1, error: DriverErrorV1): Promise<CommandOutcome> {
    const event: DriverEventV1 = {
      actionId: command.actionId,
      attempt: command.attempt,
      status: 'failed',
      error,
      at: new Date().toISOString(),
    };
    await this.publisher.publishRecorded(await this.actions.recordAnswered(command, event));
    return 'answered';
  }

  private get leaseMs(): number {
    return this.settings.leaseMs;
  }
}

function rejected(error: ValidationError | BackendError): DriverErrorV1 {
  if (error instanceof BackendError) return toDriverError(error);
  const fields = error.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  return {
    code: 'rejected',
    message: `the driver cannot run this command: ${fields || error.message}`,
    retriable: false,
  };
}

/** The command's action, or null when it is not usable (`handle` then answers why). */
function usable(command: DriverCommandV1): BackendAction | null {
  try {
    return toBackendAction(command);
  } catch {
    return null;
  }
}
