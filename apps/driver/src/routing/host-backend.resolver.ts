import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import { BackendError } from '../backends/backend.errors';
import { hostsOf, instancesOf } from '../backends/backend-action';
import type { BackendAction } from '../backends/backend.port';
import type { BackendsConfig } from '../backends/backend.registry';
import type { SimulatedDirectory } from '../backends/simulator/simulator.store';

export type { SimulatedDirectory };

/**
 * Chooses the backend for an action from its hosts (CONTRACT §7 `host.driver`). A command names
 * hosts and instances but not their driver, so the driver answers from what it knows, in order:
 *
 * 1. a host listed under `libvirt.hosts` in the backends file is libvirt (it needs a URI there);
 * 2. a host listed under `openstack.hosts` is openstack;
 * 3. a host the simulated cloud holds (seeded by `PUT /v1/sim/state`) is the simulator's;
 * 4. any other host goes to the default backend: openstack when configured (Nova knows its hosts
 *    by name; the file lists only names that differ), else libvirt, else the simulator, which
 *    refuses unknown hosts with `not-found`.
 *
 * Actions without hosts (switch-over, recover-instance, notify) go to the simulator when it
 * holds their instances or group, else to the default. Every host of one action must agree;
 * a migration between a libvirt and an openstack host is refused, not half-run.
 */
export class HostBackendResolver {
  constructor(
    private readonly config: Pick<BackendsConfig, 'libvirt' | 'openstack'>,
    /** Which of the given ids the simulated cloud holds (`SimulatorStore.holding`). */
    private readonly directory: (wanted: SimulatedDirectory) => Promise<SimulatedDirectory>,
  ) {}

  async resolve(action: BackendAction): Promise<DriverBackend> {
    const [backend] = await this.resolveAll([action]);
    if (backend instanceof BackendError) throw backend;
    return backend;
  }

  /**
   * Each action's backend, or the `BackendError` refusing it, with one look into the simulated
   * cloud for all of them (asking only for the ids they name: it may hold thousands).
   */
  async resolveAll(actions: BackendAction[]): Promise<(DriverBackend | BackendError)[]> {
    const sim = await this.directory({
      hosts: new Set(actions.flatMap(hostsOf)),
      instances: new Set(actions.flatMap(instancesOf)),
      groups: new Set(actions.flatMap((a) => (a.type === 'switch-over' ? [a.params.groupId] : []))),
    });
    return actions.map((action) => this.decide(action, sim));
  }

  private decide(action: BackendAction, sim: SimulatedDirectory): DriverBackend | BackendError {
    const hosts = hostsOf(action);
    if (hosts.length === 0) return this.forHostless(action, sim);
    const kinds = hosts.map((hostId) => [hostId, this.forHost(hostId, sim)] as const);
    const distinct = new Set(kinds.map(([, kind]) => kind));
    if (distinct.size > 1) {
      const which = kinds.map(([hostId, kind]) => `${hostId} is ${kind}`).join(', ');
      return new BackendError('unsupported', `${action.type} across backends: ${which}`, {
        retriable: false,
      });
    }
    return kinds[0][1];
  }

  private forHost(hostId: string, sim: SimulatedDirectory): DriverBackend {
    if (this.config.libvirt?.hosts[hostId]) return 'libvirt';
    if (this.config.openstack && hostId in this.config.openstack.hosts) return 'openstack';
    if (sim.hosts.has(hostId)) return 'simulator';
    return this.fallback();
  }

  private forHostless(action: BackendAction, sim: SimulatedDirectory): DriverBackend {
    const simulated =
      instancesOf(action).some((id) => sim.instances.has(id)) ||
      (action.type === 'switch-over' && sim.groups.has(action.params.groupId));
    return simulated ? 'simulator' : this.fallback();
  }

  private fallback(): DriverBackend {
    if (this.config.openstack) return 'openstack';
    if (this.config.libvirt) return 'libvirt';
    return 'simulator';
  }
}
