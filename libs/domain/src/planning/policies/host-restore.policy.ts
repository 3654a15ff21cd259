import type { PlanContext, PolicyOutcome } from '../plan-context';
import { byPriority } from '../priority';

/**
 * A host is back (maintenance over, or repaired after a failure): mark it up, then restart in place
 * whatever on it is not running, highest priority first; group members rejoin as standbys (a
 * failover already promoted others in their place).
 */
export function hostRestorePolicy(ctx: PlanContext): PolicyOutcome {
  const host = ctx.view.host(ctx.intent.target.id);
  if (ctx.intent.target.kind !== 'host' || !host) {
    return {
      blocked: `host-restore needs a known host, got ${ctx.intent.target.kind} ${ctx.intent.target.id}`,
    };
  }
  const up = host.status === 'up' ? undefined : ctx.setHostStatus(host.id, 'up', host.status);
  for (const instance of byPriority(ctx.view.instancesOn(host.id), (i) => i)) {
    if (instance.state !== 'running')
      ctx.add('recover-instance', { instanceId: instance.id }, [up]);
  }
  if (!ctx.actions.length) ctx.note(`${host.id} is up and everything on it runs: nothing to do`);
  return undefined;
}
