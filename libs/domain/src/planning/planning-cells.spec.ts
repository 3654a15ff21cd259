import { InventoryView } from '../inventory/inventory-view';
import { group, host, intent, inventory, member, PLANNING, vm } from '../testing/topology.fixture';
import { buildPlan } from './plan-builder';
import { cellInventory, cellOfDecision, ONE_CELL } from './planning-cells';

const inCell = (id: string, cell?: string) => host(id, { labels: cell ? { cell } : {} });

/** Cell a: a1, a2; cell b: b1, b2; h0 has no label. Group g spans a and b; group k lives in a. */
const cloud = inventory(
  [inCell('a1', 'a'), inCell('a2', 'a'), inCell('b1', 'b'), inCell('b2', 'b'), inCell('h0')],
  [
    vm('v-a1', 'a1'),
    vm('v-h0', 'h0'),
    member('g-1', 'a1', 'g', 'active'),
    member('g-2', 'b1', 'g', 'standby'),
    member('k-1', 'a1', 'k', 'active'),
    member('k-2', 'a2', 'k', 'standby'),
  ],
  [group('g'), group('k')],
);
const view = new InventoryView(cloud);

describe('planning cells', () => {
  it('puts a decision in its target host cell, its instance host cell or its group cell', () => {
    expect(cellOfDecision(view, { kind: 'host', id: 'b2' }, 'cell')).toEqual({
      cell: 'b',
      refused: null,
    });
    expect(cellOfDecision(view, { kind: 'instance', id: 'v-a1' }, 'cell').cell).toBe('a');
    expect(cellOfDecision(view, { kind: 'instance', id: 'k-2' }, 'cell').cell).toBe('a');
    expect(cellOfDecision(view, { kind: 'group', id: 'k' }, 'cell').cell).toBe('a');
    expect(cellOfDecision(view, { kind: 'host', id: 'h0' }, 'cell').cell).toBe(ONE_CELL);
  });

  it('has one cell for everything without a cell label', () => {
    expect(cellOfDecision(view, { kind: 'group', id: 'g' }, null)).toEqual({
      cell: ONE_CELL,
      refused: null,
    });
    expect(cellInventory(cloud, ONE_CELL, null)).toBe(cloud);
  });

  it('refuses a group with members in two cells, naming them', () => {
    const refused = cellOfDecision(view, { kind: 'instance', id: 'g-1' }, 'cell');
    expect(refused.cell).toBeNull();
    expect(refused.refused).toBe(
      "group g has members in planning cells a, b (host label cell); a plan's moves must stay within one cell",
    );
  });

  it('gives a cell only its hosts, their instances and the groups with a member there', () => {
    const a = cellInventory(cloud, 'a', 'cell');
    expect(a.hosts.map((h) => h.id)).toEqual(['a1', 'a2']);
    expect(a.instances.map((i) => i.id)).toEqual(['v-a1', 'g-1', 'k-1', 'k-2']);
    expect(a.groups.map((g) => g.id)).toEqual(['g', 'k']);
    expect(cellInventory(cloud, ONE_CELL, 'cell').hosts.map((h) => h.id)).toEqual(['h0']);
  });

  it('places moves only on the cell hosts, and blocks a refused decision with its reason', () => {
    // a2 is the only other host of a1's cell; b1 and b2 have more room but are in another cell.
    const full = inventory(
      [inCell('a1', 'a'), inCell('a2', 'a'), inCell('b1', 'b')],
      [vm('x', 'a1'), vm('fill', 'a2', { resources: { vcpus: 16, memoryMb: 32768 } })],
    );
    let n = 0;
    const ids = () => `id-${++n}`;
    const drain = intent('host-drain', { kind: 'host', id: 'a1' });
    const cellView = new InventoryView(cellInventory(full, 'a', 'cell'));
    const plan = buildPlan(drain, cellView, { reservations: [] }, PLANNING, ids);
    expect(JSON.stringify(plan.actions)).not.toContain('b1');
    expect(plan.state).toBe('blocked');
    const everywhere = buildPlan(
      drain,
      new InventoryView(full),
      { reservations: [] },
      PLANNING,
      ids,
    );
    expect(JSON.stringify(everywhere.actions)).toContain('b1');
    const refused = buildPlan(drain, cellView, { reservations: [] }, PLANNING, ids, 'no');
    expect(refused).toMatchObject({ state: 'blocked', reason: 'no', actions: [] });
  });
});
