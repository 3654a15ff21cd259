// Moved to test/support; kept for plan-ticker.e2e-spec.ts until its import is changed there.
export * from '../../support/engine-with-driver';
