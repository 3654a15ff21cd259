import { Inject, Injectable, Logger } from '@nestjs/common';
import { Turns } from '@reflex/common';
import { UnitOfWork } from '@reflex/persistence';
import type { AlarmV1 } from '@reflex/contracts';
import type { RuleIntent } from '@reflex/rules';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@reflex/platform';
import { cooldownReason, duplicateReason, resolvedReason } from '@reflex/domain';
import { GroupStatusService } from '../inventory/group-status.service';
import { InventoryRepository } from '../inventory/inventory.repository';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { LiveFactSource } from '../rules/live-fact-source';
import { toPlanIntent } from '../rules/plan-intent';
import { RuleRegistry } from '../rules/rule-registry.service';
import { AlarmRepository, type HostAlarmType } from './alarm.repository';
import { alarmTypeLabel } from './alarm-type-label';
import { MAINTENANCE_REQUESTED, maintenanceWindowOf } from './maintenance-windows';
import { type BatchPlanner, PLAN_GATEWAY, PlanGateway } from './plan-gateway';
import { BatchInventory } from './batch-inventory';
import {
  type BatchView,
  type Decision,
  noRuleApplied,
  toResult,
  unknownResource,
  widerAlarm,
} from './decisions';
import { IngestAlarmCommand, IngestAlarmResult } from './ingest-alarm.command';
import { OpenAlarms } from './open-alarms';
import { RecentHostDowns } from './recent-host-downs';
import { RecentPlans } from './recent-plans';

/** Host alarms other decisions read: correlation (host.down) and maintenance windows. */
const WATCHED: HostAlarmType[] = ['host.down', MAINTENANCE_REQUESTED];

/**
 * From alarms to their dispositions, in one transaction per batch (a partition's worth from the
 * topic, one from HTTP): store each once, then decide each in order — duplicate, resolved (cancelling
 * a plan that has not started), correlated to a wider alarm, no rule, suppressed by cooldown, or
 * triggered with the plan it made. Every alarm is decided as if alone, against what the alarms before
 * it in the batch left; the reads and writes are made per batch. A crash before commit leaves
 * nothing; a redelivery after commit finds the stored messages and changes nothing.
 */
