import { ConfigError } from '@reflex/common';

/** The `libvirt` section of the driver's backends file (DRIVER_BACKENDS_FILE). */
export interface LibvirtConfig {
  /** The virsh binary; a bare name is looked up on PATH. */
  virshPath: string;
  /** Reflex host id → libvirt connection URI, e.g. `qemu+ssh://cmp-01/system`. */
  hosts: Record<string, { uri: string }>;
  /** Instance id → domain name, where they differ; otherwise the instance id is the domain. */
  domains: Record<string, string>;
  /** Start live migrations with `--postcopy`, so force-complete can switch to post-copy. */
  postcopy: boolean;
  /** Without post-copy, force-complete raises the allowed downtime to this (ms). */
  forceCompleteMaxDowntimeMs: number;
  /** Timeout for every short virsh call (domstate, domjobinfo, start...). */
  commandTimeoutMs: number;
  /** Cold migration: how long a guest gets to shut down cleanly before it is destroyed. */
  shutdownTimeoutMs: number;
  /** How often domain state is re-read while waiting for it to change. */
  stateIntervalMs: number;
}

type Obj = Record<string, unknown>;

export function parseLibvirtConfig(raw: unknown, source = 'libvirt'): LibvirtConfig {
  const problems: string[] = [];
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Obj;
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const v = r[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
    }
    return v as number;
  };
  const hosts: LibvirtConfig['hosts'] = {};
  const rawHosts = (r.hosts ?? {}) as Obj;
  for (const [id, h] of Object.entries(rawHosts)) {
    const uri = (h as Obj | null)?.uri;
    if (typeof uri !== 'string' || !/^[a-z0-9+]+:\/\//i.test(uri)) {
      problems.push(`hosts.${id}.uri must be a libvirt URI such as qemu+ssh://host/system`);
    } else hosts[id] = { uri };
  }
  const domains = (r.domains ?? {}) as Record<string, unknown>;
  if (Object.values(domains).some((d) => typeof d !== 'string' || d.startsWith('-'))) {
    problems.push('domains must map instance ids to domain names not starting with "-"');
  }
  if (r.virshPath !== undefined && (typeof r.virshPath !== 'string' || !r.virshPath)) {
    problems.push('virshPath must be a path');
  }
  const config: LibvirtConfig = {
    virshPath: (r.virshPath as string | undefined) ?? 'virsh',
    hosts,
    domains: domains as Record<string, string>,
    postcopy: r.postcopy === true,
    forceCompleteMaxDowntimeMs: num('forceCompleteMaxDowntimeMs', 5000, 1, 600_000),
    commandTimeoutMs: num('commandTimeoutMs', 30_000, 100, 600_000),
    shutdownTimeoutMs: num('shutdownTimeoutMs', 120_000, 0, 3_600_000),
    stateIntervalMs: num('stateIntervalMs', 1000, 10, 60_000),
  };
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config;
}
