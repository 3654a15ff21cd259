import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';
import { BackendError, toDriverError, unsupported } from '../backend.errors';
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
import { jobProgress } from './domjobinfo.parser';
import { LibvirtDomains } from './libvirt-domains';
import { coldMigrate, liveMigrate, type Job } from './libvirt-migrations';
import { inspectMigration, undoMigration, type MigrationTarget } from './libvirt-reconcile';
import type { LibvirtConfig } from './libvirt.config';

const MIGRATIONS = ['live-migrate', 'cold-migrate'];

/**
 * The `libvirt` backend: drives `virsh` against each host's URI. Work runs in the background
 * (a `virsh migrate` child per live migration) and is kept by handle; after a restart the
 * children are gone but libvirt's state is not, and `inspect`/`poll` read it from there.
 * Hypervisors know nothing of groups, host status or power: switch-over only checks that the
 * new active runs (the role change is the inventory's, plus the site's hooks), set-host-status
 * and notify succeed without touching libvirt, and evacuate and fence need what libvirt lacks
 * (the dead host's domain XML, a power controller) so they are refused as unsupported.
 */
export class LibvirtBackend implements Backend {
  readonly kind = 'libvirt' as const;
  private readonly jobs = new Map<string, Job>();
  private readonly starts = new StartOnce();
  private readonly d: LibvirtDomains;

  constructor(config: LibvirtConfig, domains?: LibvirtDomains) {
    this.d = domains ?? new LibvirtDomains(config);
  }

  start(action: BackendAction): Promise<BackendHandle> {
    return this.starts.run(action, (a) => this.begin(a));
  }

  private async begin(action: BackendAction): Promise<BackendHandle> {
    const handle = this.handleFor(action);
    switch (action.type) {
      case 'live-migrate': {
        const t = this.target(handle);
        const state = await this.d.state(t.srcUri, t.domain);
        if (state === null) throw notOn(t.domain, action.params.fromHostId);
        if (state !== 'running') {
          const message = `${t.domain} is ${state}; live migration needs it running`;
          throw new BackendError('invalid-state', message, { retriable: false });
        }
        return this.launch(handle, (job) => liveMigrate(this.d, t, job));
      }
      case 'cold-migrate': {
        const t = this.target(handle);
        if ((await this.d.state(t.srcUri, t.domain)) === null)
          throw notOn(t.domain, action.params.fromHostId);
        return this.launch(handle, (job) => coldMigrate(this.d, t, job));
      }
      case 'recover-instance': {
        const domain = this.d.domainOf(action.params.instanceId);
        return this.launch(handle, async (job) => {
          const host = await this.d.findHost(domain);
          if (!host)
            throw new BackendError('not-found', `${domain} is defined on no host`, {
              retriable: false,
            });
          job.detail.hostId = host.hostId;
          await this.d.destroy(host.uri, domain);
          await this.d.start(host.uri, domain);
        });
      }
      case 'switch-over': {
        const domain = this.d.domainOf(action.params.toInstanceId);
        return this.launch(handle, async () => {
          const host = await this.d.findHost(domain);
          if (host?.state !== 'running') {
            throw new BackendError('invalid-state', `to-instance ${domain} is not running`, {
              retriable: false,
            });
          }
        });
      }
      case 'set-host-status':
      case 'notify':
        return this.launch(handle, async () => undefined);
      case 'evacuate':
        throw unsupported(
          'libvirt',
          'evacuate (the source host is down; use the openstack backend or a hook)',
        );
      case 'fence-host':
        throw unsupported('libvirt', 'fence a host (power control belongs in a pre hook)');
    }
  }

  async poll(handle: BackendHandle): Promise<BackendPoll> {
    const job = this.jobs.get(handleKey(handle));
    if (!job) return this.pollDetached(handle);
    if (job.status === 'running' && handle.type === 'live-migrate') {
      const t = this.target(handle);
      const info = await this.d.jobInfo(t.srcUri, t.domain).catch(() => null);
      if (info && info.jobType !== 'None') {
        // An abort sent before libvirt began the job was refused ("no job is active"): resend.
        if (job.abortRequested) await this.abort(handle).catch(() => undefined);
        job.progress = jobProgress(info) ?? job.progress;
        job.detail = {
          ...job.detail,
          dataRemaining: info.dataRemaining,
          dataTotal: info.dataTotal,
        };
      }
    }
    const poll: BackendPoll = { status: job.status, detail: { ...job.detail } };
    const progress = job.status === 'succeeded' ? 100 : job.progress;
    if (progress !== undefined) poll.progress = progress;
    if (job.error) poll.error = job.error;
    return poll;
  }

  async abort(handle: BackendHandle): Promise<void> {
    const job = this.jobs.get(handleKey(handle));
    if (job) job.abortRequested = true;
    if (job && job.status !== 'running') return;
    if (MIGRATIONS.includes(handle.type)) {
      const t = this.target(handle);
      try {
        await this.d.virsh.run(t.srcUri, ['domjobabort', t.domain]);
      } catch (error) {
        // No active job: it finished or has not begun; the next poll tells which.
        if (!(error instanceof BackendError && error.code === 'invalid-state')) throw error;
      }
    }
  }

