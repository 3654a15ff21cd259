import type { PlanContext, PolicyOutcome } from '../plan-context';

/** Tell people, change nothing: one `notify` action with the rule's message or a generated one. */
export function notifyPolicy(ctx: PlanContext): PolicyOutcome {
  const { alarm, rule, target } = ctx.intent;
  const message = ctx.param('message');
  const severity = ctx.param('severity');
  ctx.add('notify', {
    message:
      typeof message === 'string'
        ? message
        : `${alarm.type} on ${target.kind} ${target.id} (alarm ${alarm.source}/${alarm.id}, rule ${rule.name})`,
    severity: typeof severity === 'string' ? severity : 'info',
  });
  return undefined;
}
