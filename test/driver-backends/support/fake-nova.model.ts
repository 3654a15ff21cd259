/** The cloud behind the fake Nova: servers, compute services and live migrations, stepped per read. */
import { randomUUID } from 'node:crypto';

export interface FakeServer {
  id: string;
  status: string;
  host: string;
  task: string | null;
  fault?: string;
}
export interface FakeMigration {
  id: number;
  uuid: string;
  server: string;
  status: string;
  source_compute: string;
  dest_compute: string;
  step: number;
  forced: boolean;
}
export interface FakeService {
  id: string;
  binary: 'nova-compute';
  host: string;
  zone: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  forced_down: boolean;
  disabled_reason: string | null;
}

const MEMORY = 2 * 1024 ** 3;
const err = (code: number, kind: string, message: string) => ({ [kind]: { code, message } });

export const novaError = err;

export class FakeNovaCloud {
  readonly servers: Record<string, FakeServer> = {};
  readonly services: FakeService[] = [];
  readonly migrations: FakeMigration[] = [];
  /** `ok` | `fail` (rolled back half-way) | `hang` (never converges until forced or aborted). */
  liveMode: 'ok' | 'fail' | 'hang' = 'ok';
  steps = 5;
  private nextMigration = 1;

  addServer(id: string, host: string, status = 'ACTIVE'): void {
    this.servers[id] = { id, host, status, task: null };
  }

  addComputeService(host: string): FakeService {
    const service: FakeService = {
      id: randomUUID(),
      binary: 'nova-compute',
      host,
      zone: 'nova',
      status: 'enabled',
      state: 'up',
      forced_down: false,
      disabled_reason: null,
    };
    this.services.push(service);
    return service;
  }

  /** Every issued token stops working, as when Keystone tokens expire. */

  protected action(
    s: FakeServer,
    body: Record<string, Record<string, unknown> | null>,
  ): [number, unknown] {
    const [name, args] = Object.entries(body)[0];
    const busy = () =>
      [
        409,
        err(
          409,
          'conflictingRequest',
          `Cannot '${name}' instance ${s.id} while it is in task_state ${s.task}`,
        ),
      ] as [number, unknown];
    switch (name) {
      case 'os-migrateLive': {
        if (s.task) return busy();
        s.task = 'migrating';
        s.status = 'MIGRATING';
        this.migrations.push({
          id: this.nextMigration++,
          uuid: randomUUID(),
          server: s.id,
          status: 'running',
          source_compute: s.host,
          dest_compute: String(args!.host),
          step: 0,
          forced: false,
        });
        return [202, undefined];
      }
      case 'migrate':
        if (s.task) return busy();
        Object.assign(s, {
          task: 'resize_prep',
          status: 'RESIZE',
          target: args!.host,
          was: s.status,
        });
        return [202, undefined];
      case 'confirmResize':
        if (s.status !== 'VERIFY_RESIZE')
          return [409, err(409, 'conflictingRequest', 'not in VERIFY_RESIZE')];
        s.status = (s as unknown as { was: string }).was;
        return [204, undefined];
      case 'revertResize':
        Object.assign(s, { status: 'REVERT_RESIZE', task: 'resize_reverting' });
        return [202, undefined];
      case 'evacuate': {
        const svc = this.services.find((x) => x.host === s.host);
        if (svc?.state === 'up')
          return [
            409,
            err(409, 'conflictingRequest', `Compute service of ${s.host} is still in use.`),
          ];
        Object.assign(s, { task: 'rebuilding', status: 'REBUILD', target: args!.host });
        return [200, {}];
      }
      case 'reboot':
      case 'os-start':
        if (s.task) return busy();
        s.task = name === 'reboot' ? 'rebooting_hard' : 'powering-on';
        return [202, undefined];
      default:
        return [400, err(400, 'badRequest', `unknown action ${name}`)];
    }
  }

  /** One step of whatever the server is doing. */
  protected advance(s: FakeServer & { target?: string }): void {
    const mig = this.migrations.find((x) => x.server === s.id && x.status === 'running');
    if (mig) {
      if (mig.forced) return this.endMigration(mig, 'completed');
      if (this.liveMode === 'fail' && mig.step >= this.steps / 2)
        return this.endMigration(mig, 'error');
      if (this.liveMode !== 'hang' || mig.step < 1) mig.step += 1;
      if (mig.step >= this.steps) this.endMigration(mig, 'completed');
      return;
    }
    const next: Record<string, string | null> = {
      resize_prep: 'resize_migrating',
      resize_migrating: 'resize_migrated',
      resize_migrated: 'resize_finish',
    };
    if (s.task && s.task in next) s.task = next[s.task];
    else if (s.task === 'resize_finish')
      Object.assign(s, { task: null, status: 'VERIFY_RESIZE', host: s.target });
    else if (s.task === 'resize_reverting')
      Object.assign(s, { task: null, status: (s as unknown as { was: string }).was });
    else if (s.task === 'rebuilding')
      Object.assign(s, { task: null, status: 'ACTIVE', host: s.target });
    else if (s.task === 'rebooting_hard' || s.task === 'powering-on')
      Object.assign(s, { task: null, status: 'ACTIVE' });
  }

  protected endMigration(mig: FakeMigration, status: string): void {
    const s = this.servers[mig.server];
    mig.status = status;
    Object.assign(s, {
      task: null,
      status: 'ACTIVE',
      host: status === 'completed' ? mig.dest_compute : mig.source_compute,
    });
    if (status === 'error') s.fault = 'Live migration failed: destination refused the memory';
  }

  protected serverBody(s: FakeServer) {
    return {
      id: s.id,
      name: s.id,
      status: s.status,
      'OS-EXT-SRV-ATTR:host': s.host,
      'OS-EXT-STS:task_state': s.task,
      ...(s.status === 'ERROR' && s.fault ? { fault: { code: 500, message: s.fault } } : {}),
    };
  }

  protected migrationBody(m: FakeMigration) {
    const done = Math.min(1, m.step / this.steps);
    return {
      id: m.id,
      uuid: m.uuid,
      server_uuid: m.server,
      status: m.status,
      source_compute: m.source_compute,
      dest_compute: m.dest_compute,
      memory_total_bytes: MEMORY,
      memory_processed_bytes: Math.round(MEMORY * done),
      memory_remaining_bytes: Math.round(MEMORY * (1 - done)),
      disk_total_bytes: 0,
      disk_processed_bytes: 0,
      disk_remaining_bytes: 0,
    };
  }
}
