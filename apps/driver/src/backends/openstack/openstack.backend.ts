import type { MigrateParams } from '@reflex/contracts/plan.v1';
import { BackendError, unsupported } from '../backend.errors';
import {
  handleKey,
  type Backend,
  type BackendAction,
  type BackendHandle,
  type BackendPoll,
  type FailPathResult,
  type InspectResult,
} from '../backend.port';
import { StartOnce } from '../start-once';
import { destinationRefusal, NovaClient, type NovaMigration } from './nova.client';
import { inspectStateOf, migrationProgress, outcomeOf, serviceUpdate, viewOf } from './nova-state';
import type { OpenStackConfig } from './openstack.config';

/**
 * The `openstack` backend: Nova compute API v2.1 behind Keystone v3. Nova owns the work; this
 * backend asks and reads. Roles are not a Nova concept, so switch-over only checks that the new
 * active server is ACTIVE (the inventory and the site's hooks do the rest); host status maps to
 * the nova-compute service (disabled, forced down); fence marks the service forced down, which
 * is what Nova needs before it evacuates; the power-off itself belongs in a `pre` hook.
 */
export class OpenStackBackend implements Backend {
  readonly kind = 'openstack' as const;
  private readonly starts = new StartOnce();
  /** Keys whose abort was asked for, to report a rolled-back migration as aborted. */
  private readonly aborts = new Set<string>();

  constructor(
    private readonly config: OpenStackConfig,
    private readonly nova: NovaClient = new NovaClient(config),
  ) {}

  start(action: BackendAction): Promise<BackendHandle> {
    return this.starts.run(action, (a) => this.begin(a));
  }

  async poll(handle: BackendHandle): Promise<BackendPoll> {
    if (handle.ref.done === true) return { status: 'succeeded', progress: 100 };
    const { serverId, src, dst } = refOf(handle);
    if (handle.type === 'live-migrate') {
      const m = await this.nova.currentMigration(serverId);
      if (m) return { status: 'running', progress: migrationProgress(m), detail: detailOf(m) };
    }
    const o = outcomeOf(handle.type, viewOf(await this.nova.server(serverId)), src, dst);
    switch (o.status) {
      case 'verify':
        // Nova waits for a confirmation before it frees the source; Reflex gives it.
        await this.nova.action(serverId, { confirmResize: null });
        return { status: 'running', progress: 90 };
      case 'running':
        return { status: 'running', ...(o.progress !== undefined ? { progress: o.progress } : {}) };
      case 'succeeded':
        return { status: 'succeeded', progress: 100 };
      case 'failed':
        return {
          status: 'failed',
          error: { code: 'operation-failed', message: o.message, retriable: false },
        };
      case 'at-source': {
        const aborted = this.aborts.has(handleKey(handle));
        const message = `nova rolled ${handle.type} back; ${serverId} stays on ${src}`;
        return aborted
          ? { status: 'aborted', error: { code: 'aborted', message, retriable: false } }
          : { status: 'failed', error: { code: 'operation-failed', message, retriable: false } };
      }
    }
  }

  async abort(handle: BackendHandle): Promise<void> {
    if (handle.type !== 'live-migrate') {
      throw unsupported('openstack', `abort ${handle.type} (Nova cannot cancel it)`);
    }
    this.aborts.add(handleKey(handle));
    const { serverId } = refOf(handle);
    const m = await this.nova.currentMigration(serverId);
    if (!m) return; // Finished or not begun; the next poll says which.
    try {
      const path = `/servers/${enc(serverId)}/migrations/${m.id}`;
      await this.nova.request('DELETE', path, { microversion: '2.65' });
    } catch (error) {
      // Already completing or gone: the race is Nova's to settle and the poll reports it.
      if (!(error instanceof BackendError && ['rejected', 'not-found'].includes(error.code))) {
        throw error;
      }
    }
  }

  async forceComplete(handle: BackendHandle): Promise<void> {
    if (handle.type !== 'live-migrate')
      throw unsupported('openstack', `force-complete ${handle.type}`);
    const { serverId } = refOf(handle);
    const m = await this.nova.currentMigration(serverId);
    if (!m) {
      throw new BackendError('invalid-state', `no live migration of ${serverId} in progress`, {
        retriable: true,
      });
    }
    const path = `/servers/${enc(serverId)}/migrations/${m.id}/action`;
    await this.nova.request('POST', path, { microversion: '2.22', body: { force_complete: null } });
  }

  async inspect(action: BackendAction): Promise<InspectResult> {
    const handle = this.handleOf(action);
    switch (action.type) {
      case 'live-migrate':
      case 'cold-migrate':
      case 'evacuate': {
        const { serverId, src, dst } = refOf(handle);
        const view = viewOf(await this.nova.server(serverId));
        const state = inspectStateOf(outcomeOf(action.type, view, src, dst));
        return { state, detail: { ...view }, ...(state === 'running' ? { handle } : {}) };
      }
      case 'recover-instance': {
        const view = viewOf(await this.nova.server(refOf(handle).serverId));
        const o = outcomeOf(action.type, view, '', '');
        if (o.status === 'running') return { state: 'running', handle, detail: { ...view } };
        // An ACTIVE server needs no second restart; anything else still needs recovering.
        return {
          state: o.status === 'succeeded' ? 'succeeded' : 'not-started',
          detail: { ...view },
        };
      }
      case 'set-host-status':
      case 'fence-host': {
        const service = await this.nova.computeService(this.host(action.params.hostId));
        const wanted = action.type === 'fence-host' ? { forced_down: true } : serviceUpdate(action);
        const done = Object.entries(wanted).every(
          ([k, v]) => k === 'disabled_reason' || service[k as keyof typeof service] === v,
        );
        return { state: done ? 'succeeded' : 'not-started' };
      }
      default:
        return { state: 'not-started' };
    }
  }

