/**
 * Cloud rules per action type: what must hold before an operation starts, what it changes when it
 * completes or fails, and what the fail path undoes. Pure functions over `SimState`.
 */
import type { MigrateParams } from '@reflex/contracts/plan.v1';
import { BackendError, type BackendErrorCode } from '../backend.errors';
import type { BackendAction } from '../backend.port';
import { acceptsPlacement, freeCapacity, isHostRunning, moveInstance } from './simulated-inventory';
import type { SimOperation, SimOperationStatus, SimState } from './simulator.state';

const MIGRATIONS = new Set(['live-migrate', 'cold-migrate', 'evacuate']);
export const isMigration = (type: string): boolean => MIGRATIONS.has(type);

const refuse = (code: BackendErrorCode, message: string, retriable = false) =>
  new BackendError(code, message, { retriable });

/** Why the cloud refuses to start `action` now, or null. */
export function refusal(state: SimState, action: BackendAction): BackendError | null {
  switch (action.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate':
      return migrationRefusal(state, action.type, action.params);
    case 'switch-over': {
      const { groupId, fromInstanceId, toInstanceId } = action.params;
      if (!state.groups[groupId]) return refuse('not-found', `group ${groupId} not found`);
      for (const id of [fromInstanceId, toInstanceId]) {
        const vm = state.instances[id];
        if (!vm) return refuse('not-found', `instance ${id} not found`);
        if (vm.groupId !== groupId) return refuse('invalid-state', `${id} is not in ${groupId}`);
      }
      if (state.instances[toInstanceId].state !== 'running') {
        return refuse('invalid-state', notRunning(state, toInstanceId));
      }
      return null;
    }
    case 'recover-instance': {
      const vm = state.instances[action.params.instanceId];
      if (!vm) return refuse('not-found', `instance ${action.params.instanceId} not found`);
      if (!isHostRunning(state.hosts[vm.hostId])) {
        return refuse('host-unavailable', `host ${vm.hostId} of ${vm.id} is down`);
      }
      return busy(state, vm.id);
    }
    case 'set-host-status':
    case 'fence-host':
      return state.hosts[action.params.hostId]
        ? null
        : refuse('not-found', `host ${action.params.hostId} not found`);
    case 'notify':
      return null;
  }
}

function migrationRefusal(state: SimState, type: string, p: MigrateParams): BackendError | null {
  const vm = state.instances[p.instanceId];
  if (!vm) return refuse('not-found', `instance ${p.instanceId} not found`);
  if (vm.kind !== 'vm') return refuse('unsupported', `${vm.id} is ${vm.kind}; it cannot migrate`);
  if (vm.hostId !== p.fromHostId) {
    return refuse('invalid-state', `${vm.id} is on ${vm.hostId}, not on ${p.fromHostId}`);
  }
  const dst = state.hosts[p.toHostId];
  // A destination the cloud does not know is as unusable as a dead one: the engine places the
  // move elsewhere on this code (CONTRACT §9), where `not-found` would end it.
  if (!dst) return refuse('destination-unavailable', `destination ${p.toHostId} does not exist`);
  if (p.toHostId === p.fromHostId) return refuse('invalid-state', 'source and destination are one');
  const source = state.hosts[p.fromHostId];
  if (type === 'evacuate' && isHostRunning(source)) {
    return refuse('invalid-state', `source ${p.fromHostId} is up; evacuate needs it down`);
  }
  if (type !== 'evacuate' && !isHostRunning(source)) {
    return refuse('host-unavailable', `source ${p.fromHostId} is down`);
  }
  if (type === 'live-migrate' && vm.state !== 'running') {
    return refuse('invalid-state', `${vm.id} is ${vm.state}; live migration needs it running`);
  }
  if (!acceptsPlacement(dst)) {
    return refuse('destination-unavailable', `destination ${dst.id} is ${dst.status}/${dst.power}`);
  }
  const free = freeCapacity(state, dst.id);
  if (free.vcpus < vm.resources.vcpus || free.memoryMb < vm.resources.memoryMb) {
    return refuse('destination-full', `destination ${dst.id} lacks capacity for ${vm.id}`);
  }
  return busy(state, vm.id);
}

function busy(state: SimState, instanceId: string): BackendError | null {
  const other = Object.values(state.operations).find(
    (op) =>
      op.status === 'running' && (op.params as { instanceId?: string }).instanceId === instanceId,
  );
  // Retriable: the other operation will finish, and then this one can run.
  return other ? refuse('instance-busy', `${instanceId} is busy with ${other.key}`, true) : null;
}

