import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import type { InventoryV1 } from '@reflex/contracts';
import {
  GROUP_COLUMNS,
  type GroupRow,
  HOST_COLUMNS,
  type HostRow,
  INSTANCE_COLUMNS,
  type InstanceRow,
  toGroup,
  toHost,
  toInstance,
} from './inventory-rows';

/** A group with the members and hosts its status depends on, and its stored `degraded_since`. */
export interface GroupSlice {
  inventory: InventoryV1;
  degradedSince: Map<string, string | null>;
}

/** The reads and writes of a group's redundancy status (GroupStatusService, the group lists). */
@Injectable()
export class GroupSliceRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * The given groups with their members and the members' hosts. With `lock`, the group rows are
   * locked first (in id order), so the reads that follow see every change committed before by a
   * writer that held them: two transactions changing hosts of one group cannot both miss the other.
   */
  async loadGroupSlice(
    groupIds: readonly string[],
    options: { lock?: boolean } = {},
  ): Promise<GroupSlice> {
    const db = this.uow.manager;
    const groups = await db.query<GroupRow[]>(
      `SELECT ${GROUP_COLUMNS} FROM groups WHERE id = ANY($1::text[]) ORDER BY id
       ${options.lock ? 'FOR UPDATE' : ''}`,
      [groupIds],
    );
    const instances = await db.query<InstanceRow[]>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances WHERE group_id = ANY($1::text[])`,
      [groupIds],
    );
    const hosts = await db.query<HostRow[]>(
      `SELECT ${HOST_COLUMNS} FROM hosts WHERE id = ANY($1::text[])`,
      [[...new Set(instances.map((row) => row.host_id))]],
    );
    return {
      inventory: {
        hosts: hosts.map(toHost),
        instances: instances.map(toInstance),
        groups: groups.map(toGroup),
      },
      degradedSince: new Map(
        groups.map((row) => [row.id, row.degraded_since?.toISOString() ?? null]),
      ),
    };
  }

  async setDegradedSince(
    updates: readonly { id: string; degradedSince: string | null }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await this.uow.manager.query(
      `UPDATE groups g SET degraded_since = u."degradedSince"
       FROM jsonb_to_recordset($1::jsonb) AS u(id text, "degradedSince" timestamptz)
       WHERE g.id = u.id`,
      [JSON.stringify(updates)],
    );
  }
}
