import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import type { ActionV1, PlanV1 } from '@reflex/contracts/plan.v1';

export interface TimelineEntry {
  id: string;
  at: string;
  planId: string;
  actionId: string | null;
  type: 'plan.state' | 'action.state' | 'action.command' | 'plan.note';
  from: string | null;
  to: string | null;
  detail: Record<string, unknown>;
}

export interface IntakeResult {
  id: string;
  disposition: string;
  planId: string | null;
  correlatedTo: string | null;
  reason: string;
}

export interface SimCall {
  seq: number;
  method: 'start' | 'abort' | 'forceComplete' | 'failPath';
  actionId: string;
  attempt: number;
  outcome: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

export type RunningAction = ActionV1 & { createdAt: string };

/** The public REST API of one all-in-one Reflex (engine and driver), as the demo uses it. */
export class ReflexClient {
  constructor(
    readonly engineUrl: string,
    readonly driverUrl: string,
    private readonly token?: string,
  ) {}

  private async call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    // Declared even without a body: with AUTH_TOKENS unset a state-changing call must say JSON.
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // An answer takes milliseconds; one that never comes must fail the caller, not hang it.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  inventory(): Promise<InventoryV1> {
    return this.call(this.engineUrl, 'GET', '/v1/inventory');
  }

  async alarm(alarm: AlarmV1): Promise<IntakeResult> {
    const { items } = await this.call<{ items: IntakeResult[] }>(
      this.engineUrl,
      'POST',
      '/v1/alarms',
      alarm,
    );
    return items[0];
  }

  maintenance(hostId: string, reason: string): Promise<IntakeResult> {
    return this.call(this.engineUrl, 'POST', `/v1/hosts/${hostId}/maintenance`, { reason });
  }

  plan(id: string): Promise<PlanV1> {
    return this.call(this.engineUrl, 'GET', `/v1/plans/${id}`);
  }

  async plansSince(from: string): Promise<PlanV1[]> {
    const query = new URLSearchParams({ from, limit: '100' });
    return (
      await this.call<{ items: PlanV1[] }>(this.engineUrl, 'GET', `/v1/plans?${query.toString()}`)
    ).items;
  }

  /** Timeline entries after the entry `afterId` (all of them without it), oldest first. */
  async timeline(planId: string, afterId?: string): Promise<TimelineEntry[]> {
    const query = new URLSearchParams({ limit: '200' });
    if (afterId) query.set('cursor', Buffer.from(afterId).toString('base64url'));
    const page = await this.call<{ items: TimelineEntry[] }>(
      this.engineUrl,
      'GET',
      `/v1/plans/${planId}/events?${query.toString()}`,
    );
    return page.items;
  }

  async runningMigrations(): Promise<RunningAction[]> {
    const query = new URLSearchParams({ type: 'live-migrate', state: 'running', limit: '50' });
    return (
      await this.call<{ items: RunningAction[] }>(
        this.engineUrl,
        'GET',
        `/v1/actions?${query.toString()}`,
      )
    ).items;
  }

  groupStatus(groupId: string): Promise<{ redundant: boolean }> {
    return this.call(this.engineUrl, 'GET', `/v1/groups/${groupId}/status`);
  }

  simState(): Promise<InventoryV1> {
    return this.call(this.driverUrl, 'GET', '/v1/sim/state');
  }

  async simCalls(): Promise<SimCall[]> {
    return (await this.call<{ items: SimCall[] }>(this.driverUrl, 'GET', '/v1/sim/calls')).items;
  }

  failHost(hostId: string): Promise<{ instances: Array<{ id: string }> }> {
    return this.call(this.driverUrl, 'POST', `/v1/sim/hosts/${hostId}/fail`);
  }

  async fault(fault: Record<string, unknown>): Promise<void> {
    await this.call(this.driverUrl, 'POST', '/v1/sim/faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.call(this.driverUrl, 'DELETE', '/v1/sim/faults');
  }
}
