import { BackendError } from '../backend.errors';
import { parseDomJobInfo, type DomJobInfo } from './domjobinfo.parser';
import type { LibvirtConfig } from './libvirt.config';
import { Virsh } from './virsh.runner';

/** `virsh domstate` words: running, paused, shut off, crashed, pmsuspended, in shutdown... */
export type DomainState = string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Domain-level operations on top of virsh: lookups, waits, and idempotent clean-up. */
export class LibvirtDomains {
  constructor(
    readonly config: LibvirtConfig,
    readonly virsh: Virsh = new Virsh(config.virshPath, config.commandTimeoutMs),
  ) {}

  uriOf(hostId: string): string {
    const host = this.config.hosts[hostId];
    if (!host) {
      throw new BackendError('not-found', `host ${hostId} has no libvirt URI configured`, {
        retriable: false,
      });
    }
    return host.uri;
  }

  domainOf(instanceId: string): string {
    const domain = this.config.domains[instanceId] ?? instanceId;
    // virsh would read a leading dash as an option, whatever execFile does.
    if (domain.startsWith('-')) {
      throw new BackendError('rejected', `domain name ${domain} starts with "-"`, {
        retriable: false,
      });
    }
    return domain;
  }

  /** The domain's state on a host, or null when it is not defined there. */
  async state(uri: string, domain: string): Promise<DomainState | null> {
    try {
      const { stdout } = await this.virsh.run(uri, ['domstate', domain]);
      return stdout.trim().split('\n')[0].trim();
    } catch (error) {
      if (error instanceof BackendError && error.code === 'not-found') return null;
      throw error;
    }
  }

  async jobInfo(uri: string, domain: string): Promise<DomJobInfo> {
    const { stdout } = await this.virsh.run(uri, ['domjobinfo', domain]);
    return parseDomJobInfo(stdout);
  }

  /** Whether a job (a migration) is active on the domain. */
  async jobActive(uri: string, domain: string): Promise<boolean> {
    try {
      const info = await this.jobInfo(uri, domain);
      return info.jobType !== 'None' && info.jobType !== 'Completed' && info.jobType !== 'Failed';
    } catch (error) {
      if (error instanceof BackendError && error.code === 'not-found') return false;
      throw error;
    }
  }

  /** Polls until `predicate(state)` holds or `timeoutMs` passes; returns the last state. */
  async waitForState(
    uri: string,
    domain: string,
    predicate: (s: DomainState | null) => boolean,
    timeoutMs: number,
  ): Promise<DomainState | null> {
    const until = Date.now() + timeoutMs;
    let state = await this.state(uri, domain);
    while (!predicate(state) && Date.now() < until) {
      await sleep(this.config.stateIntervalMs);
      state = await this.state(uri, domain);
    }
    return state;
  }

  /** The configured host whose libvirt defines the domain. */
  async findHost(
    domain: string,
  ): Promise<{ hostId: string; uri: string; state: DomainState } | null> {
    const found = await Promise.all(
      Object.entries(this.config.hosts).map(async ([hostId, { uri }]) => {
        const state = await this.state(uri, domain).catch(() => null);
        return state === null ? null : { hostId, uri, state };
      }),
    );
    // Prefer a running copy: after an interrupted migration both hosts may define it.
    return found.find((f) => f?.state === 'running') ?? found.find((f) => f !== null) ?? null;
  }

  /** Powers the domain off; true if it was on. Ignores "not running" and "not found". */
  async destroy(uri: string, domain: string): Promise<boolean> {
    return this.tolerant(() => this.virsh.run(uri, ['destroy', domain]));
  }

  /**
   * Removes the definition; true if there was one. A running domain stays running, transient,
   * until it is destroyed (real virsh does so; remove a guest with destroy first).
   */
  async undefine(uri: string, domain: string): Promise<boolean> {
    return this.tolerant(() => this.virsh.run(uri, ['undefine', domain]));
  }

  /** Starts the domain; false if it was already active ("Domain is already active"). */
  async start(uri: string, domain: string): Promise<boolean> {
    return this.tolerant(() => this.virsh.run(uri, ['start', domain]), ['invalid-state']);
  }

  /** Asks the guest to shut down; false if it was not running (virsh refuses a shut-off one). */
  async shutdown(uri: string, domain: string): Promise<boolean> {
    return this.tolerant(() => this.virsh.run(uri, ['shutdown', domain]), ['invalid-state']);
  }

  /** Resumes a paused domain; false if it was not paused (virsh refuses a running one). */
  async resume(uri: string, domain: string): Promise<boolean> {
    return this.tolerant(() => this.virsh.run(uri, ['resume', domain]), ['invalid-state']);
  }

  private async tolerant(
    call: () => Promise<unknown>,
    codes: readonly string[] = ['not-found', 'invalid-state'],
  ): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof BackendError && codes.includes(error.code)) return false;
      throw error;
    }
  }
}
