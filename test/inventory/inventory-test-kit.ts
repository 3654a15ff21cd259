import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import type { TestEngine } from '../support/engine-app';

export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A JSON call on the engine's REST API. */
export async function call<T = any>(
  engine: TestEngine,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply<T>> {
  const response = await fetch(`${engine.url}${path}`, {
    method,
    // Declared even without a body: with AUTH_TOKENS unset a state-changing call must say JSON.
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The field paths a 400 names. */
export function fieldsOf(reply: Reply): string[] {
  return ((reply.body?.error?.details ?? []) as { path: string }[]).map((e) => e.path);
}

export function host(id: string, overrides: Partial<HostV1> = {}): HostV1 {
  return {
    id,
    zone: 'az1',
    status: 'up',
    hypervisor: 'kvm',
    driver: 'simulator',
    capacity: { vcpus: 64, memoryMb: 262144 },
    labels: {},
    ...overrides,
  };
}

export function instance(id: string, overrides: Partial<InstanceV1> = {}): InstanceV1 {
  return {
    id,
    hostId: 'cmp-01',
    kind: 'vm',
    state: 'running',
    resources: { vcpus: 4, memoryMb: 8192 },
    groupId: null,
    role: null,
    ...overrides,
  };
}

export function group(id: string, overrides: Partial<GroupV1> = {}): GroupV1 {
  return { id, active: 2, standby: 1, antiAffinity: 'host', ...overrides };
}

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
