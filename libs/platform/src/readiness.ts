/** A dependency `/readyz` reports on: the database, the message bus. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
  /** What an operator needs to see when the check fails (which consumer is down, since when). */
  detail?(): unknown;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
