import { Inject, Injectable } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { cellInventory, InventoryView } from '@reflex/domain';

/**
 * The inventory as one planning cell's planner sees it (`cellInventory`), built once per inventory
 * snapshot and cell: with the snapshot unchanged, every batch of a cell shares one view and its
 * placement indexes. Without a cell label the view is the snapshot itself.
 */
@Injectable()
export class CellViews {
  private readonly byView = new WeakMap<InventoryView, Map<string, InventoryView>>();
  readonly label: string | null;

  constructor(@Inject(ENGINE_CONFIG) config: EngineConfig) {
    this.label = config.planningCellLabel;
  }

  of(view: InventoryView, cell: string): InventoryView {
    if (!this.label) return view;
    let cells = this.byView.get(view);
    if (!cells) {
      cells = new Map();
      this.byView.set(view, cells);
    }
    let cellView = cells.get(cell);
    if (!cellView) {
      cellView = new InventoryView(cellInventory(view.inventory, cell, this.label));
      cells.set(cell, cellView);
    }
    return cellView;
  }
}
