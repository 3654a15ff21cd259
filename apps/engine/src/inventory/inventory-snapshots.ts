import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { InventoryView } from '@reflex/domain';
import { InventoryRepository } from './inventory.repository';

interface Version {
  version: string;
  /** This transaction changed the inventory and has not committed: only a fresh read is right. */
  dirty: boolean;
}

/**
 * The whole inventory as the planner reads it, kept between plans for as long as
 * `inventory_version` says it still holds: reading and indexing every host and instance for each
 * plan was most of a plan's cost on a big cloud. One query checks the version; a transaction that
 * changed the inventory itself reads afresh. A copy is kept only when the version was the same
 * before and after the read, so it never holds a mix of two versions under one number.
 */
@Injectable()
export class InventorySnapshots {
  private kept: { version: string; view: InventoryView } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: InventoryRepository,
  ) {}

  async view(): Promise<InventoryView> {
    const before = await this.version();
    if (!before.dirty && this.kept?.version === before.version) return this.kept.view;
    const view = new InventoryView(await this.repository.load());
    if (!before.dirty) {
      const after = await this.version();
      if (after.version === before.version) this.kept = { version: before.version, view };
    }
    return view;
  }

  private async version(): Promise<Version> {
    const rows = await this.uow.manager.query<Version[]>(
      `SELECT version::text AS version,
              coalesce(current_setting('reflex.inventory_dirty', true), '') = 'yes' AS dirty
         FROM inventory_version`,
    );
    // No row (someone emptied the table by hand): nothing can be trusted to stay, so read afresh.
    return rows[0] ?? { version: '', dirty: true };
  }
}
