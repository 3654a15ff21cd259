// Hand-made inventories, intents and small REST helpers for the plan integration specs. The
// topology builders are the domain specs' own.
import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import { UnitOfWork } from '@reflex/persistence';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { PlanState, Policy } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan, PlanIntent } from '@reflex/domain';
import { intent as domainIntent } from '@reflex/domain/testing/topology.fixture';
import { DataSource } from 'typeorm';
import { InventoryService } from '../../../apps/engine/src/inventory/inventory.service';
import {
  type PlanningOutcome,
  PlanningService,
} from '../../../apps/engine/src/planning/planning.service';
import type { TestEngine } from '../../support/engine-app';
import { engineWithDriver, type EngineWithDriver } from '../../support/engine-with-driver';
import { waitFor } from '../../support/wait-for';

export { group, host, inventory, member, vm } from '@reflex/domain/testing/topology.fixture';

/** The domain specs' intent with the rule and alarm these specs send: an alarm per policy and target. */
export const intent = (
  policy: Policy,
  target: ResourceRefV1,
  over: Partial<PlanIntent> = {},
): PlanIntent =>
  domainIntent(policy, target, {
    rule: { name: `${policy}-rule`, version: 1, hash: 'sha256:test' },
    alarm: { id: `alarm-${policy}-${target.id}`, source: 'test', type: 'test.alarm' },
    ...over,
  });

export const hostRef = (id: string): ResourceRefV1 => ({ kind: 'host', id });
export const instanceRef = (id: string): ResourceRefV1 => ({ kind: 'instance', id });

/** Replaces the whole inventory (as PUT /v1/inventory does). */
export function seed(engine: TestEngine, inv: InventoryV1): Promise<void> {
  return engine.app.get(InventoryService).replaceInventory(inv);
}

export function currentInventory(engine: TestEngine): Promise<InventoryV1> {
  return engine.app.get(InventoryService).inventory();
}

/** What intake does: plan inside a transaction of its own. */
export function createPlan(engine: TestEngine, planIntent: PlanIntent): Promise<PlanningOutcome> {
  const planning = engine.app.get(PlanningService);
  return engine.app.get(UnitOfWork).transaction(() => planning.createPlan(planIntent));
}

export interface Response<T = unknown> {
  status: number;
  body: T;
}

export async function call<T = any>(
  engine: { url: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Response<T>> {
  const res = await fetch(`${engine.url}${path}`, {
    method,
    // Declared even without a body: with AUTH_TOKENS unset a state-changing call must say JSON.
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function getPlan(engine: { url: string }, id: string): Promise<ExecutablePlan> {
  const res = await call<ExecutablePlan>(engine, 'GET', `/v1/plans/${id}`);
  if (res.status !== 200)
    throw new Error(`GET plan ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function waitForPlanState(
  engine: { url: string },
  id: string,
  states: PlanState | PlanState[],
  timeoutMs = 30_000,
): Promise<ExecutablePlan> {
  const wanted = Array.isArray(states) ? states : [states];
  let last: PlanState | undefined;
  return waitFor(
    `plan ${id} to be ${wanted.join(' or ')}`,
    async () => {
      const plan = await getPlan(engine, id);
      last = plan.state;
      return wanted.includes(plan.state) ? plan : undefined;
    },
    { timeoutMs },
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last state ${last})`);
  });
}

export interface TimelineItem {
  id: string;
  at: string;
  actionId: string | null;
  type: string;
  from: string | null;
  to: string | null;
  detail: Record<string, unknown>;
  /** The entry's action, named; null on plan lines. */
  action: string | null;
  /** The actions `detail` mentions by id, named. */
  actions: Record<string, string>;
}

export async function timeline(engine: { url: string }, id: string): Promise<TimelineItem[]> {
  const res = await call<{ items: TimelineItem[] }>(
    engine,
    'GET',
    `/v1/plans/${id}/events?limit=1000`,
  );
  return res.body.items;
}

/** Plan states in timeline order. */
export async function planStates(engine: { url: string }, id: string): Promise<string[]> {
  return (await timeline(engine, id)).filter((e) => e.type === 'plan.state').map((e) => e.to!);
}

/**
 * Moves a running action's start and deadline two hours back, as if that much time had passed: its
 * deadline and the engine's grace after it are then long gone, without waiting for them.
 */
export async function agePastDeadline(engine: TestEngine, actionId: string): Promise<void> {
  await engine.app.get(DataSource).query(
    `UPDATE actions SET started_at = started_at - interval '2 hours',
                        deadline = deadline - interval '2 hours' WHERE id = $1`,
    [actionId],
  );
}

/** An engine with the driver stand-in, and the helpers above bound to that engine. */
export interface PlanSpec extends EngineWithDriver {
  seed(inv: InventoryV1): Promise<void>;
  currentInventory(): Promise<InventoryV1>;
  createPlan(planIntent: PlanIntent): Promise<PlanningOutcome>;
  call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response<T>>;
  getPlan(id: string): Promise<ExecutablePlan>;
  waitForPlanState(
    id: string,
    states: PlanState | PlanState[],
    timeoutMs?: number,
  ): Promise<ExecutablePlan>;
  timeline(id: string): Promise<TimelineItem[]>;
  planStates(id: string): Promise<string[]>;
  agePastDeadline(actionId: string): Promise<void>;
}

/** engineWithDriver (call it the same way, at the top of a describe block) with the plan helpers. */
export function planSpec(env: Record<string, string> = {}): PlanSpec {
  const ctx = engineWithDriver(env);
  return {
    get engine() {
      return ctx.engine;
    },
    get driver() {
      return ctx.driver;
    },
    seed: (inv) => seed(ctx.engine, inv),
    currentInventory: () => currentInventory(ctx.engine),
    createPlan: (planIntent) => createPlan(ctx.engine, planIntent),
    call: (method, path, body) => call(ctx.engine, method, path, body),
    getPlan: (id) => getPlan(ctx.engine, id),
    waitForPlanState: (id, states, timeoutMs) =>
      waitForPlanState(ctx.engine, id, states, timeoutMs),
    timeline: (id) => timeline(ctx.engine, id),
    planStates: (id) => planStates(ctx.engine, id),
    agePastDeadline: (actionId) => agePastDeadline(ctx.engine, actionId),
  };
}