  async forceComplete(handle: BackendHandle): Promise<void> {
    if (handle.type !== 'live-migrate')
      throw unsupported('libvirt', `force-complete ${handle.type}`);
    const t = this.target(handle);
    if (handle.ref.postcopy === true) {
      await this.d.virsh.run(t.srcUri, ['migrate-postcopy', t.domain]);
    } else {
      // Allowing a longer pause lets the final copy finish whatever the dirty rate.
      const ms = String(this.d.config.forceCompleteMaxDowntimeMs);
      await this.d.virsh.run(t.srcUri, ['migrate-setmaxdowntime', t.domain, ms]);
    }
  }

  async inspect(action: BackendAction): Promise<InspectResult> {
    const handle = this.handleFor(action);
    const job = this.jobs.get(handleKey(action));
    if (job?.status === 'running') return { state: 'running', handle };
    if (action.type === 'live-migrate' || action.type === 'cold-migrate') {
      const found = await inspectMigration(this.d, this.target(handle));
      return {
        state: found.state,
        detail: found.detail,
        ...(found.state === 'running' ? { handle } : {}),
      };
    }
    if (action.type === 'recover-instance') {
      // Restarting again would bounce a guest that recovered: running means done.
      const host = await this.d.findHost(this.d.domainOf(action.params.instanceId));
      return { state: host?.state === 'running' ? 'succeeded' : 'not-started' };
    }
    return { state: 'not-started' };
  }

  async failPath(action: BackendAction): Promise<FailPathResult> {
    if (action.type !== 'live-migrate' && action.type !== 'cold-migrate') return { steps: [] };
    const job = this.jobs.get(handleKey(action));
    if (job?.status === 'running') {
      // Abort through libvirt first so the guest resumes on the source, and let the background
      // task end before undoing; the virsh client is killed only if it does not return in time.
      await this.abort(this.handleFor(action)).catch(() => undefined);
      const timer = setTimeout(
        () => job.process?.child.kill('SIGTERM'),
        this.d.config.commandTimeoutMs,
      );
      await job.settled;
      clearTimeout(timer);
    }
    const wasRunning = job?.detail.wasRunning !== false;
    return { steps: await undoMigration(this.d, this.target(this.handleFor(action)), wasRunning) };
  }

  async close(): Promise<void> {
    // The migrations themselves carry on in libvirt; only the watching virsh processes stop.
    for (const job of this.jobs.values()) job.process?.child.kill('SIGTERM');
  }

  private launch(handle: BackendHandle, task: (job: Job) => Promise<void>): BackendHandle {
    const job: Job = { status: 'running', abortRequested: false, detail: {} };
    this.jobs.set(handleKey(handle), job);
    job.settled = task(job).then(
      () => {
        job.status = 'succeeded';
        job.progress = 100;
      },
      (error: unknown) => {
        job.error = toDriverError(error);
        job.status = job.abortRequested || job.error.code === 'aborted' ? 'aborted' : 'failed';
      },
    );
    return handle;
  }

  private async pollDetached(handle: BackendHandle): Promise<BackendPoll> {
    if (!MIGRATIONS.includes(handle.type)) {
      return { status: 'failed', error: lost(handle) };
    }
    const found = await inspectMigration(this.d, this.target(handle));
    if (found.state === 'running')
      return { status: 'running', progress: found.progress, detail: found.detail };
    if (found.state === 'succeeded')
      return { status: 'succeeded', progress: 100, detail: found.detail };
    return { status: 'failed', error: lost(handle), detail: found.detail };
  }

  private handleFor(action: BackendAction): BackendHandle {
    const ref: BackendHandle['ref'] = {};
    if (action.type === 'live-migrate' || action.type === 'cold-migrate') {
      ref.domain = this.d.domainOf(action.params.instanceId);
      ref.srcUri = this.d.uriOf(action.params.fromHostId);
      ref.dstUri = this.d.uriOf(action.params.toHostId);
      ref.postcopy = action.type === 'live-migrate' && this.d.config.postcopy;
    }
    return {
      backend: 'libvirt',
      actionId: action.actionId,
      attempt: action.attempt,
      type: action.type,
      ref,
    };
  }

  private target(handle: BackendHandle): MigrationTarget {
    return {
      type: handle.type as MigrationTarget['type'],
      domain: String(handle.ref.domain),
      srcUri: String(handle.ref.srcUri),
      dstUri: String(handle.ref.dstUri),
    };
  }
}

const notOn = (domain: string, hostId: string) =>
  new BackendError('invalid-state', `${domain} is not defined on ${hostId}`, { retriable: false });

const lost = (handle: BackendHandle): DriverErrorV1 => ({
  code: 'interrupted',
  message: `the driver lost track of ${handle.type} ${handleKey(handle)}; libvirt shows it unfinished`,
  retriable: true,
});
