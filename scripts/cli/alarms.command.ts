import type { AlarmRecordV1, PageV1 } from '@reflex/contracts';
import { EXIT_OK, print, printJson } from '../rules/cli-io';
import { type Command, queryOf } from './cli-context';
import { clock, shortId } from './plan-format';

export const ALARMS_COMMAND: Command = {
  name: 'alarms',
  args: '',
  summary: 'Recent alarms, newest first, with what became of each (disposition, plan, reason)',
  help: [
    '--type <type>          only alarms of this type (host.down, ...)',
    '--resource <id>        only alarms about this host or instance',
    '--disposition <d>      triggered, duplicate, correlated, suppressed, no-rule,',
    '                       conditions-failed, resolved, rejected',
    '--limit <n>            how many (default 20)',
  ],
  options: {
    type: { type: 'string' },
    resource: { type: 'string' },
    disposition: { type: 'string' },
    limit: { type: 'string' },
  },
  async run(ctx, _args, o) {
    const query = queryOf({ ...o, limit: o.limit ?? '20' });
    const page = await ctx.client.request<PageV1<AlarmRecordV1>>('GET', `/v1/alarms${query}`);
    if (ctx.json) {
      printJson(page);
      return EXIT_OK;
    }
    if (page.items.length === 0) print('no alarms');
    for (const a of page.items) {
      const outcome = a.planId
        ? ` → plan ${ctx.term.color('cyan', shortId(a.planId))}`
        : a.correlatedTo
          ? ` → with alarm ${a.correlatedTo}`
          : '';
      print(
        `${clock(a.receivedAt)}  ${a.disposition.padEnd(17)} ${a.type.padEnd(22)} ` +
          `${(a.resource ? `${a.resource.kind} ${a.resource.id}` : '-').padEnd(24)} ${a.source}/${a.alarmId}${outcome}`,
      );
      if (a.decision?.reason) print(ctx.term.color('dim', `    ${a.decision.reason}`));
    }
    return EXIT_OK;
  },
};
