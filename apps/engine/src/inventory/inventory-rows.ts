import type {
  AntiAffinity,
  DriverBackend,
  GroupV1,
  HostStatus,
  HostV1,
  InstanceKind,
  InstanceRole,
  InstanceState,
  InstanceV1,
} from '@reflex/contracts';

/** Rows as `pg` returns them for the column lists below, and their mapping to the contract types. */

export interface HostRow {
  id: string;
  zone: string;
  status: HostStatus;
  hypervisor: string;
  driver: DriverBackend;
  capacity_vcpus: number;
  capacity_memory_mb: number;
  labels: Record<string, string>;
}

export interface InstanceRow {
  id: string;
  host_id: string;
  kind: InstanceKind;
  state: InstanceState;
  vcpus: number;
  memory_mb: number;
  group_id: string | null;
  role: InstanceRole | null;
  priority: number | null;
}

export interface GroupRow {
  id: string;
  active: number;
  standby: number;
  anti_affinity: AntiAffinity;
  degraded_since: Date | null;
}

export const HOST_COLUMNS =
  'id, zone, status, hypervisor, driver, capacity_vcpus, capacity_memory_mb, labels';
export const INSTANCE_COLUMNS =
  'id, host_id, kind, state, vcpus, memory_mb, group_id, role, priority';
export const GROUP_COLUMNS = 'id, active, standby, anti_affinity, degraded_since';

export function toHost(row: HostRow): HostV1 {
  return {
    id: row.id,
    zone: row.zone,
    status: row.status,
    hypervisor: row.hypervisor,
    driver: row.driver,
    capacity: { vcpus: row.capacity_vcpus, memoryMb: row.capacity_memory_mb },
    labels: row.labels,
  };
}

export function toInstance(row: InstanceRow): InstanceV1 {
  return {
    id: row.id,
    hostId: row.host_id,
    kind: row.kind,
    state: row.state,
    resources: { vcpus: row.vcpus, memoryMb: row.memory_mb },
    groupId: row.group_id,
    role: row.role,
    // Absent rather than null when not set: the document reads back as it was written.
    ...(row.priority === null ? {} : { priority: row.priority }),
  };
}

export function toGroup(row: GroupRow): GroupV1 {
  return {
    id: row.id,
    active: row.active,
    standby: row.standby,
    antiAffinity: row.anti_affinity,
  };
}

/**
 * Upserts read their rows from one jsonb parameter (`jsonb_to_recordset`), so a whole inventory is
 * one statement per table whatever its size (a multi-row VALUES list would hit PostgreSQL's 65535
 * parameter limit). Rows are sorted by id so that concurrent writers lock rows in the same order.
 */
export function recordset<T extends { id: string }>(objects: readonly T[]): string {
  return JSON.stringify([...objects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

// Unchanged rows are not rewritten, so replacing the inventory with itself touches nothing.
export const UPSERT_HOSTS = `
  INSERT INTO hosts AS t (${HOST_COLUMNS})
  SELECT r.id, r.zone, r.status, r.hypervisor, r.driver,
         (r.capacity->>'vcpus')::integer, (r.capacity->>'memoryMb')::integer,
         COALESCE(r.labels, '{}'::jsonb)
  FROM jsonb_to_recordset($1::jsonb)
    AS r(id text, zone text, status text, hypervisor text, driver text, capacity jsonb, labels jsonb)
  ON CONFLICT (id) DO UPDATE SET
    zone = EXCLUDED.zone, status = EXCLUDED.status, hypervisor = EXCLUDED.hypervisor,
    driver = EXCLUDED.driver, capacity_vcpus = EXCLUDED.capacity_vcpus,
    capacity_memory_mb = EXCLUDED.capacity_memory_mb, labels = EXCLUDED.labels, updated_at = now()
  WHERE (t.zone, t.status, t.hypervisor, t.driver, t.capacity_vcpus, t.capacity_memory_mb, t.labels)
    IS DISTINCT FROM (EXCLUDED.zone, EXCLUDED.status, EXCLUDED.hypervisor, EXCLUDED.driver,
                      EXCLUDED.capacity_vcpus, EXCLUDED.capacity_memory_mb, EXCLUDED.labels)`;

export const UPSERT_INSTANCES = `
  INSERT INTO instances AS t (${INSTANCE_COLUMNS})
  SELECT r.id, r."hostId", r.kind, r.state,
         (r.resources->>'vcpus')::integer, (r.resources->>'memoryMb')::integer, r."groupId", r.role,
         r.priority
  FROM jsonb_to_recordset($1::jsonb)
    AS r(id text, "hostId" text, kind text, state text, resources jsonb, "groupId" text, role text,
         priority integer)
  ON CONFLICT (id) DO UPDATE SET
    host_id = EXCLUDED.host_id, kind = EXCLUDED.kind, state = EXCLUDED.state,
    vcpus = EXCLUDED.vcpus, memory_mb = EXCLUDED.memory_mb, group_id = EXCLUDED.group_id,
    role = EXCLUDED.role, priority = EXCLUDED.priority, updated_at = now()
  WHERE (t.host_id, t.kind, t.state, t.vcpus, t.memory_mb, t.group_id, t.role, t.priority)
    IS DISTINCT FROM (EXCLUDED.host_id, EXCLUDED.kind, EXCLUDED.state, EXCLUDED.vcpus,
                      EXCLUDED.memory_mb, EXCLUDED.group_id, EXCLUDED.role, EXCLUDED.priority)`;

// degraded_since is derived state: the group status refresh that follows every change owns it.
export const UPSERT_GROUPS = `
  INSERT INTO groups AS t (id, active, standby, anti_affinity)
  SELECT r.id, r.active, r.standby, r."antiAffinity"
  FROM jsonb_to_recordset($1::jsonb)
    AS r(id text, active integer, standby integer, "antiAffinity" text)
  ON CONFLICT (id) DO UPDATE SET
    active = EXCLUDED.active, standby = EXCLUDED.standby,
    anti_affinity = EXCLUDED.anti_affinity, updated_at = now()
  WHERE (t.active, t.standby, t.anti_affinity)
    IS DISTINCT FROM (EXCLUDED.active, EXCLUDED.standby, EXCLUDED.anti_affinity)`;
