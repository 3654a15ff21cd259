// Inventory
export * from './inventory/inventory-view';
export * from './inventory/host-load';
export * from './inventory/group-status';
export * from './inventory/failure-domains';
export * from './inventory/redundancy-posture';
// Placement
export * from './placement/placement.types';
export * from './placement/placement-solver';
// Planning
export * from './planning/plan-intent';
export * from './planning/plan-builder';
export * from './planning/resource-set';
export * from './planning/in-flight';
export * from './planning/action-params';
export * from './planning/capacity-forecast';
export * from './planning/capacity-alarms';
export * from './planning/planning-cells';
// Lifecycle
export * from './lifecycle/lifecycle.types';
export * from './lifecycle/plan-transitions';
export * from './lifecycle/plan-state-machine';
export * from './lifecycle/next-step';
export * from './lifecycle/driver-events';
export * from './lifecycle/operator-commands';
export * from './lifecycle/compensation';
export * from './lifecycle/inventory-effects';
export * from './lifecycle/plan-factory';
export * from './lifecycle/re-placement';
export * from './lifecycle/plan-reason';
export * from './lifecycle/late-arrivals';
export {
  selectReady,
  liveMigrationsBySource,
  instancesOf,
  RunningIndex,
} from './lifecycle/dispatch';
// Conflicts
export * from './conflicts/conflict-policy';
export * from './conflicts/live-claims';
export * from './decisions/cooldown';
export * from './decisions/dispositions';
