import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import type { InventoryChange } from '@reflex/domain';
import {
  GROUP_COLUMNS,
  type GroupRow,
  HOST_COLUMNS,
  type HostRow,
  INSTANCE_COLUMNS,
  type InstanceRow,
  recordset,
  toGroup,
  toHost,
  toInstance,
  UPSERT_GROUPS,
  UPSERT_HOSTS,
  UPSERT_INSTANCES,
} from './inventory-rows';

export type InventoryTable = 'hosts' | 'instances' | 'groups';

export interface PageQuery {
  /** Exclusive: the id of the last item of the previous page. */
  after?: string;
  limit: number;
  /** Instances only. */
  hostId?: string;
  groupId?: string;
}

const INSTANCE_PATCH_COLUMNS = { hostId: 'host_id', state: 'state', role: 'role' } as const;

// Serialises whole-inventory replacements: two of them at once would delete each other's rows.
const REPLACE_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('reflex.inventory.replace'))`;

/** All SQL over hosts, instances and groups, in the unit of work's transaction when one is open. */
@Injectable()
export class InventoryRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * The whole inventory, sorted by id: one query per table (it is read for every decision). Without
   * a caller's transaction the three reads share one REPEATABLE READ snapshot, so an instance that
   * moves meanwhile is never seen on a host the same answer no longer has.
   */
  async load(): Promise<InventoryV1> {
    if (!this.uow.inTransaction) return this.uow.transaction(() => this.load(), 'REPEATABLE READ');
    const hosts = await this.uow.manager.query<HostRow[]>(
      `SELECT ${HOST_COLUMNS} FROM hosts ORDER BY id`,
    );
    const instances = await this.uow.manager.query<InstanceRow[]>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances ORDER BY id`,
    );
    const groups = await this.uow.manager.query<GroupRow[]>(
      `SELECT ${GROUP_COLUMNS} FROM groups ORDER BY id`,
    );
    return {
      hosts: hosts.map(toHost),
      instances: instances.map(toInstance),
      groups: groups.map(toGroup),
    };
  }

  async getHost(id: string): Promise<HostV1 | null> {
    return (await this.getHosts([id])).get(id) ?? null;
  }

  async getInstance(id: string): Promise<InstanceV1 | null> {
    return (await this.getInstances([id])).get(id) ?? null;
  }

  async getGroup(id: string): Promise<GroupV1 | null> {
    return (await this.getGroups([id])).get(id) ?? null;
  }

  /** The given hosts by id, in one query; ids the inventory does not hold are absent. */
  async getHosts(ids: readonly string[]): Promise<Map<string, HostV1>> {
    const rows = await this.byIds<HostRow>('hosts', HOST_COLUMNS, ids);
    return new Map(rows.map((row) => [row.id, toHost(row)]));
  }

  async getInstances(ids: readonly string[]): Promise<Map<string, InstanceV1>> {
    const rows = await this.byIds<InstanceRow>('instances', INSTANCE_COLUMNS, ids);
    return new Map(rows.map((row) => [row.id, toInstance(row)]));
  }

  async getGroups(ids: readonly string[]): Promise<Map<string, GroupV1>> {
    const rows = await this.byIds<GroupRow>('groups', GROUP_COLUMNS, ids);
    return new Map(rows.map((row) => [row.id, toGroup(row)]));
  }

  private async byIds<Row extends { id: string }>(
    table: InventoryTable,
    columns: string,
    ids: readonly string[],
  ): Promise<Row[]> {
    if (ids.length === 0) return [];
    return this.uow.manager.query<Row[]>(
      `SELECT ${columns} FROM ${table} WHERE id = ANY($1::text[])`,
      [ids],
    );
  }

  async listHosts(page: PageQuery): Promise<HostV1[]> {
    const rows = await this.uow.manager.query<HostRow[]>(
      `SELECT ${HOST_COLUMNS} FROM hosts WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [page.after ?? null, page.limit],
    );
    return rows.map(toHost);
  }

  async listInstances(page: PageQuery): Promise<InstanceV1[]> {
    const rows = await this.uow.manager.query<InstanceRow[]>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances
       WHERE ($1::text IS NULL OR id > $1)
         AND ($3::text IS NULL OR host_id = $3)
         AND ($4::text IS NULL OR group_id = $4)
       ORDER BY id LIMIT $2`,
      [page.after ?? null, page.limit, page.hostId ?? null, page.groupId ?? null],
    );
    return rows.map(toInstance);
  }

  /** Every instance placed on one of the hosts, whatever its state (each holds its allocation). */
  async instancesOnHosts(hostIds: readonly string[]): Promise<InstanceV1[]> {
    const rows = await this.uow.manager.query<InstanceRow[]>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances WHERE host_id = ANY($1::text[]) ORDER BY id`,
      [hostIds],
    );
    return rows.map(toInstance);
  }

  async listGroups(page: PageQuery): Promise<GroupV1[]> {
    const rows = await this.uow.manager.query<GroupRow[]>(
      `SELECT ${GROUP_COLUMNS} FROM groups WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [page.after ?? null, page.limit],
    );
    return rows.map(toGroup);
  }

  async upsertHosts(hosts: readonly HostV1[]): Promise<void> {
    if (hosts.length > 0) await this.uow.manager.query(UPSERT_HOSTS, [recordset(hosts)]);
  }

  async upsertInstances(instances: readonly InstanceV1[]): Promise<void> {
    if (instances.length > 0) {
      await this.uow.manager.query(UPSERT_INSTANCES, [recordset(instances)]);
    }
  }

  async upsertGroups(groups: readonly GroupV1[]): Promise<void> {
    if (groups.length > 0) await this.uow.manager.query(UPSERT_GROUPS, [recordset(groups)]);
  }

  /** True when the row existed. */
  async delete(table: InventoryTable, id: string): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM answers a bare DELETE with [rows, count], not the rows.
    const rows = await this.uow.manager.query<unknown[]>(
      `WITH deleted AS (DELETE FROM ${table} WHERE id = $1 RETURNING id) SELECT id FROM deleted`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Makes the stored inventory equal to `inventory`: upserts what it holds, deletes the rest. Must run
   * inside a transaction so that readers never see half of it.
   */
  async replaceAll(inventory: InventoryV1): Promise<void> {
    await this.uow.manager.query(REPLACE_LOCK_SQL);
    await this.upsertHosts(inventory.hosts);
    await this.upsertInstances(inventory.instances);
    await this.upsertGroups(inventory.groups);
    const tables: Array<[InventoryTable, { id: string }[]]> = [
      ['instances', inventory.instances],
      ['hosts', inventory.hosts],
      ['groups', inventory.groups],
    ];
    for (const [table, kept] of tables) {
      // NOT EXISTS over unnest plans as a hash anti-join; `id <> ALL(...)` would be quadratic.
      await this.uow.manager.query(
        `DELETE FROM ${table} t
         WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS k(id) WHERE k.id = t.id)`,
        [kept.map((object) => object.id)],
      );
    }
  }

  /**
   * Applies the planner's changes (an action succeeded) field by field; changes to objects that are
   * no longer in the inventory are ignored, like `applyInventoryChanges` in the domain does.
   */
  async patch(changes: readonly InventoryChange[]): Promise<void> {
    for (const change of changes) {
      if (change.kind === 'host') {
        if (change.set.status === undefined) continue;
        await this.uow.manager.query(
          `UPDATE hosts SET status = $2, updated_at = now()
            WHERE id = $1 AND ($3::text IS NULL OR status = $3)`,
          [change.id, change.set.status, change.ifStatus ?? null],
        );
        continue;
      }
      const fields = (Object.keys(INSTANCE_PATCH_COLUMNS) as (keyof typeof change.set)[]).filter(
        (field) => change.set[field] !== undefined,
      );
      if (fields.length === 0) continue;
      const assignments = fields.map((f, i) => `${INSTANCE_PATCH_COLUMNS[f]} = $${i + 2}`);
      await this.uow.manager.query(
        `UPDATE instances SET ${assignments.join(', ')}, updated_at = now() WHERE id = $1`,
        [change.id, ...fields.map((f) => change.set[f])],
      );
    }
  }

  /**
   * What runs on hosts that went down is down too (the cloud lost or powered off the host): their
   * running and migrating instances become `error`, as the driver's backends report them.
   */
  async markInstancesDownOn(hostIds: readonly string[]): Promise<void> {
    if (hostIds.length === 0) return;
    await this.uow.manager.query(
      `UPDATE instances SET state = 'error', updated_at = now()
       WHERE host_id = ANY($1::text[]) AND state IN ('running', 'migrating')`,
      [hostIds],
    );
  }

  /** The groups the given instances belong to. */
  async groupsOfInstances(instanceIds: readonly string[]): Promise<string[]> {
    if (instanceIds.length === 0) return [];
    const rows = await this.uow.manager.query<{ group_id: string }[]>(
      `SELECT DISTINCT group_id FROM instances WHERE id = ANY($1::text[]) AND group_id IS NOT NULL`,
      [instanceIds],
    );
    return rows.map((row) => row.group_id);
  }

  /** The groups with a member on one of the given hosts. */
  async groupsOnHosts(hostIds: readonly string[]): Promise<string[]> {
    if (hostIds.length === 0) return [];
    const rows = await this.uow.manager.query<{ group_id: string }[]>(
      `SELECT DISTINCT group_id FROM instances
       WHERE host_id = ANY($1::text[]) AND group_id IS NOT NULL`,
      [hostIds],
    );
    return rows.map((row) => row.group_id);
  }
}
