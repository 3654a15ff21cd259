/**
 * What libvirt says about a migration, and how to undo one, from the domain's state on the source
 * and the destination alone: after a driver restart that is all there is to go on.
 */
import type { ActionType } from '@reflex/contracts/plan.v1';
import type { InspectState } from '../backend.port';
import { jobProgress } from './domjobinfo.parser';
import type { DomainState, LibvirtDomains } from './libvirt-domains';

export interface MigrationTarget {
  type: Extract<ActionType, 'live-migrate' | 'cold-migrate'>;
  domain: string;
  srcUri: string;
  dstUri: string;
}

export interface Inspection {
  state: InspectState;
  progress?: number;
  detail: { source: DomainState | null; destination: DomainState | null };
}

const RUNNING = 'running';

export async function inspectMigration(d: LibvirtDomains, t: MigrationTarget): Promise<Inspection> {
  const [source, destination] = await Promise.all([
    d.state(t.srcUri, t.domain),
    d.state(t.dstUri, t.domain),
  ]);
  const detail = { source, destination };
  if (source !== null && (await d.jobActive(t.srcUri, t.domain))) {
    const progress = jobProgress(
      await d.jobInfo(t.srcUri, t.domain).catch(() => ({ jobType: '', raw: {} })),
    );
    return { state: 'running', progress, detail };
  }
  if (destination !== null && source === null) {
    // The definition moved; a cold migration is done only once the guest runs again.
    const done = t.type === 'live-migrate' || destination === RUNNING;
    return { state: done ? 'succeeded' : 'half-done', detail };
  }
  if (destination === RUNNING && source !== RUNNING) return { state: 'succeeded', detail };
  if (source === null) return { state: 'failed', detail };
  if (destination !== null) return { state: 'half-done', detail };
  if (source === RUNNING) return { state: 'not-started', detail };
  // Shut off (cold migration stopped it) or paused (a live migration died) on the source only.
  return { state: 'half-done', detail };
}

/**
 * CONTRACT §6 fail paths. live-migrate: remove what the destination holds; the guest keeps (or
 * resumes) running on the source. cold-migrate: the same, bringing the definition back if it had
 * moved, then start the guest on the source if it was running before (`wasRunning`, unknown after
 * a restart: then it is started, as the contract says).
 */
export async function undoMigration(
  d: LibvirtDomains,
  t: MigrationTarget,
  wasRunning = true,
): Promise<string[]> {
  const steps: string[] = [];
  if (await d.jobActive(t.srcUri, t.domain)) {
    await d.virsh.run(t.srcUri, ['domjobabort', t.domain]).catch(() => undefined);
    await d.waitForState(t.srcUri, t.domain, (s) => s !== 'paused', d.config.commandTimeoutMs);
    steps.push(`aborted the migration job of ${t.domain}`);
  }
  let source = await d.state(t.srcUri, t.domain);
  const destination = await d.state(t.dstUri, t.domain);
  if (source === null && destination === null) return [...steps, `${t.domain} is defined nowhere`];
  if (source === null) {
    if (t.type === 'live-migrate') {
      // The migration completed: the guest now lives on the destination. Removing it there would
      // destroy the only copy; undoing a completed move is the planner's compensation.
      return [...steps, `${t.domain} already runs on the destination; nothing to undo`];
    }
    if (await d.destroy(t.dstUri, t.domain)) steps.push(`stopped ${t.domain} on the destination`);
    await d.virsh.run(t.dstUri, [
      'migrate',
      '--offline',
      '--persistent',
      '--undefinesource',
      t.domain,
      t.srcUri,
    ]);
    steps.push(`moved the definition of ${t.domain} back to the source`);
    source = await d.state(t.srcUri, t.domain);
  } else if (destination !== null) {
    const destroyed = await d.destroy(t.dstUri, t.domain);
    const undefinedIt = await d.undefine(t.dstUri, t.domain);
    if (destroyed || undefinedIt) steps.push(`removed ${t.domain} from the destination`);
  }
  if (source === 'paused') {
    if (await d.resume(t.srcUri, t.domain)) steps.push(`resumed ${t.domain} on the source`);
  } else if (t.type === 'cold-migrate' && source === 'shut off' && wasRunning) {
    if (await d.start(t.srcUri, t.domain)) steps.push(`started ${t.domain} on the source`);
  }
  return steps;
}
