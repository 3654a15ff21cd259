export * from './rule.types';
export { canonicalJson, ruleHash } from './canonical-json';
export { MAX_CONDITION_DEPTH, MAX_DOCUMENT_DEPTH } from './condition-checks';
export { BUILT_IN_OPERATORS, OPERATOR_DECORATORS, OPERATORS, REFLEX_OPERATORS } from './operators';
export { parseSimplePath, resolveSimplePath } from './simple-path';
export {
  MAX_RULE_FILE_BYTES,
  RULE_FILE_SUFFIX,
  ruleSchema,
  validateRule,
  validateRuleText,
  type RuleValidation,
  type RuleValidationOptions,
} from './rule-validator';
export { listRuleFiles, readRuleFile, type RuleFileRead } from './rule-file-reader';
export { RuleVersionHistory, type RuleVersionKey } from './rule-version-history';
export {
  RuleSet,
  type RuleFileResult,
  type RuleFileStatus,
  type RuleReloadReport,
  type RuleSetEvent,
  type RuleSetListener,
  type RuleSetOptions,
  type RuleVersionRecord,
  type RuleVersionSink,
} from './rule-set';
export type { FactSource, HostLoad, MaintenanceWindow } from './facts/fact-source';
export {
  reportsHostDown,
  zoneLosses,
  ZONE_LOSS_WINDOW_SECONDS,
  type ZoneLosses,
} from './facts/zone-losses';
export { InMemoryFactSource, type InMemoryFactSourceOptions } from './facts/in-memory-fact-source';
export { normalizeAlarm, type AlarmFact, type NowFact } from './facts/alarm-facts';
export {
  closestMiss,
  describeCondition,
  describeWhyNot,
  type ClosestMiss,
  type ConditionMiss,
  type ConditionResult,
  type RuleOutcome,
} from './rule-explanation';
export {
  RuleEvaluator,
  evaluateRules,
  type DryRunInput,
  type EvaluateOptions,
  type Evaluation,
  type RuleIntent,
} from './rule-evaluator';
export {
  fixtureGaps,
  runFixture,
  runFixtures,
  type FixtureExpectation,
  type FixtureResult,
  type RuleFixture,
} from './rule-fixtures';
