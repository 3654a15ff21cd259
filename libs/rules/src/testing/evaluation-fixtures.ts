import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { FactSource } from '../facts/fact-source';
import { InMemoryFactSource } from '../facts/in-memory-fact-source';
import type { LoadedRule, RuleDefinition } from '../rule.types';
import { validateRule } from '../rule-validator';

/** A validated rule as the rule set would hold it. */
export function loaded(raw: Record<string, unknown>, version = 1): LoadedRule {
  const result = validateRule(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const definition: RuleDefinition = result.rule;
  return {
    name: definition.name,
    version,
    hash: result.hash,
    file: `${definition.name}.rule.json`,
    enabled: definition.enabled !== false,
    definition,
    loadedAt: '2026-11-20T10:00:00.000Z',
  };
}

/** Two hosts; group db with db-1 active on cmp-01 and db-2 standby on cmp-02. */
export const inventory: InventoryV1 = {
  hosts: [
    {
      id: 'cmp-01',
      zone: 'az1',
      status: 'up',
      hypervisor: 'kvm',
      driver: 'simulator',
      capacity: { vcpus: 16, memoryMb: 65536 },
    },
    {
      id: 'cmp-02',
      zone: 'az1',
      status: 'up',
      hypervisor: 'kvm',
      driver: 'simulator',
      capacity: { vcpus: 16, memoryMb: 65536 },
    },
  ],
  instances: [
    {
      id: 'db-1',
      hostId: 'cmp-01',
      kind: 'vm',
      state: 'running',
      resources: { vcpus: 4, memoryMb: 8192 },
      groupId: 'db',
      role: 'active',
    },
    {
      id: 'db-2',
      hostId: 'cmp-02',
      kind: 'vm',
      state: 'running',
      resources: { vcpus: 4, memoryMb: 8192 },
      groupId: 'db',
      role: 'standby',
    },
  ],
  groups: [{ id: 'db', active: 1, standby: 1, antiAffinity: 'host' }],
};

export function alarm(
  type: string,
  kind: 'host' | 'instance' | 'group',
  id: string,
  extra: Partial<AlarmV1> = {},
): AlarmV1 {
  return {
    id: `${type}-${id}`,
    source: 'test',
    type,
    resource: { kind, id },
    occurredAt: '2026-11-20T10:00:00.000Z',
    ...extra,
  };
}

/** Counts lookups and answers after a random delay, so concurrent evaluations interleave. */
export class CountingSource implements FactSource {
  readonly calls: string[] = [];
  private readonly inner = new InMemoryFactSource(inventory, {
    now: new Date('2026-11-20T10:30:00Z'),
  });
  private async slow<T>(name: string, value: Promise<T>): Promise<T> {
    this.calls.push(name);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    return value;
  }
  getHost = (id: string) => this.slow('host', this.inner.getHost(id));
  getInstance = (id: string) => this.slow('instance', this.inner.getInstance(id));
  getGroup = (id: string) => this.slow('group', this.inner.getGroup(id));
  getGroupStatus = (id: string) => this.slow('groupStatus', this.inner.getGroupStatus(id));
  getHostLoad = (id: string) => this.slow('hostLoad', this.inner.getHostLoad(id));
  getOpenMaintenance = (id: string) => this.slow('maintenance', this.inner.getOpenMaintenance(id));
  getZoneLosses = (id: string, reporting: boolean) =>
    this.slow('zoneLosses', this.inner.getZoneLosses(id, reporting));
  now = () => this.inner.now();
}
