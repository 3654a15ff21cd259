import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AlarmV1 } from '@reflex/contracts';
import type { PlanIntent } from '@reflex/domain';
import type { RuleIntent } from '@reflex/rules';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@reflex/platform';
import { DataSource, EntityManager } from 'typeorm';
import { GroupStatusService } from '../../../inventory/group-status.service';
import { InventoryRepository } from '../../../inventory/inventory.repository';
import { LiveFactSource } from '../../../rules/live-fact-source';
import { RuleRegistry } from '../../../rules/rule-registry.service';
import { AlarmRepository, DecisionUpdate } from '../../alarm.repository';
import { MaintenanceWindows } from '../../maintenance-windows';
import { PLAN_GATEWAY, PlanGateway } from '../../plan-gateway';
import { IngestAlarmCommand, IngestAlarmResult } from './ingest-alarm.command';

type Decision = DecisionUpdate & { reason: string | null };

/**
 * From one alarm to its disposition, in one transaction: store it once, then decide — duplicate,
 * resolved (cancelling a plan that has not started), correlated to a wider alarm, no rule, suppressed
 * by cooldown, or triggered with the plan it made. A crash before commit leaves nothing; a
 * redelivery after commit finds the stored message and changes nothing.
 */
@Injectable()
export class IngestAlarmUseCase {
  private readonly decided: Counter<'type' | 'disposition'>;
  private readonly logger = new Logger('intake');

