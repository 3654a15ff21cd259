import type { DriverConfig } from '@reflex/config';

/** The driver's replica and lease settings (validated with the rest of DriverConfig). */
export type DriverSettings = Pick<
  DriverConfig,
  'replicaId' | 'leaseMs' | 'abortGraceMs' | 'simulatorRetainMs'
>;

export const DRIVER_SETTINGS = Symbol('DRIVER_SETTINGS');
