import type { HostV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { LIMITS, at, drainPlan, reply, states } from '../testing/lifecycle.fixture';
import { PLANNING, host, inventory, sequentialIds, vm } from '../testing/topology.fixture';
import type { ExecutablePlan } from './lifecycle.types';
import { applyDriverEvent } from './driver-events';
import { nextStep } from './next-step';
import { inventoryDestinations, type Destinations } from './re-placement';

/** The drain's cloud (h1 drained; vm-1..3 going to h2 and h3) with two more hosts, h4 and h5. */
function cloud(status: Partial<Record<string, HostV1['status']>> = {}): InventoryView {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'].map((id) =>
    host(id, { status: status[id] ?? 'up' }),
  );
  return new InventoryView(
    inventory(hosts, [vm('vm-1', 'h1'), vm('vm-2', 'h1'), vm('vm-3', 'h1')]),
  );
}

const placing = (view: InventoryView): Destinations =>
  inventoryDestinations(view, {
    inFlight: { reservations: [] },
    config: PLANNING.placement,
    planId: 'a1',
  });

const step = (plan: ExecutablePlan, seconds: number, destinations?: Destinations) =>
  nextStep(plan, at(seconds), LIMITS, { ids: sequentialIds('c'), destinations });

const destinationDown = {
  error: { code: 'destination-unavailable', message: 'h2 is powered off', retriable: false },
};
const action = (plan: ExecutablePlan, id: string) => plan.actions.find((a) => a.id === id)!;

/** The drain with h1 disabled and its first two live migrations (a3, a4) running. */
function migrating(): ExecutablePlan {
  let plan = step(drainPlan({ onFailure: 'rollback' }), 0).plan;
  plan = reply(plan, 'a2', 'succeeded', 1);
  return step(plan, 1, placing(cloud())).plan;
}