  constructor(
    private readonly dataSource: DataSource,
    private readonly alarms: AlarmRepository,
    private readonly inventory: InventoryRepository,
    private readonly groups: GroupStatusService,
    private readonly maintenance: MaintenanceWindows,
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
    const alarm = command.alarm;
    const result = await this.dataSource.transaction(async (m) => {
      await this.alarms.lockResource(m, alarm.resource.kind, alarm.resource.id);
      const rowId = await this.alarms.insert(m, alarm, command.payload);
      if (rowId === null) {
        const stored = await this.alarms.findMessage(m, alarm);
        return this.result(
          alarm,
          {
            disposition: stored?.disposition ?? 'received',
            planId: stored?.planId ?? null,
            reason: 'already decided',
          },
          true,
        );
      }
      const decision =
        (alarm.state ?? 'firing') === 'resolved'
          ? await this.resolve(m, alarm, rowId)
          : await this.decide(m, alarm, rowId);
      await this.alarms.recordDecision(m, rowId, decision);
      return this.result(alarm, decision, false);
    });
    if (!result.replay) {
      this.decided.inc({ type: alarm.type, disposition: result.disposition });
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
      });
    }
    return result;
  }

  private result(
    alarm: AlarmV1,
    d: Omit<Decision, 'decision'>,
    replay: boolean,
  ): IngestAlarmResult {
    return {
      id: alarm.id,
      source: alarm.source,
      disposition: d.disposition,
      planId: d.planId ?? null,
      correlatedTo: d.correlatedTo ?? null,
      reason: d.reason,
      replay,
    };
  }

  private async resolve(m: EntityManager, alarm: AlarmV1, rowId: string): Promise<Decision> {
    const open = await this.alarms.findOpen(m, alarm.source, alarm.id, rowId);
    let cancelled = false;
    if (open?.planId) {
      cancelled = await this.plans.cancelIfNotStarted(
        m,
        open.planId,
        `alarm ${alarm.source}/${alarm.id} resolved before the plan started`,
      );
    }
    const reason = !open
      ? 'no open alarm to close'
      : cancelled
        ? `closed; plan ${open.planId} cancelled as it had not started`
        : 'closed';
    return {
      disposition: 'resolved',
      correlatedTo: open?.rowId ?? null,
      planId: open?.planId ?? null,
      reason,
      decision: { reason },
    };
  }

  private async decide(m: EntityManager, alarm: AlarmV1, rowId: string): Promise<Decision> {
    const open = await this.alarms.findOpen(m, alarm.source, alarm.id, rowId);
    if (open) {
      const reason = `alarm ${alarm.source}/${alarm.id} is already firing (since ${open.occurredAt.toISOString()})`;
      return {
        disposition: 'duplicate',
        correlatedTo: open.rowId,
        planId: open.planId,
        reason,
        decision: { reason },
      };
    }
    const unknown = await this.unknownResource(m, alarm);
    if (unknown) return unknown;
    const wider = await this.widerAlarm(m, alarm);
    if (wider) return wider;

    const facts = new LiveFactSource(m, this.inventory, this.groups, this.maintenance);
    const evaluation = await this.rules.evaluate(alarm, facts);
    const summary = {
      fired: evaluation.fired.map((o) => ({ rule: o.rule, conditions: o.conditions })),
      whyNot: evaluation.whyNot,
    };
    const intent = evaluation.decision;
    if (!intent) {
      const reason = evaluation.whyNot.length
        ? evaluation.whyNot.map((w) => `${w.rule.name}: ${w.why}`).join('; ')
        : `no rule matches alarm type ${alarm.type}`;
      return { disposition: 'no-rule', reason, decision: { reason, ...summary } };
    }
    const suppressed = await this.cooldown(m, intent);
    if (suppressed)
      return {
        disposition: 'suppressed',
        reason: suppressed,
        decision: { reason: suppressed, intent, ...summary },
      };

    const outcome = await this.plans.createPlan(m, toPlanIntent(intent, alarm));
    const reason = outcome.reason ? `${intent.reason}; ${outcome.reason}` : intent.reason;
    return {
      disposition: 'triggered',
      planId: outcome.planId,
      reason,
      decision: { reason, intent, plan: outcome, ...summary },
    };
  }

  /**
   * An alarm about a resource the inventory does not hold is refused with the reason (disposition
   * `rejected`), before any rule: there is nothing to act on, and a rule that fired anyway made a
   * blocked plan per alarm (a typo'd host, a producer ahead of the CMDB, or a hostile sender).
   * Kept in the audit rather than dead-lettered: it is a valid Alarm v1 (CONTRACT §3).
   */
  private async unknownResource(m: EntityManager, alarm: AlarmV1): Promise<Decision | null> {
    const { kind, id } = alarm.resource;
    const found =
      kind === 'host'
        ? await this.inventory.getHost(id, m)
        : kind === 'instance'
          ? await this.inventory.getInstance(id, m)
          : await this.inventory.getGroup(id, m);
    if (found) return null;
    const reason = `${kind} ${id} is not in the inventory`;
    return { disposition: 'rejected', reason, decision: { reason } };
  }

  /** An instance on a host that is down is the host's problem: the host's plan covers it. */
  private async widerAlarm(m: EntityManager, alarm: AlarmV1): Promise<Decision | null> {
    if (alarm.resource.kind !== 'instance') return null;
    const instance = await this.inventory.getInstance(alarm.resource.id, m);
    if (!instance) return null;
    const hostDown = await this.alarms.findOpenOfType(m, 'host.down', 'host', instance.hostId);
    if (!hostDown) return null;
    const reason = `host ${instance.hostId} is down (alarm ${hostDown.source}/${hostDown.alarmId}); its plan covers ${alarm.resource.id}`;
    return {
      disposition: 'correlated',
      correlatedTo: hostDown.rowId,
      planId: hostDown.planId,
      reason,
      decision: { reason },
    };
  }

  private async cooldown(m: EntityManager, intent: RuleIntent): Promise<string | null> {
    if (intent.cooldownSeconds <= 0) return null;
    const last = await this.alarms.lastPlanAt(
      m,
      intent.rule.name,
      intent.target.kind,
      intent.target.id,
    );
    if (!last) return null;
    const until = last.getTime() + intent.cooldownSeconds * 1000;
    if (Date.now() >= until) return null;
    return `rule ${intent.rule.name} made a plan for ${intent.target.kind} ${intent.target.id} at ${last.toISOString()}; cooldown ${intent.cooldownSeconds}s runs until ${new Date(until).toISOString()}`;
  }
}

export function toPlanIntent(intent: RuleIntent, alarm: AlarmV1): PlanIntent {
  return {
    policy: intent.policy,
    target: intent.target,
    mode: intent.mode,
    onFailure: intent.onFailure,
    rule: intent.rule,
    alarm: { id: alarm.id, source: alarm.source, type: alarm.type },
    params: intent.params,
    explanation: {
      reason: intent.reason,
      conditions: intent.explanation,
      passedOver: intent.passedOver,
    },
  };
}
