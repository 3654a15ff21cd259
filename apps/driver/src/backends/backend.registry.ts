/**
 * The driver's backends file (DRIVER_BACKENDS_FILE, YAML or JSON) and the backends it makes.
 *
 *   simulator: { bandwidthMbps: 1000, dirtyRateMbps: 0, timedOperationMs: 0 }
 *   libvirt:
 *     virshPath: /usr/bin/virsh
 *     hosts: { cmp-01: { uri: 'qemu+ssh://cmp-01/system' } }
 *   openstack:
 *     authUrl: https://keystone.example:5000/v3
 *     username: reflex
 *     passwordEnv: REFLEX_OS_PASSWORD
 *     projectName: admin
 *
 * A section left out means that backend is off; the simulator is always available.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@reflex/common';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import { parse as parseYaml } from 'yaml';
import { unsupported } from './backend.errors';
import type { Backend } from './backend.port';
import { LibvirtBackend } from './libvirt/libvirt.backend';
import { parseLibvirtConfig, type LibvirtConfig } from './libvirt/libvirt.config';
import { OpenStackBackend } from './openstack/openstack.backend';
import { parseOpenStackConfig, type OpenStackConfig } from './openstack/openstack.config';
import { SimulatorBackend } from './simulator/simulator.backend';
import type { SimSettings } from './simulator/simulator.state';
import type { SimulatorStore } from './simulator/simulator.store';

export interface BackendsConfig {
  simulator: Partial<SimSettings>;
  libvirt: LibvirtConfig | null;
  openstack: OpenStackConfig | null;
}

type Obj = Record<string, unknown>;

export function parseBackendsConfig(
  doc: unknown,
  env: Record<string, string | undefined> = process.env,
  source = 'backends',
): BackendsConfig {
  const d = (doc ?? {}) as Obj;
  if (typeof d !== 'object' || Array.isArray(d))
    throw new ConfigError(`${source}: must be an object`);
  const unknown = Object.keys(d).filter((k) => !['simulator', 'libvirt', 'openstack'].includes(k));
  if (unknown.length > 0)
    throw new ConfigError(`${source}: unknown backend(s) ${unknown.join(', ')}`);
  const sim = (d.simulator ?? {}) as Obj;
  const simulator: Partial<SimSettings> = {};
  for (const key of ['bandwidthMbps', 'dirtyRateMbps', 'timedOperationMs'] as const) {
    const v = sim[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || v < 0)
      throw new ConfigError(`${source}: simulator.${key} must be >= 0`);
    simulator[key] = v;
  }
  return {
    simulator,
    libvirt: d.libvirt ? parseLibvirtConfig(d.libvirt, `${source}: libvirt`) : null,
    openstack: d.openstack ? parseOpenStackConfig(d.openstack, env, `${source}: openstack`) : null,
  };
}

export async function loadBackendsConfig(path: string | null): Promise<BackendsConfig> {
  if (!path) return parseBackendsConfig({});
  try {
    return parseBackendsConfig(parseYaml(await readFile(path, 'utf8')), process.env, path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`backends file ${path}: ${(error as Error).message}`);
  }
}

/** One backend per kind; the executor picks by the action's hosts' `driver`. */
export class BackendRegistry {
  readonly simulator: SimulatorBackend;
  private readonly backends: Partial<Record<DriverBackend, Backend>>;

  constructor(config: BackendsConfig, simulatorStore: SimulatorStore, clock?: () => number) {
    this.simulator = new SimulatorBackend(simulatorStore, clock);
    this.backends = {
      simulator: this.simulator,
      ...(config.libvirt ? { libvirt: new LibvirtBackend(config.libvirt) } : {}),
      ...(config.openstack ? { openstack: new OpenStackBackend(config.openstack) } : {}),
    };
  }

  get(kind: DriverBackend): Backend {
    const backend = this.backends[kind];
    if (!backend) throw unsupported(kind, 'run: it is not configured in DRIVER_BACKENDS_FILE');
    return backend;
  }

  async close(): Promise<void> {
    for (const backend of Object.values(this.backends)) await backend.close?.();
  }
}
