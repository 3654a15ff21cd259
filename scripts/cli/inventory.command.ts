import type { GroupAtAGlanceV1, HostAtAGlanceV1, PageV1 } from '@reflex/contracts';
import { progressBar } from '../demo/plan-watcher';
import { EXIT_OK, print, printJson } from '../rules/cli-io';
import type { CliContext, Command } from './cli-context';
import { stateColour } from './plan-format';
import { table } from './table';

/** Every page of a list: an operator asking for "the hosts" means all of them. */
async function all<T>(ctx: CliContext, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await ctx.client.request<PageV1<T>>('GET', `${path}?limit=1000${query}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const gib = (mb: number) => (mb / 1024).toFixed(1);

export const HOSTS_COMMAND: Command = {
  name: 'hosts',
  args: '',
  summary: 'Every host with its status and load: used and free vCPU and memory, instances',
  help: [
    'LOAD is the larger of the vCPU and memory shares used, of raw capacity (no overcommit);',
    'every instance placed on the host counts, stopped ones too (they keep their allocation).',
    'With --json: the items of GET /v1/hosts, each a Host v1 with its `load`.',
  ],
  async run(ctx) {
    const hosts = await all<HostAtAGlanceV1>(ctx, '/v1/hosts');
    if (ctx.json) {
      printJson(hosts);
      return EXIT_OK;
    }
    if (hosts.length === 0) {
      print('no hosts');
      return EXIT_OK;
    }
    const t = ctx.term;
    const rows = hosts.map((h) => {
      const l = h.load;
      return [
        h.id,
        h.zone,
        h.labels?.rack ?? '-',
        { text: h.status, show: (s: string) => stateColour(t, h.status).replace(h.status, s) },
        `${progressBar(l.percent)} ${String(l.percent).padStart(3)}%`,
        `${l.used.vcpus}/${l.capacity.vcpus}`,
        String(l.free.vcpus),
        `${gib(l.used.memoryMb)}/${gib(l.capacity.memoryMb)}`,
        gib(l.free.memoryMb),
        String(l.instanceCount),
      ];
    });
    const header = [
      ...['HOST', 'ZONE', 'RACK', 'STATUS', 'LOAD', 'VCPU USED', 'VCPU FREE'],
      ...['MEM GiB USED', 'MEM GiB FREE', 'INSTANCES'],
    ];
    table(header, rows).forEach((line) => print(line));
    return EXIT_OK;
  },
};

export const GROUPS_COMMAND: Command = {
  name: 'groups',
  args: '',
  summary: 'Every group with its redundancy and members (instance, role, host, health)',
  help: [
    'A member is healthy when it runs on an `up` host. A group is redundant when it has its',
    'wanted number of healthy actives and standbys (HEALTHY: healthy/wanted active + standby).',
    'With --json: the items of GET /v1/groups, each a Group v1 with `members` and `status`.',
  ],
  async run(ctx) {
    const groups = await all<GroupAtAGlanceV1>(ctx, '/v1/groups');
    if (ctx.json) {
      printJson(groups);
      return EXIT_OK;
    }
    if (groups.length === 0) {
      print('no groups');
      return EXIT_OK;
    }
    const t = ctx.term;
    const rows = groups.flatMap((g) => {
      const s = g.status;
      const redundancy = s.redundant
        ? { text: 'redundant', show: (x: string) => t.color('green', x) }
        : {
            text: `NOT REDUNDANT since ${s.degradedSince}`,
            show: (x: string) => t.color('red', x),
          };
      const healthy = `${s.healthyActive}/${g.active} + ${s.healthyStandby}/${g.standby}`;
      const members = g.members.length ? g.members : [null];
      return members.map((m, i) => [
        i === 0 ? g.id : '',
        i === 0 ? redundancy : '',
        i === 0 ? healthy : '',
        i === 0 ? g.antiAffinity : '',
        m?.instance ?? '(no members)',
        m?.role ?? '-',
        m ? `${m.host} (${m.hostStatus ?? 'unknown'})` : '',
        m?.state ?? '',
        m
          ? m.healthy
            ? 'healthy'
            : { text: 'UNHEALTHY', show: (x: string) => t.color('red', x) }
          : '',
      ]);
    });
    const header = [
      ...['GROUP', 'REDUNDANCY', 'HEALTHY', 'ANTI-AFFINITY', 'INSTANCE', 'ROLE', 'HOST'],
      ...['STATE', 'HEALTH'],
    ];
    table(header, rows).forEach((line) => print(line));
    return EXIT_OK;
  },
};
