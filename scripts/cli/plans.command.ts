import type { PageV1 } from '@reflex/contracts';
import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { EXIT_FAILED, EXIT_OK, print, printJson } from '../rules/cli-io';
import { PlanWatcher } from '../demo/plan-watcher';
import { type Command, queryOf } from './cli-context';
import { actionLine, planDetail, planLine, shortId } from './plan-format';

const ID_HELP = '<id> is a plan id or a unique prefix of it of at least 8 characters.';

const plans: Command = {
  name: 'plans',
  args: '',
  summary: 'List plans, newest first',
  help: [
    '--state <state>        only plans in this state (pending_approval, running, failed, ...)',
    '--policy <policy>      only plans of this policy (host-failover, host-drain, ...)',
    '--resource <id>        only plans touching this host or instance',
    '--limit <n>            how many (default 20)',
  ],
  options: {
    state: { type: 'string' },
    policy: { type: 'string' },
    resource: { type: 'string' },
    limit: { type: 'string' },
  },
  async run(ctx, _args, o) {
    const page = await ctx.client.request<PageV1<PlanV1>>(
      'GET',
      `/v1/plans${queryOf({ state: o.state, policy: o.policy, resource: o.resource, limit: o.limit })}`,
    );
    if (ctx.json) {
      printJson(page);
      return EXIT_OK;
    }
    if (page.items.length === 0) print('no plans');
    for (const plan of page.items) print(planLine(ctx.term, plan));
    if (page.nextCursor) print(`(more plans: --limit ${page.items.length * 2})`);
    return EXIT_OK;
  },
};

const plan: Command = {
  name: 'plan',
  args: '<id>',
  summary: 'One plan: its trigger, reason, actions and timeline',
  help: [ID_HELP],
  async run(ctx, [id]) {
    const found = await ctx.client.plan(id);
    if (ctx.json) {
      printJson(found);
      return EXIT_OK;
    }
    planDetail(ctx.term, found).forEach((line) => print(line));
    print('  timeline:');
    const watcher = new PlanWatcher(ctx.client, ctx.term, { started: Date.parse(found.createdAt) });
    watcher.watch(found);
    await watcher.poll();
    await watcher.stop();
    return EXIT_OK;
  },
};

const watch: Command = {
  name: 'plan watch',
  args: '<id>',
  summary: "Follow a plan live until it ends: its timeline and its migrations' progress",
  help: [
    ID_HELP,
    'Stopping the watch (Ctrl-C) leaves the plan running.',
    'With --json: one timeline entry per line as the API answers it, then the final plan.',
    'Exit status: 0 when the plan succeeded, 1 when it ended otherwise.',
  ],
  async run(ctx, [id]) {
    const found = await ctx.client.plan(id);
    if (!ctx.json) {
      planDetail(ctx.term, found).forEach((line) => print(line));
      print('  timeline:');
    }
    const watcher = new PlanWatcher(ctx.client, ctx.term, {
      started: Date.parse(found.createdAt),
      ...(ctx.json ? { format: (_plan, entry) => JSON.stringify(entry), progress: false } : {}),
    });
    watcher.watch(found);
    watcher.start();
    let ended: PlanV1;
    try {
      ended = await watcher.finished(found.id, Number.POSITIVE_INFINITY);
    } finally {
      await watcher.stop();
    }
    if (ctx.json) print(JSON.stringify(ended));
    else {
      print(`plan ${shortId(ended.id)} ended ${ended.state}; its actions:`);
      ended.actions.forEach((a) => print(actionLine(ctx.term, a)));
    }
    return ended.state === 'succeeded' ? EXIT_OK : EXIT_FAILED;
  },
};

/** approve, cancel and abort: a POST with an optional reason that answers the plan. */
function operatorCall(
  name: 'approve' | 'cancel' | 'abort',
  summary: string,
  path: (id: string) => string,
  done: string,
): Command {
  return {
    name,
    args: name === 'abort' ? '<actionId>' : '<id>',
    summary,
    help: [
      name === 'abort'
        ? '<actionId> is the whole action id (`reflex plan <id>` lists them).'
        : ID_HELP,
      '--reason <text>        kept in the plan timeline',
    ],
    options: { reason: { type: 'string' } },
    async run(ctx, [id], o) {
      const body = typeof o.reason === 'string' ? { reason: o.reason } : {};
      const after = await ctx.client.request<PlanV1>('POST', path(encodeURIComponent(id)), body);
      if (ctx.json) {
        printJson(after);
        return EXIT_OK;
      }
      print(
        `${done} plan ${shortId(after.id)} (${after.policy} of ${after.target.kind} ${after.target.id}): now ${after.state}`,
      );
      after.actions.forEach((a) => print(actionLine(ctx.term, a)));
      return EXIT_OK;
    },
  };
}

export const PLAN_COMMANDS: Command[] = [
  plans,
  plan,
  watch,
  operatorCall(
    'approve',
    'Approve a plan waiting for approval',
    (id) => `/v1/plans/${id}/approve`,
    'approved',
  ),
  operatorCall(
    'cancel',
    'Cancel a plan that has not finished',
    (id) => `/v1/plans/${id}/cancel`,
    'cancelled',
  ),
  operatorCall(
    'abort',
    'Abort a running action (its fail path runs)',
    (id) => `/v1/actions/${id}/abort`,
    'abort requested;',
  ),
];