@Injectable()
export class IngestAlarmUseCase {
  private readonly decided: Counter<'type' | 'disposition'>;
  private readonly logger = new Logger('intake');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly alarms: AlarmRepository,
    private readonly inventory: InventoryRepository,
    private readonly snapshots: InventorySnapshots,
    private readonly groups: GroupStatusService,
    private readonly rules: RuleRegistry,
    @Inject(PLAN_GATEWAY) private readonly plans: PlanGateway,
    metrics: MetricsRegistry,
  ) {
    this.decided = new Counter({
      name: 'reflex_alarms_total',
      help: 'Alarms decided, by type and disposition',
      labelNames: ['type', 'disposition'],
      registers: [metrics.registry],
    });
  }

  async execute(command: IngestAlarmCommand): Promise<IngestAlarmResult> {
    return (await this.executeBatch([command]))[0];
  }

  /** The results in the commands' order. Throws (nothing stored) if any alarm cannot be stored. */
  async executeBatch(commands: readonly IngestAlarmCommand[]): Promise<IngestAlarmResult[]> {
    if (commands.length === 0) return [];
    const alarms = commands.map((c) => c.alarm);
    const results = await this.uow.transaction(async () => {
      await this.alarms.lockResources(alarms.map((a) => a.resource));
      const rowIds = await this.alarms.insertMany([...commands]);
      const decisions = await this.plans.batch((planner) =>
        this.decideAll(planner, alarms, rowIds),
      );
      await this.alarms.recordDecisions(decisions.filter((d) => d !== null));
      return this.results(alarms, decisions);
    });
    results.forEach((result, i) => this.report(commands[i], result));
    return results;
  }

  /** Each new alarm decided in turn, against what the ones before it left; null for a replay. */
  private async decideAll(
    planner: BatchPlanner,
    alarms: readonly AlarmV1[],
    rowIds: Array<string | null>,
  ): Promise<Array<(Decision & { rowId: string }) | null>> {
    // The alarms stored now: the rest are replays, decided before.
    const fresh = alarms.filter((_, i) => rowIds[i] !== null);
    await planner.prepare(fresh.map((a) => a.resource));
    const view = await this.load(planner, alarms, rowIds, fresh);
    const decisions: Array<(Decision & { rowId: string }) | null> = [];
    // Deciding is mostly in memory: without turns a storm's batch held the process for a second.
    const turns = new Turns();
    for (const [i, alarm] of alarms.entries()) {
      await turns.take();
      const rowId = rowIds[i];
      if (rowId === null) {
        decisions.push(null);
        continue;
      }
      const decision =
        (alarm.state ?? 'firing') === 'resolved'
          ? await this.resolve(planner, view, alarm)
          : await this.decide(planner, view, alarm);
      view.open.decided(alarm, rowId, decision);
      view.recentDowns.decided(alarm, decision.disposition);
      decisions.push({ ...decision, rowId });
    }
    return decisions;
  }

  private async load(
    planner: BatchPlanner,
    alarms: readonly AlarmV1[],
    rowIds: Array<string | null>,
    fresh: readonly AlarmV1[],
  ): Promise<BatchView> {
    const newRows = rowIds.filter((id) => id !== null);
    const keys = fresh.map((a) => ({ source: a.source, alarmId: a.id }));
    const inventory = await BatchInventory.load(
      this.inventory,
      this.groups,
      this.snapshots,
      alarms,
    );
    const hosts = [...inventory.hostIds];
    const firing = await this.alarms.openFiring(keys, newRows);
    const onHosts = await this.alarms.openOnHosts(WATCHED, hosts, newRows);
    const serialize = () => planner.serialize();
    const recentDowns = new RecentHostDowns(this.alarms, newRows, serialize);
    const recentPlans = new RecentPlans(
      this.uow,
      fresh.map((a) => a.resource),
      serialize,
    );
    const open = new OpenAlarms(firing, onHosts, hosts, WATCHED);
    return { open, inventory, recentDowns, recentPlans };
  }

  /** Decided now, or replays answered with what was decided then (in this batch or before). */
  private async results(
    alarms: readonly AlarmV1[],
    decisions: ReadonlyArray<Decision | null>,
  ): Promise<IngestAlarmResult[]> {
    const replays = alarms.filter((_, i) => decisions[i] === null);
    const stored = await this.alarms.findMessages(replays);
    let replay = 0;
    return alarms.map((alarm, i) => {
      const decision = decisions[i];
      if (decision) return toResult(alarm, decision, false);
      const found = stored[replay++];
      return toResult(
        alarm,
        {
          disposition: found?.disposition ?? 'received',
          planId: found?.planId ?? null,
          reason: 'already decided',
        },
        true,
      );
    });
  }

  private report(command: IngestAlarmCommand, result: IngestAlarmResult): void {
    if (result.replay) return;
    const alarm = command.alarm;
    const type = alarmTypeLabel(alarm.type, this.rules.rules());
    this.decided.inc({ type, disposition: result.disposition });
    // Ids as fields, not inside the text, so log search can follow an alarm to its plan.
    this.logger.log({
      msg: `alarm ${result.disposition}`,
      alarmId: alarm.id,
      alarmSource: alarm.source,
      alarmType: alarm.type,
      resource: `${alarm.resource.kind}:${alarm.resource.id}`,
      channel: command.channel,
      disposition: result.disposition,
      planId: result.planId,
      correlatedTo: result.correlatedTo,
      reason: result.reason,
    });
  }

  private async resolve(planner: BatchPlanner, view: BatchView, alarm: AlarmV1): Promise<Decision> {
    const open = view.open.firingOf(alarm.source, alarm.id);
    let cancelled = false;
    if (open?.planId) {
      cancelled = await planner.cancelIfNotStarted(
        open.planId,
        `alarm ${alarm.source}/${alarm.id} resolved before the plan started`,
      );
    }
    const reason = resolvedReason(open, cancelled);
    return {
      disposition: 'resolved',
      correlatedTo: open?.rowId ?? null,
      planId: open?.planId ?? null,
      reason,
      decision: { reason },
    };
  }

  private async decide(planner: BatchPlanner, view: BatchView, alarm: AlarmV1): Promise<Decision> {
    const open = view.open.firingOf(alarm.source, alarm.id);
    if (open) {
      const reason = duplicateReason(alarm, open);
      return {
        disposition: 'duplicate',
        correlatedTo: open.rowId,
        planId: open.planId,
        ...(open.planState ? { planState: open.planState } : {}),
        reason,
        decision: { reason },
      };
    }
    const unknown = unknownResource(view, alarm);
    if (unknown) return unknown;
    const wider = widerAlarm(view, alarm);
    if (wider) return wider;

    const maintenance = {
      openMaintenance: async (hostId: string) => {
        const request = view.open.oldestOn(MAINTENANCE_REQUESTED, hostId);
        return request ? maintenanceWindowOf(request) : null;
      },
    };
    const facts = new LiveFactSource(
      this.inventory,
      this.snapshots,
      this.groups,
      maintenance,
      view.recentDowns,
      view.inventory,
    );
    const evaluation = await this.rules.evaluate(alarm, facts);
    const summary = {
      fired: evaluation.fired.map((o) => ({ rule: o.rule, conditions: o.conditions })),
      whyNot: evaluation.whyNot,
    };
    const intent = evaluation.decision;
    if (!intent) return noRuleApplied(alarm, evaluation);
    const suppressed = await this.cooldown(planner, view, intent);
    if (suppressed)
      return {
        disposition: 'suppressed',
        reason: suppressed,
        decision: { reason: suppressed, intent, ...summary },
      };

    const outcome = await planner.plan(toPlanIntent(intent, alarm));
    const reason = outcome.reason ? `${intent.reason}; ${outcome.reason}` : intent.reason;
    return {
      disposition: 'triggered',
      planId: outcome.planId,
      planState: outcome.state,
      reason,
      decision: { reason, intent, plan: outcome, ...summary },
    };
  }

  private async cooldown(
    planner: BatchPlanner,
    view: BatchView,
    intent: RuleIntent,
  ): Promise<string | null> {
    if (intent.cooldownSeconds <= 0) return null;
    const { kind, id } = intent.target;
    const last =
      planner.lastPlanAt(intent.rule.name, kind, id) ??
      (await view.recentPlans.lastPlanAt(intent.rule.name, kind, id));
    return cooldownReason(
      intent.rule.name,
      intent.target,
      intent.cooldownSeconds,
      last,
      Date.now(),
    );
  }
}
