import type { ActionV1, PlanV1 } from '@reflex/contracts/plan.v1';
import { describeAction, progressBar } from '../demo/plan-watcher';
import type { Terminal } from '../demo/terminal';

/** The 8 characters `reflex` prints and accepts for a plan id (CONTRACT §8: unique prefixes). */
export const shortId = (id: string): string => id.slice(0, 8);

/** "2026-05-01 12:03:04" in UTC: short, sortable and the same for every reader. */
export function clock(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '-';
}

export function stateColour(term: Terminal, state: string): string {
  if (state === 'succeeded' || state === 'rolled_back' || state === 'up') {
    return term.color('green', state);
  }
  if (['failed', 'blocked', 'aborted', 'down'].includes(state)) return term.color('red', state);
  if (['pending_approval', 'maintenance', 'disabled'].includes(state)) {
    return term.color('yellow', state);
  }
  return state;
}

/** Pads before colouring, so that columns line up whatever the colour codes. */
function column(term: Terminal, state: string, width: number): string {
  return stateColour(term, state) + ' '.repeat(Math.max(1, width - state.length));
}

/** One line per plan, for lists: id, state, policy, target, rule, progress, creation time. */
export function planLine(term: Terminal, plan: PlanV1): string {
  const done = plan.actions.filter((a) => a.state === 'succeeded').length;
  return (
    `${term.color('cyan', shortId(plan.id))}  ${column(term, plan.state, 17)}` +
    `${plan.policy.padEnd(19)} ${`${plan.target.kind} ${plan.target.id}`.padEnd(24)} ` +
    `rule ${plan.trigger.rule.padEnd(24)} ${`${done}/${plan.actions.length} done`.padEnd(9)} ` +
    clock(plan.createdAt)
  );
}

export function actionLine(term: Terminal, action: ActionV1): string {
  const undo = action.compensationFor ? 'undo: ' : '';
  const progress =
    action.state === 'running' && action.type !== 'notify'
      ? `  ${progressBar(action.progress)} ${String(action.progress).padStart(3)}%`
      : '';
  const attempts = action.attempts > 1 ? `  (attempt ${action.attempts})` : '';
  const error = action.error ? `  ${term.color('red', action.error)}` : '';
  return (
    `  #${String(action.seq).padEnd(3)} ${column(term, action.state, 12)}` +
    `${undo}${describeAction(action)}${progress}${attempts}${error}` +
    term.color('dim', `  ${action.id}`)
  );
}

/** A plan as `reflex plan <id>` shows it: what, why, when, and each action. */
export function planDetail(term: Terminal, plan: PlanV1 & { onFailure?: string }): string[] {
  const t = plan.trigger;
  return [
    `${term.color('bold', `plan ${plan.id}`)}  ${stateColour(term, plan.state)}`,
    `  ${plan.policy} of ${plan.target.kind} ${plan.target.id}, mode ${plan.mode}, on failure ${plan.onFailure ?? '-'}`,
    `  rule ${t.rule} v${t.ruleVersion}, alarm ${t.alarmId} from ${t.source}`,
    `  created ${clock(plan.createdAt)}, started ${clock(plan.startedAt)}, finished ${clock(plan.finishedAt)}`,
    ...(plan.reason ? [`  reason: ${plan.reason}`] : []),
    `  actions (${plan.actions.length}):`,
    ...plan.actions.map((a) => actionLine(term, a)),
  ];
}