  async failPath(action: BackendAction): Promise<FailPathResult> {
    if (action.type !== 'live-migrate' && action.type !== 'cold-migrate') return { steps: [] };
    const { serverId, src, dst } = refOf(this.handleOf(action));
    const steps: string[] = [];
    if (action.type === 'live-migrate') {
      const m = await this.nova.currentMigration(serverId);
      if (m) {
        await this.abort(this.handleOf(action));
        steps.push(`aborted live migration ${m.id}`);
      }
    }
    let s = await this.nova.settle(serverId, (v) => v.task === null);
    if (s.status === 'VERIFY_RESIZE') {
      await this.nova.action(serverId, { revertResize: null });
      steps.push(`reverted the resize: nova cleaned up ${dst}`);
      s = await this.nova.settle(serverId, (v) => v.task === null && v.status !== 'REVERT_RESIZE');
    }
    if (s.host === dst && s.status !== 'ERROR') {
      return { steps: [...steps, `${serverId} already runs on ${dst}; nothing to undo`] };
    }
    if (s.status === 'ERROR') steps.push(`${serverId} is in ERROR on ${s.host}: needs an operator`);
    else if (steps.length === 0) steps.push(`nothing left on ${dst}; ${serverId} is on ${s.host}`);
    if (action.type === 'cold-migrate' && s.host === src && s.status === 'SHUTOFF') {
      await this.nova.action(serverId, { 'os-start': null });
      steps.push(`started ${serverId} on ${src}`);
    }
    return { steps };
  }

  private async begin(action: BackendAction): Promise<BackendHandle> {
    const handle = this.handleOf(action);
    const nova = this.nova;
    switch (action.type) {
      case 'live-migrate':
      case 'cold-migrate':
      case 'evacuate': {
        const { serverId, src, dst } = refOf(handle);
        const view = viewOf(await nova.server(serverId));
        if (view.host !== src) {
          throw new BackendError('invalid-state', `${serverId} is on ${view.host}, not on ${src}`, {
            retriable: false,
          });
        }
        const [body, microversion] =
          action.type === 'live-migrate'
            ? [
                { 'os-migrateLive': { host: dst, block_migration: this.config.blockMigration } },
                '2.30',
              ]
            : action.type === 'cold-migrate'
              ? [{ migrate: { host: dst } }, '2.56']
              : [{ evacuate: { host: dst } }, '2.29'];
        try {
          await nova.action(serverId, body, microversion);
        } catch (error) {
          // 409 while migrating: a redelivered start (another replica, a restart). Adopt Nova's
          // migration to the same destination instead of failing a healthy one.
          const conflict = error instanceof BackendError && error.code === 'invalid-state';
          if (conflict && action.type === 'live-migrate') {
            const m = await this.nova.currentMigration(serverId);
            if (m?.dest_compute === dst) return handle;
          }
          throw destinationRefusal(error, dst);
        }
        return handle;
      }
      case 'recover-instance': {
        const { serverId } = refOf(handle);
        const view = viewOf(await nova.server(serverId));
        await nova.action(
          serverId,
          view.status === 'SHUTOFF' ? { 'os-start': null } : { reboot: { type: 'HARD' } },
        );
        return handle;
      }
      case 'switch-over': {
        const serverId = this.server(action.params.toInstanceId);
        const view = viewOf(await nova.server(serverId));
        if (view.status !== 'ACTIVE') {
          throw new BackendError('invalid-state', `to-instance ${serverId} is ${view.status}`, {
            retriable: false,
          });
        }
        return { ...handle, ref: { done: true } };
      }
      case 'set-host-status':
      case 'fence-host': {
        const service = await nova.computeService(this.host(action.params.hostId));
        const body = action.type === 'fence-host' ? { forced_down: true } : serviceUpdate(action);
        await nova.updateService(service.id, body);
        return { ...handle, ref: { done: true, serviceId: service.id } };
      }
      case 'notify':
        return { ...handle, ref: { done: true } };
    }
  }

  private handleOf(action: BackendAction): BackendHandle {
    const ref: BackendHandle['ref'] = {};
    if ('instanceId' in action.params) ref.serverId = this.server(action.params.instanceId);
    if (
      action.type === 'live-migrate' ||
      action.type === 'cold-migrate' ||
      action.type === 'evacuate'
    ) {
      const p: MigrateParams = action.params;
      ref.src = this.host(p.fromHostId);
      ref.dst = this.host(p.toHostId);
    }
    return {
      backend: 'openstack',
      actionId: action.actionId,
      attempt: action.attempt,
      type: action.type,
      ref,
    };
  }

  private server(instanceId: string): string {
    return this.config.servers[instanceId] ?? instanceId;
  }

  private host(hostId: string): string {
    return this.config.hosts[hostId] ?? hostId;
  }
}

const enc = encodeURIComponent;
const refOf = (h: BackendHandle) => ({
  serverId: String(h.ref.serverId),
  src: String(h.ref.src ?? ''),
  dst: String(h.ref.dst ?? ''),
});
const detailOf = (m: NovaMigration) => ({
  migrationId: m.id,
  migrationStatus: m.status,
  memoryRemainingBytes: m.memory_remaining_bytes ?? null,
  memoryTotalBytes: m.memory_total_bytes ?? null,
});
