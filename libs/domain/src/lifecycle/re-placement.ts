import { DESTINATION_UNAVAILABLE, type DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { PlacementSolver } from '../placement/placement-solver';
import type { PlacementConfig } from '../placement/placement.types';
import { isMove, type MoveType } from '../planning/action-params';
import type { InFlight } from '../planning/plan-intent';
import type { PlanTransaction } from './plan-transaction';

export type Move = ActionV1<MoveType>;

/** Where moves may go, as the engine's inventory says at the time of the step. */
export interface Destinations {
  /** Why the host can take no new placement now (its status, or unknown), or null if it can. */
  unusable(hostId: string): string | null;
  /**
   * A new destination for the move, never one of `avoid`, or why there is none. Absent when the
   * engine cannot place now (another decision holds the planning lock): the move then waits.
   */
  place?(move: Move, avoid: readonly string[]): { hostId: string } | { none: string };
}

/** Forward moves only: a rollback's compensation goes back where the instance came from. */
const isForwardMove = (action: ActionV1): action is Move =>
  isMove(action) && action.compensationFor === null;

/** A driver failure that says the destination, not the move, is the problem. */
export function isDestinationFailure(
  action: ActionV1,
  error: DriverEventV1['error'],
): action is Move {
  return (
    isForwardMove(action) && typeof error === 'object' && error.code === DESTINATION_UNAVAILABLE
  );
}

/** How the error of a move the engine aborted because its destination went down begins. */
const DESTINATION_DOWN = 'destination down during the move';

/** Why the move's current destination cannot be used, or null. */
function whyUnusable(move: Move, destinations: Pick<Destinations, 'unusable'>): string | null {
  const to = move.params.toHostId;
  if (move.unusableHostIds?.includes(to)) {
    return move.error?.startsWith(DESTINATION_DOWN)
      ? move.error
      : `the driver failed the move: ${move.error ?? ''}`;
  }
  const status = destinations.unusable(to);
  return status === null ? null : `${to} is ${status}`;
}

/** Pending forward moves whose destination must change before they may be dispatched. */
export function movesToReplace(
  actions: readonly ActionV1[],
  destinations: Pick<Destinations, 'unusable'>,
): Move[] {
  return actions
    .filter(isForwardMove)
    .filter((a) => a.state === 'pending' && whyUnusable(a, destinations) !== null);
}

const ordinal = (n: number): string => `${n}${['th', 'st', 'nd', 'rd'][n] ?? 'th'}`;

/**
 * A running move the driver failed with a destination error: its destination joins the hosts it
 * found unusable and, with re-placements left, it goes back to pending for `replaceMoves` to place
 * again. The host is disabled in the inventory (only if it is still `up`): `disabled` is the
 * status CONTRACT §4 gives a host that "takes no new placements", and unlike `down` it does not
 * claim the host and its instances are dead (a destination error may be a network fault between
 * two hosts). The inventory, or a host-restore on an alarm, sets it `up` again.
 */
export function recordDestinationFailure(tx: PlanTransaction, move: Move, error: string): void {
  const to = move.params.toHostId;
  const known = move.unusableHostIds ?? [];
  // Already there when the engine had asked for an abort because the host went down.
  const unusable = known.includes(to) ? known : [...known, to];
  move.unusableHostIds = unusable;
  tx.inventory([{ kind: 'host', id: to, set: { status: 'disabled' }, ifStatus: 'up' }]);
  if (tx.plan.state === 'running' && unusable.length <= tx.limits.maxReplacements) {
    tx.setActionState(move, 'pending', { destinationUnavailable: to, error });
    return;
  }
  move.error =
    `${error}; the ${ordinal(unusable.length)} destination to fail ` +
    `(${unusable.join(', ')}), not placed again`;
}

/**
 * A running move whose destination the inventory now says is `down` cannot succeed (or would leave
 * the instance on a dead host): the engine asks the driver to abort it, once, noting the host as
 * unusable for the move; the abort's answer puts it back to pending (`recordDestinationAbort`) to
 * be placed again like any other. Only `down`: a host set to maintenance or disabled under a
 * running move may still take it, and the next drain moves it on.
 */
export function abortMovesToDownHosts(
  tx: PlanTransaction,
  destinations: Pick<Destinations, 'unusable'>,
): void {
  for (const move of tx.actions.filter(isForwardMove)) {
    const to = move.params.toHostId;
    if (move.state !== 'running' || destinations.unusable(to) !== 'down') continue;
    if (move.unusableHostIds?.includes(to)) continue;
    move.unusableHostIds = [...(move.unusableHostIds ?? []), to];
    move.error = `${DESTINATION_DOWN}: ${to} is down in the inventory`;
    tx.note({ abortedForReplacement: { hostId: to, why: move.error } }, move.id);
    tx.send('abort', move, { reason: DESTINATION_DOWN, hostId: to });
  }
}

/** The abort `abortMovesToDownHosts` asked for: the move's destination is among its unusable hosts. */
export function isAbortForReplacement(action: ActionV1): action is Move {
  return isForwardMove(action) && !!action.unusableHostIds?.includes(action.params.toHostId);
}

/**
 * Its abort confirmed: the move failed on its destination, and goes back to pending to be placed
 * elsewhere, re-placements and plan allowing.
 */
export function recordDestinationAbort(
  tx: PlanTransaction,
  move: Move,
  event: Pick<DriverEventV1, 'attempt' | 'at'>,
): void {
  const unusable = move.unusableHostIds ?? [];
  const error = `${DESTINATION_DOWN}: ${move.params.toHostId} went down; the move was aborted`;
  tx.setActionState(move, 'failed', { attempt: event.attempt, driverAt: event.at, error });
  move.error = error;
  if (tx.plan.state === 'running' && unusable.length <= tx.limits.maxReplacements) {
    tx.setActionState(move, 'pending', { destinationDown: move.params.toHostId, error });
    return;
  }
  move.error = `${error}; the ${ordinal(unusable.length)} destination to fail (${unusable.join(', ')}), not placed again`;
}

/**
 * Places again every pending forward move whose destination is unusable, before it is dispatched:
 * a new destination from `destinations.place`, recorded in the timeline with the old host, the new
 * one and why. A move that has been re-placed `maxReplacements` times already, or for which no host
 * is left, fails with the reason. Returns the moves that must wait (no placing possible now).
 */
export function replaceMoves(tx: PlanTransaction, destinations: Destinations): Set<string> {
  const waiting = new Set<string>();
  for (const move of movesToReplace(tx.actions, destinations)) {
    const old = move.params.toHostId;
    const why = whyUnusable(move, destinations)!;
    const known = move.unusableHostIds ?? [];
    const unusable = known.includes(old) ? known : [...known, old];
    if (unusable.length > tx.limits.maxReplacements) {
      move.unusableHostIds = unusable;
      fail(
        tx,
        move,
        `${why}; re-placed ${tx.limits.maxReplacements} times already (${unusable.join(', ')})`,
      );
      continue;
    }
    if (!destinations.place) {
      waiting.add(move.id);
      continue;
    }
    move.unusableHostIds = unusable;
    const placed = destinations.place(move, unusable);
    if ('none' in placed) {
      fail(tx, move, `${why}; no other host: ${placed.none}`);
      continue;
    }
    move.params = { ...move.params, toHostId: placed.hostId };
    tx.note(
      {
        replaced: {
          oldHostId: old,
          newHostId: placed.hostId,
          why,
          replacement: unusable.length,
          of: tx.limits.maxReplacements,
        },
      },
      move.id,
    );
  }
  return waiting;
}

function fail(tx: PlanTransaction, move: Move, error: string): void {
  tx.setActionState(move, 'failed', { notReplaced: move.params.toHostId, error });
  move.error = error;
}

/**
 * The engine's destinations over one inventory view: a host is usable when it is `up`. With
 * `placing` (the live plans' reservations and draining hosts), moves are placed by the same solver
 * the planner uses, one solver per step so that several re-placements see each other.
 */
export function inventoryDestinations(
  view: InventoryView,
  placing?: { inFlight: InFlight; config: PlacementConfig; planId: string },
): Destinations {
  const unusable = (hostId: string): string | null => {
    const host = view.host(hostId);
    if (!host) return 'not in the inventory';
    return host.status === 'up' ? null : host.status;
  };
  if (!placing) return { unusable };
  const { inFlight, config, planId } = placing;
  const draining = (inFlight.drainingHosts ?? []).map((d) => d.hostId);
  let solver: PlacementSolver | undefined;
  return {
    unusable,
    place: (move, avoid) => {
      // Capacity promised on unusable hosts will not be taken: those moves are being re-placed.
      solver ??= new PlacementSolver(
        view,
        config,
        inFlight.reservations.filter((r) => unusable(r.hostId) === null),
        planId,
      );
      const result = solver.place({
        instanceId: move.params.instanceId,
        excludeHostIds: [...avoid, ...draining],
      });
      return result.ok ? { hostId: result.hostId } : { none: result.reason };
    },
  };
}
