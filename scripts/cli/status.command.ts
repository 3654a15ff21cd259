import type { GroupStatusV1, GroupV1, HostV1, InventoryV1, PageV1 } from '@reflex/contracts';
import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { hostLoad } from '@reflex/domain/inventory/host-load';
import { InventoryView } from '@reflex/domain/inventory/inventory-view';
import { progressBar } from '../demo/plan-watcher';
import type { Terminal } from '../demo/terminal';
import { EXIT_OK, print, printJson } from '../rules/cli-io';
import { type CliContext, type Command, LIVE_PLAN_STATES } from './cli-context';
import { clock, planLine, stateColour } from './plan-format';

/** Group status calls in flight at once: enough to be quick, few enough not to crowd the engine. */
const PARALLEL_CALLS = 8;
const LIVE_PLANS_PER_STATE = 50;

interface Cloud {
  inventory: InventoryV1;
  groups: Array<{ group: GroupV1; status: GroupStatusV1 }>;
  plans: PlanV1[];
}

async function mapInBatches<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_CALLS) {
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL_CALLS).map(fn))));
  }
  return out;
}

async function read(ctx: CliContext): Promise<Cloud> {
  const inventory = await ctx.client.inventory();
  const groups = await mapInBatches(inventory.groups, async (group) => ({
    group,
    status: await ctx.client.groupStatus(group.id),
  }));
  const pages = await Promise.all(
    LIVE_PLAN_STATES.map((state) =>
      ctx.client.request<PageV1<PlanV1>>(
        'GET',
        `/v1/plans?state=${state}&limit=${LIVE_PLANS_PER_STATE}`,
      ),
    ),
  );
  const plans = pages
    .flatMap((p) => p.items)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  return { inventory, groups, plans };
}

const gib = (mb: number) => (mb / 1024).toFixed(1);

function hostLines(term: Terminal, inventory: InventoryV1): string[] {
  const view = new InventoryView(inventory);
  const byStatus = new Map<string, number>();
  inventory.hosts.forEach((h) => byStatus.set(h.status, (byStatus.get(h.status) ?? 0) + 1));
  const counts = [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
  const lines = [term.color('bold', `HOSTS  ${inventory.hosts.length} (${counts || 'none'})`)];
  const zones = new Map<string, HostV1[]>();
  for (const h of [...inventory.hosts].sort((a, b) => a.id.localeCompare(b.id))) {
    zones.set(h.zone, [...(zones.get(h.zone) ?? []), h]);
  }
  for (const [zone, hosts] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  zone ${zone}`);
    for (const h of hosts) {
      const load = hostLoad(view, h.id);
      const share = Math.round(
        100 *
          Math.max(
            load.used.vcpus / Math.max(1, load.capacity.vcpus),
            load.used.memoryMb / Math.max(1, load.capacity.memoryMb),
          ),
      );
      const rack = h.labels?.rack ? ` rack ${h.labels.rack}` : '';
      lines.push(
        `    ${h.id.padEnd(14)} ${stateColour(term, h.status)}${' '.repeat(Math.max(1, 12 - h.status.length))}` +
          `load ${progressBar(share)} ${String(share).padStart(3)}%  ` +
          `vcpus ${`${load.used.vcpus}/${load.capacity.vcpus}`.padEnd(7)} ` +
          `memory ${`${gib(load.used.memoryMb)}/${gib(load.capacity.memoryMb)} GiB`.padEnd(15)} ` +
          `${load.instanceCount} instance${load.instanceCount === 1 ? '' : 's'}${rack}`,
      );
    }
  }
  return lines;
}

function groupLines(term: Terminal, cloud: Cloud): string[] {
  const degraded = cloud.groups.filter((g) => !g.status.redundant).length;
  const lines = [
    term.color('bold', `GROUPS  ${cloud.groups.length} (${degraded} without redundancy)`),
  ];
  for (const { group, status } of cloud.groups) {
    const members = cloud.inventory.instances
      .filter((i) => i.groupId === group.id)
      .map((i) => `${i.id} (${i.role ?? '-'} on ${i.hostId}, ${i.state})`);
    const redundancy = status.redundant
      ? term.color('green', 'redundant')
      : term.color('red', `NOT REDUNDANT since ${clock(status.degradedSince)}`);
    lines.push(
      `  ${group.id.padEnd(14)} ${redundancy}  healthy ${status.healthyActive}/${group.active} active, ` +
        `${status.healthyStandby}/${group.standby} standby; anti-affinity ${group.antiAffinity}`,
      `  ${''.padEnd(14)} ${term.color('dim', members.join(', ') || 'no members')}`,
    );
  }
  return lines;
}

export const STATUS_COMMAND: Command = {
  name: 'status',
  args: '',
  summary: 'The cloud at a glance: hosts and load by zone, groups and redundancy, live plans',
  help: [
    "Load is the larger of a host's vCPU and memory use, of its raw capacity (no overcommit).",
    'A group is redundant when it has its active and standby members healthy (running on an up host).',
    'With --json: { inventory, groups: [{ group, status }], plans } as the API answers them.',
  ],
  async run(ctx) {
    const cloud = await read(ctx);
    if (ctx.json) {
      printJson(cloud);
      return EXIT_OK;
    }
    const t = ctx.term;
    print(`Reflex at ${ctx.client.engineUrl}`);
    print();
    hostLines(t, cloud.inventory).forEach((line) => print(line));
    print();
    groupLines(t, cloud).forEach((line) => print(line));
    print();
    print(t.color('bold', `LIVE PLANS  ${cloud.plans.length}`));
    if (cloud.plans.length === 0) print('  none');
    cloud.plans.forEach((p) => print(`  ${planLine(t, p)}`));
    return EXIT_OK;
  },
};
