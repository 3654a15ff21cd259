import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EnvReader } from '@reflex/config';

/**
 * The driver's replica and lease settings. They sit beside `DriverConfig` (libs/config) because
 * only the driver reads them; both are validated once at start-up, with the variable's name in
 * any error.
 */
export interface DriverSettings {
  /**
   * This replica's name in `driver_actions.owner`. Defaults to a fresh name per process, so a
   * restarted process takes its predecessor's actions over once their leases expire. Set it to a
   * name that is stable across restarts and unique among live replicas (a StatefulSet pod name)
   * and a restart takes them over at once; two live replicas must never share it.
   */
  replicaId: string;
  /** How long an action stays with its replica without a heartbeat (renewed every third of it). */
  leaseMs: number;
  /** After a deadline, how long to wait for the backend to confirm the abort. */
  abortGraceMs: number;
}

export const DRIVER_SETTINGS = Symbol('DRIVER_SETTINGS');

type Env = Record<string, string | undefined>;

export function loadDriverSettings(source: Env = process.env): Readonly<DriverSettings> {
  const env = new EnvReader(source);
  const replicaId = env.string(
    'DRIVER_REPLICA_ID',
    `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  if (replicaId.length > 200) env.problem('DRIVER_REPLICA_ID must be at most 200 characters');
  return env.done<DriverSettings>({
    replicaId,
    leaseMs: env.int('DRIVER_LEASE_MS', 15_000, { min: 300, max: 600_000 }),
    abortGraceMs: env.int('DRIVER_ABORT_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
  });
}
