import { ConfigError } from '@reflex/common';

/** The `openstack` section of the driver's backends file (DRIVER_BACKENDS_FILE). */
export interface OpenStackConfig {
  /** Keystone v3 base URL, e.g. `https://keystone.example:5000/v3`. */
  authUrl: string;
  username: string;
  /** Resolved from `password` or from the variable named by `passwordEnv` (keeps it out of files). */
  password: string;
  userDomainName: string;
  projectName: string;
  projectDomainName: string;
  /** Catalog endpoint selection. */
  region: string | null;
  interface: 'public' | 'internal' | 'admin';
  /** Skips the catalog: the Nova v2.1 base URL. */
  computeUrl: string | null;
  requestTimeoutMs: number;
  /** How often the fail path re-reads a server while waiting for Nova to settle. */
  settleIntervalMs: number;
  /** How long the fail path waits for Nova to settle (abort, revert resize). */
  settleTimeoutMs: number;
  /** Reflex host id → nova-compute host name, where they differ. */
  hosts: Record<string, string>;
  /** Reflex instance id → Nova server UUID, where they differ. */
  servers: Record<string, string>;
  /** `os-migrateLive` block_migration: `auto` lets Nova decide from the storage. */
  blockMigration: 'auto' | boolean;
}

type Obj = Record<string, unknown>;

export function parseOpenStackConfig(
  raw: unknown,
  env: Record<string, string | undefined> = process.env,
  source = 'openstack',
): OpenStackConfig {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Obj;
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const v = r[name] ?? fallback;
    if (typeof v !== 'string' || v === '') problems.push(`${name} is required`);
    return (v as string) ?? '';
  };
  const url = (name: string, value: unknown): string | null => {
    if (value === undefined || value === null) return null;
    try {
      const u = typeof value === 'string' ? new URL(value) : null;
      if (u && (u.protocol === 'http:' || u.protocol === 'https:')) {
        return (value as string).replace(/\/+$/, '');
      }
    } catch {
      /* reported below */
    }
    problems.push(`${name} must be an http(s) URL`);
    return null;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = r[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
    }
    return v as number;
  };
  const password =
    typeof r.passwordEnv === 'string' ? env[r.passwordEnv] : (r.password as string | undefined);
  if (typeof password !== 'string' || password === '') {
    problems.push('password (or passwordEnv naming a set variable) is required');
  }
  const iface = r.interface ?? 'public';
  if (!['public', 'internal', 'admin'].includes(iface as string)) {
    problems.push('interface must be public, internal or admin');
  }
  const blockMigration = r.blockMigration ?? 'auto';
  if (blockMigration !== 'auto' && typeof blockMigration !== 'boolean') {
    problems.push('blockMigration must be auto, true or false');
  }
  const config: OpenStackConfig = {
    authUrl: url('authUrl', r.authUrl ?? '') ?? '',
    username: str('username'),
    password: password ?? '',
    userDomainName: str('userDomainName', 'Default'),
    projectName: str('projectName'),
    projectDomainName: str('projectDomainName', 'Default'),
    region: typeof r.region === 'string' ? r.region : null,
    interface: iface as OpenStackConfig['interface'],
    computeUrl: url('computeUrl', r.computeUrl),
    requestTimeoutMs: int('requestTimeoutMs', 30_000, 100, 600_000),
    settleIntervalMs: int('settleIntervalMs', 2000, 10, 60_000),
    settleTimeoutMs: int('settleTimeoutMs', 300_000, 0, 3_600_000),
    hosts: { ...((r.hosts ?? {}) as Record<string, string>) },
    servers: { ...((r.servers ?? {}) as Record<string, string>) },
    blockMigration: blockMigration as OpenStackConfig['blockMigration'],
  };
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config;
}
