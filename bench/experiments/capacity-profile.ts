import { forecastCapacity, InventoryView, type FailureDomainKind } from '@reflex/domain';
import { FULL_PLANNER_CLOUD, plannerCloud } from '../support/planner-cloud';

const kind = (process.argv[2] ?? 'host') as FailureDomainKind;
const hosts = Number(process.argv[3] ?? 10000);
const cloud = plannerCloud({
  ...FULL_PLANNER_CLOUD,
  hosts,
  instances: hosts * 20,
  groups: hosts / 2,
});
for (const [i, h] of cloud.inventory.hosts.entries())
  h.labels = { rack: `r${Math.floor(i / 400)}` };
const view = new InventoryView(cloud.inventory);
const t = Date.now();
const c0 = process.cpuUsage();
const f = forecastCapacity(view, { reservations: [] }, kind, {
  placement: { cpuOvercommit: 4, memoryOvercommit: 1 },
});
console.log(
  kind,
  hosts,
  Date.now() - t,
  'ms wall',
  Math.round(process.cpuUsage(c0).user / 1000),
  'ms cpu',
  f.summary,
);