/** Applies a finished operation's effect on the cloud. */
export function completeOperation(state: SimState, op: SimOperation, now: number): void {
  // Params were checked at start for this operation's type.
  const p = op.params as unknown as Record<string, string>;
  switch (op.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate': {
      // Cut-over: the one moment the instance changes host; it is never on two.
      const vm = state.instances[p.instanceId];
      moveInstance(state, vm, p.toHostId);
      vm.state = op.type === 'cold-migrate' ? (op.instanceStateBefore ?? 'running') : 'running';
      op.claim = null;
      break;
    }
    case 'switch-over': {
      const to = state.instances[p.toInstanceId];
      if (to?.state !== 'running') {
        return finishOperation(
          state,
          op,
          now,
          'failed',
          'invalid-state',
          notRunning(state, p.toInstanceId),
        );
      }
      to.role = 'active';
      state.instances[p.fromInstanceId].role = 'standby';
      break;
    }
    case 'recover-instance': {
      const vm = state.instances[p.instanceId];
      vm.state = 'running';
      if (vm.groupId) vm.role = 'standby';
      break;
    }
    case 'set-host-status': {
      const host = state.hosts[p.hostId];
      if (p.status === 'down') takeHostDown(state, host.id, now, 'on');
      else {
        host.status = p.status as typeof host.status;
        host.power = 'on';
      }
      break;
    }
    case 'fence-host':
      takeHostDown(state, p.hostId, now, 'off');
      break;
    case 'notify':
      break;
  }
  op.status = 'succeeded';
  op.finishedAt = now;
  op.remainingMb = 0;
}

/** Ends an operation without its effect; destination leftovers stay until the fail path. */
export function finishOperation(
  state: SimState,
  op: SimOperation,
  now: number,
  status: Exclude<SimOperationStatus, 'running' | 'succeeded'>,
  code: BackendErrorCode,
  message: string,
  retriable = false,
): void {
  op.status = status;
  op.finishedAt = now;
  op.error = { code, message, retriable };
  if (!isMigration(op.type)) return;
  const vm = state.instances[(op.params as MigrateParams).instanceId];
  if (!vm) return;
  if (!isHostRunning(state.hosts[vm.hostId])) vm.state = 'error';
  // A failed live migration resumes the guest on the source at once; a cold one leaves it shut
  // off until the fail path starts it; an evacuation leaves it where it was.
  else if (op.type === 'cold-migrate') vm.state = 'stopped';
  else vm.state = op.instanceStateBefore ?? 'running';
}

/** A host goes down (failure, `set-host-status down`, or fence): everything on it goes down too. */
export function takeHostDown(state: SimState, hostId: string, now: number, power: 'on' | 'off') {
  const host = state.hosts[hostId];
  host.status = 'down';
  host.power = power;
  for (const vm of Object.values(state.instances)) {
    if (vm.hostId === hostId && (vm.state === 'running' || vm.state === 'migrating')) {
      vm.state = 'error';
    }
  }
  for (const op of Object.values(state.operations)) {
    if (op.status !== 'running' || !isMigration(op.type)) continue;
    const p = op.params as MigrateParams;
    if (p.toHostId === hostId) {
      finishOperation(state, op, now, 'failed', 'destination-unavailable', `${hostId} went down`);
    } else if (p.fromHostId === hostId && op.type !== 'evacuate') {
      finishOperation(state, op, now, 'failed', 'host-unavailable', `${hostId} went down`);
    }
  }
}

/** The fail path (CONTRACT §6) of a failed or aborted operation; returns what it undid. */
export function undoOperation(state: SimState, op: SimOperation): string[] {
  const steps: string[] = [];
  if (op.claim) {
    steps.push(`cleaned up destination ${op.claim.hostId}`);
    op.claim = null;
  }
  if (op.type === 'cold-migrate') {
    const vm = state.instances[(op.params as MigrateParams).instanceId];
    // Start it only if it was running before: the fail path restores, it does not power on.
    if (vm?.state === 'stopped' && op.instanceStateBefore === 'running') {
      if (isHostRunning(state.hosts[vm.hostId])) {
        vm.state = 'running';
        steps.push(`started ${vm.id} on ${vm.hostId}`);
      } else steps.push(`cannot start ${vm.id}: ${vm.hostId} is down`);
    }
  }
  for (const [id, role] of Object.entries(op.rolesBefore ?? {})) {
    const vm = state.instances[id];
    if (vm && vm.role !== role) {
      vm.role = role;
      steps.push(`restored role of ${id} to ${role}`);
    }
  }
  return steps;
}

/** Whether a failed operation left effects behind that the fail path would undo. */
export function leftBehind(state: SimState, op: SimOperation): boolean {
  if (op.claim) return true;
  const vm = state.instances[(op.params as { instanceId?: string }).instanceId ?? ''];
  if (op.type === 'cold-migrate' && vm?.state === 'stopped') {
    return op.instanceStateBefore === 'running';
  }
  return Object.entries(op.rolesBefore ?? {}).some(([id, r]) => state.instances[id]?.role !== r);
}

/**
 * Why a switch-over's to-instance cannot take over, naming its state and host (and the host's
 * status when that is the cause), so that an operator, or a check, can tell a standby lost with its
 * host from one some other operation had stopped.
 */
function notRunning(state: SimState, instanceId: string): string {
  const vm = state.instances[instanceId];
  if (!vm) return `to-instance ${instanceId} is gone`;
  const host = state.hosts[vm.hostId];
  const hostDown = isHostRunning(host) ? '' : ' (host not running)';
  return `to-instance ${instanceId} is ${vm.state} on host ${vm.hostId}${hostDown}`;
}
