import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import * as topology from '@reflex/domain/testing/topology.fixture';
import type { TestEngine } from '../support/engine-app';
import { http } from '../support/http';

export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A JSON call on the engine's REST API. */
export function call<T = any>(
  engine: TestEngine,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply<T>> {
  return http<T>(method, `${engine.url}${path}`, body);
}

/** The field paths a 400 names. */
export function fieldsOf(reply: Reply): string[] {
  return ((reply.body?.error?.details ?? []) as { path: string }[]).map((e) => e.path);
}

/** The domain specs' builders with this kit's defaults: big hosts, VMs on cmp-01, 2+1 groups. */
export const host = (id: string, overrides: Partial<HostV1> = {}): HostV1 =>
  topology.host(id, { capacity: { vcpus: 64, memoryMb: 262144 }, ...overrides });

export const instance = (id: string, overrides: Partial<InstanceV1> = {}): InstanceV1 =>
  topology.vm(id, 'cmp-01', overrides);

export const group = (id: string, overrides: Partial<GroupV1> = {}): GroupV1 =>
  topology.group(id, { active: 2, ...overrides });

/** A 2+1 group `db` spread over three hosts, plus an ungrouped bare-metal server. */
export function sampleInventory(): InventoryV1 {
  return {
    hosts: [
      host('cmp-01'),
      host('cmp-02'),
      host('cmp-03', { zone: 'az2', labels: { rack: 'r7' } }),
    ],
    instances: [
      instance('bm-01', { hostId: 'cmp-03', kind: 'baremetal' }),
      instance('vm-01', { hostId: 'cmp-01', groupId: 'db', role: 'active' }),
      instance('vm-02', { hostId: 'cmp-02', groupId: 'db', role: 'active' }),
      instance('vm-03', { hostId: 'cmp-03', groupId: 'db', role: 'standby' }),
    ],
    groups: [group('db')],
  };
}