describe('re-placement (CONTRACT §9)', () => {
  it('places a move the driver failed with a destination error on another host, as a new attempt', () => {
    const plan = migrating();
    const old = action(plan, 'a3').params as { toHostId: string };
    const failed = reply(plan, 'a3', 'failed', 5, destinationDown);
    expect(action(failed, 'a3')).toMatchObject({
      state: 'pending',
      unusableHostIds: [old.toHostId],
    });

    const view = cloud();
    const result = step(failed, 5, placing(view));
    const moved = action(result.plan, 'a3');
    const to = (moved.params as { toHostId: string }).toHostId;
    expect(to).not.toBe(old.toHostId);
    expect(to).not.toBe('h1');
    expect(moved).toMatchObject({ state: 'running', attempts: 2 });
    expect(result.commands).toEqual([
      expect.objectContaining({
        kind: 'execute',
        actionId: 'a3',
        attempt: 2,
        params: moved.params,
      }),
    ]);
    const note = result.events.find((e) => e.type === 'plan.note')!;
    expect(note).toMatchObject({ actionId: 'a3' });
    expect(note.detail.replaced).toEqual({
      oldHostId: old.toHostId,
      newHostId: to,
      why: 'the driver failed the move: destination-unavailable: h2 is powered off',
      replacement: 1,
      of: 3,
    });
    expect(result.plan.state).toBe('running');
  });

  it('disables the failed destination in the inventory, only while it is still up', () => {
    const plan = migrating();
    const to = (action(plan, 'a3').params as { toHostId: string }).toHostId;
    const event = { actionId: 'a3', attempt: 1, status: 'failed' as const, at: at(5) };
    const outcome = applyDriverEvent(plan, { ...event, ...destinationDown }, at(5), LIMITS);
    expect(outcome.inventoryChanges).toEqual([
      { kind: 'host', id: to, set: { status: 'disabled' }, ifStatus: 'up' },
    ]);
    const other = applyDriverEvent(plan, { ...event, error: 'boom' }, at(5), LIMITS);
    expect(other.inventoryChanges).toEqual([]);
  });

  it('re-places a pending move whose destination went down, before it is dispatched', () => {
    const plan = migrating();
    const a5 = action(plan, 'a5');
    const old = (a5.params as { toHostId: string }).toHostId;
    expect(a5.state).toBe('pending');
    const done = reply(plan, 'a3', 'succeeded', 3);
    const result = step(done, 3, placing(cloud({ [old]: 'down' })));
    const moved = action(result.plan, 'a5');
    expect(moved.state).toBe('running');
    expect(moved.attempts).toBe(1);
    expect((moved.params as { toHostId: string }).toHostId).not.toBe(old);
    expect(moved.unusableHostIds).toEqual([old]);
    const note = result.events.find((e) => e.type === 'plan.note')!;
    expect(note.detail.replaced).toMatchObject({ oldHostId: old, why: `${old} is down` });
    const execute = result.commands.find((c) => c.actionId === 'a5')!;
    expect(execute.params).toEqual(moved.params);
  });

  it('holds a move back, neither dispatched nor failed, while it cannot be placed now', () => {
    const plan = reply(migrating(), 'a3', 'failed', 5, destinationDown);
    const result = step(plan, 5, { unusable: () => null });
    expect(states(result.plan).a3).toBe('pending');
    expect(result.commands.filter((c) => c.actionId === 'a3')).toEqual([]);
    expect(result.plan.state).toBe('running');
  });

  it('ends the move at the 4th destination failure with a clear reason', () => {
    let plan = migrating();
    const tried: string[] = [];
    for (let n = 1; n <= 3; n++) {
      tried.push((action(plan, 'a3').params as { toHostId: string }).toHostId);
      plan = reply(plan, 'a3', 'failed', 5 + n, destinationDown);
      plan = step(plan, 5 + n, placing(cloud())).plan;
      expect(action(plan, 'a3')).toMatchObject({ state: 'running', attempts: n + 1 });
    }
    tried.push((action(plan, 'a3').params as { toHostId: string }).toHostId);
    expect(new Set(tried).size).toBe(4);
    plan = reply(plan, 'a3', 'failed', 10, destinationDown);
    const a3 = action(plan, 'a3');
    expect(a3.state).toBe('failed');
    expect(a3.unusableHostIds).toEqual(tried);
    expect(a3.error).toBe(
      'destination-unavailable: h2 is powered off; the 4th destination to fail ' +
        `(${tried.join(', ')}), not placed again`,
    );
  });

  it('fails a pending move for which no host is left, naming why', () => {
    const plan = reply(migrating(), 'a3', 'failed', 5, destinationDown);
    const view = cloud({ h2: 'down', h3: 'down', h4: 'maintenance', h5: 'disabled' });
    const result = step(plan, 5, placing(view));
    const a3 = action(result.plan, 'a3');
    expect(a3.state).toBe('failed');
    expect(a3.error).toMatch(/^the driver failed the move: .*; no other host: no host for vm-1/);
  });

  it('does not re-place a move that failed for another reason', () => {
    const plan = reply(migrating(), 'a3', 'failed', 5, {
      error: { code: 'operation-failed', message: 'qemu crashed', retriable: false },
    });
    expect(action(plan, 'a3').state).toBe('failed');
    expect(action(plan, 'a3').unusableHostIds).toBeUndefined();
  });

  it('aborts a running move whose destination went down, then places it again', () => {
    const plan = migrating();
    const old = (action(plan, 'a3').params as { toHostId: string }).toHostId;
    const view = cloud({ [old]: 'down' });
    const asked = step(plan, 3, placing(view));
    expect(action(asked.plan, 'a3')).toMatchObject({ state: 'running', unusableHostIds: [old] });
    expect(asked.commands.filter((c) => c.actionId === 'a3')).toEqual([
      expect.objectContaining({ kind: 'abort', attempt: 1 }),
    ]);
    // Asked once: the next step sends no second abort.
    const again = step(asked.plan, 4, placing(view));
    expect(again.commands.filter((c) => c.actionId === 'a3')).toEqual([]);

    const aborted = reply(asked.plan, 'a3', 'aborted', 5);
    expect(action(aborted, 'a3').state).toBe('pending');
    const result = step(aborted, 5, placing(view));
    const moved = action(result.plan, 'a3');
    expect(moved).toMatchObject({ state: 'running', attempts: 2, unusableHostIds: [old] });
    expect((moved.params as { toHostId: string }).toHostId).not.toBe(old);
    const note = result.events.find((e) => e.type === 'plan.note' && e.detail.replaced)!;
    expect(note.detail.replaced).toMatchObject({
      oldHostId: old,
      why: `destination down during the move: ${old} went down; the move was aborted`,
    });
    expect(result.plan.state).toBe('running');
  });

  it('leaves a running move alone when its destination is only in maintenance or disabled', () => {
    const plan = migrating();
    const old = (action(plan, 'a3').params as { toHostId: string }).toHostId;
    for (const status of ['maintenance', 'disabled'] as const) {
      const result = step(plan, 3, placing(cloud({ [old]: status })));
      expect(result.commands.filter((c) => c.actionId === 'a3')).toEqual([]);
      expect(action(result.plan, 'a3').unusableHostIds).toBeUndefined();
    }
  });

  it('counts a destination once when the driver fails the move it was asked to abort', () => {
    const plan = migrating();
    const old = (action(plan, 'a3').params as { toHostId: string }).toHostId;
    const asked = step(plan, 3, placing(cloud({ [old]: 'down' }))).plan;
    const failed = reply(asked, 'a3', 'failed', 4, destinationDown);
    expect(action(failed, 'a3')).toMatchObject({ state: 'pending', unusableHostIds: [old] });
  });

  it('keeps an operator abort an abort: nothing marked it for re-placement', () => {
    const aborted = reply(migrating(), 'a3', 'aborted', 5);
    expect(action(aborted, 'a3').state).toBe('aborted');
  });
});
