import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';
import { BackendError } from '../backend.errors';
import type { BackendStatus } from '../backend.port';
import type { LibvirtDomains } from './libvirt-domains';
import type { MigrationTarget } from './libvirt-reconcile';
import { classifyMigrationError, classifyVirshError, type VirshProcess } from './virsh.runner';

/** One action the libvirt backend runs in the background, kept by handle in this process. */
export interface Job {
  status: BackendStatus;
  progress?: number;
  error?: DriverErrorV1;
  abortRequested: boolean;
  /** The `virsh migrate` client of a live migration. */
  process?: VirshProcess;
  detail: Record<string, unknown>;
  /** Resolves once the task has ended, whichever way. */
  settled?: Promise<void>;
}

const aborted = () => new BackendError('aborted', 'aborted on request', { retriable: false });

/** `virsh migrate --live`: libvirt keeps the guest on the source until cut-over. */
export async function liveMigrate(d: LibvirtDomains, t: MigrationTarget, job: Job): Promise<void> {
  const flags = ['--live', '--persistent', '--undefinesource'];
  if (d.config.postcopy) flags.push('--postcopy');
  if (job.abortRequested) throw aborted();
  job.process = d.virsh.spawn(t.srcUri, ['migrate', ...flags, t.domain, t.dstUri]);
  const exit = await job.process.done;
  if (exit.code !== 0) {
    const error = classifyVirshError(exit.stderr, `virsh migrate ${t.domain}`);
    throw classifyMigrationError(error, t.dstUri);
  }
}

/**
 * Cold migration without shared-nothing storage tricks: shut the guest down (destroy it if it
 * does not stop in time), move its definition with an offline migration, and start it on the
 * destination if it was running. Disks must be on storage both hosts see.
 */
export async function coldMigrate(d: LibvirtDomains, t: MigrationTarget, job: Job): Promise<void> {
  const before = await d.state(t.srcUri, t.domain);
  job.detail.wasRunning = before === 'running';
  if (before !== 'shut off') {
    await d.shutdown(t.srcUri, t.domain);
    job.progress = 10;
    const after = await d.waitForState(
      t.srcUri,
      t.domain,
      (s) => s === 'shut off' || job.abortRequested,
      d.config.shutdownTimeoutMs,
    );
    if (job.abortRequested) throw aborted();
    if (after !== 'shut off') await d.destroy(t.srcUri, t.domain);
  }
  job.progress = 40;
  if (job.abortRequested) throw aborted();
  const flags = ['--offline', '--persistent', '--undefinesource'];
  await d.virsh.run(t.srcUri, ['migrate', ...flags, t.domain, t.dstUri]).catch((error) => {
    throw classifyMigrationError(error, t.dstUri);
  });
  job.progress = 70;
  if (job.detail.wasRunning) await d.start(t.dstUri, t.domain);
}
