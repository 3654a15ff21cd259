import { randomUUID } from 'node:crypto';
import { ValidationError } from '@reflex/common';
import { type AlarmV1, type InventoryV1, validate } from '@reflex/contracts';
import { buildPlan, type PlacementConfig } from '@reflex/domain';
import { evaluateRules, InMemoryFactSource, type LoadedRule, validateRule } from '@reflex/rules';
import { toPlanIntent } from './plan-intent';

/** Everything a dry run needs, as plain data: it crosses into a worker thread. */
export interface DryRunRequest {
  rules: readonly LoadedRule[];
  alarm: AlarmV1;
  /** The live inventory, or one posted with the request: validated here, off the event loop. */
  inventory: { live: InventoryV1 } | { posted: unknown };
  placement: PlacementConfig;
}

/**
 * Longest list a dry run answers with; the rest is counted in `truncated`. A failed host's plan
 * over a large inventory explains every candidate of every move: megabytes nobody reads whole.
 */
export const DRY_RUN_MAX_LIST = 50;

export interface Truncation {
  /** JSON pointer of the list in the answer. */
  path: string;
  total: number;
  kept: number;
}

/** `POST /v1/rules/evaluate`: the rules that fire and the plan that would be made; nothing stored. */
export async function dryRun(request: DryRunRequest) {
  const { alarm } = request;
  const inventory =
    'live' in request.inventory
      ? request.inventory.live
      : field<InventoryV1>('inventory.v1', request.inventory.posted, '/inventory');
  const evaluation = await evaluateRules(request.rules, alarm, new InMemoryFactSource(inventory));
  const plan = evaluation.decision
    ? buildPlan(
        toPlanIntent(evaluation.decision, alarm),
        inventory,
        { reservations: [] },
        { placement: request.placement },
        randomUUID,
      )
    : null;
  const truncated: Truncation[] = [];
  const answer = bounded({ ...evaluation, plan }, '', truncated) as Record<string, unknown>;
  return { ...answer, truncated };
}

/** A misspelt `inventroy` would silently dry-run against the live inventory instead: refused. */
export function refuseUnknownFields(body: object, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  throw new ValidationError(
    `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.join(', ')})`,
    unknown.map((k) => ({ path: `/${k}`, message: `is not a field (known: ${known.join(', ')})` })),
  );
}

/** `value` as a `kind`, or a ValidationError whose paths start at `at` in the request body. */
export function field<T>(kind: 'alarm.v1' | 'inventory.v1', value: unknown, at: string): T {
  const result = validate(kind, value);
  if (!(result instanceof ValidationError)) return result as T;
  const errors = result.errors.map((e) => ({ path: `${at}${e.path}`, message: e.message }));
  throw new ValidationError(
    `invalid ${at.slice(1)}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}

/**
 * The `rule` of a dry run (CONTRACT §8) as if it were loaded: a 400 naming each problem under
 * `/rule`. Outside the rules directory it has no version history, so its declared version or 1.
 */
export function candidateRule(input: unknown): LoadedRule {
  const result = validateRule(input);
  if (!result.ok) {
    const errors = result.errors.map((e) => ({ path: `/rule${e.pointer}`, message: e.message }));
    throw new ValidationError(
      `invalid rule: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return {
    name: result.rule.name,
    version: result.rule.version ?? 1,
    hash: result.hash,
    file: '(request)',
    enabled: result.rule.enabled !== false,
    definition: result.rule,
    loadedAt: new Date().toISOString(),
  };
}

/** A copy of `value` with every list cut to DRY_RUN_MAX_LIST items, each cut recorded. */
function bounded(value: unknown, path: string, truncated: Truncation[]): unknown {
  if (Array.isArray(value)) {
    if (value.length > DRY_RUN_MAX_LIST) {
      truncated.push({ path, total: value.length, kept: DRY_RUN_MAX_LIST });
    }
    return value
      .slice(0, DRY_RUN_MAX_LIST)
      .map((item, i) => bounded(item, `${path}/${i}`, truncated));
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, bounded(item, `${path}/${key}`, truncated)]),
  );
}
