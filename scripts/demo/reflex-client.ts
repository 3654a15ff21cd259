import { ReflexError } from '@reflex/common';
import type {
  ActionListItemV1,
  AlarmV1,
  GroupStatusV1,
  IntakeResponseV1,
  IntakeResultV1,
  InventoryV1,
  PageV1,
  TimelineEntryV1,
} from '@reflex/contracts';
import type { PlanV1 } from '@reflex/contracts/plan.v1';

/** Names the demo's modules have used; the types are the API's own (@reflex/contracts). */
export type TimelineEntry = TimelineEntryV1;
export type IntakeResult = IntakeResultV1;
export type RunningAction = ActionListItemV1;

export interface SimCall {
  seq: number;
  method: 'start' | 'abort' | 'forceComplete' | 'failPath';
  actionId: string;
  attempt: number;
  outcome: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The API answered with an error status; `apiCode` and `apiMessage` are its error body's. */
export class ApiCallError extends ReflexError {
  constructor(
    readonly status: number,
    readonly call: string,
    readonly apiCode: string,
    readonly apiMessage: string,
    details: unknown,
  ) {
    super('API_ERROR', `${call}: ${status} ${apiMessage}`, {
      // 5xx and 429 may pass; a refusal of the request itself will not.
      retriable: status >= 500 || status === 429,
      details,
    });
  }
}

/** No answer at all: nothing listening, a name that does not resolve, a timeout. */
export class UnreachableError extends ReflexError {
  constructor(
    readonly url: string,
    why: string,
    cause: unknown,
  ) {
    super('UNREACHABLE', `cannot reach Reflex at ${url}: ${why}`, { retriable: true, cause });
  }
}

/** The public REST API of one Reflex (engine, and the driver when there is one), as the demo and `reflex` use it. */
export class ReflexClient {
  constructor(
    readonly engineUrl: string,
    private readonly driver: string | null,
    private readonly token?: string,
  ) {}

  get driverUrl(): string {
    if (!this.driver) throw new Error('no driver URL was given');
    return this.driver;
  }

  /** Any engine call: the parsed JSON answer, or ApiCallError / UnreachableError. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call(this.engineUrl, method, path, body);
  }

  private async call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    // Declared even without a body: with AUTH_TOKENS unset a state-changing call must say JSON.
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // An answer takes milliseconds; one that never comes must fail the caller, not hang it.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new UnreachableError(base, whyUnreachable(error), error);
    }
    const text = await response.text();
    if (!response.ok) throw apiError(response.status, `${method} ${path}`, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  inventory(): Promise<InventoryV1> {
    return this.call(this.engineUrl, 'GET', '/v1/inventory');
  }

  async alarm(alarm: AlarmV1): Promise<IntakeResult> {
    const { items } = await this.call<IntakeResponseV1>(
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
    return this.call(this.engineUrl, 'GET', `/v1/plans/${encodeURIComponent(id)}`);
  }

  async plansSince(from: string): Promise<PlanV1[]> {
    const query = new URLSearchParams({ from, limit: '100' });
    return (await this.call<PageV1<PlanV1>>(this.engineUrl, 'GET', `/v1/plans?${query.toString()}`))
      .items;
  }

  /** Timeline entries after the entry `afterId` (all of them without it), oldest first. */
  async timeline(planId: string, afterId?: string): Promise<TimelineEntry[]> {
    const query = new URLSearchParams({ limit: '200' });
    if (afterId) query.set('cursor', Buffer.from(afterId).toString('base64url'));
    const page = await this.call<PageV1<TimelineEntryV1>>(
      this.engineUrl,
      'GET',
      `/v1/plans/${encodeURIComponent(planId)}/events?${query.toString()}`,
    );
    return page.items;
  }

  async runningMigrations(): Promise<RunningAction[]> {
    const query = new URLSearchParams({ type: 'live-migrate', state: 'running', limit: '50' });
    return (
      await this.call<PageV1<ActionListItemV1>>(
        this.engineUrl,
        'GET',
        `/v1/actions?${query.toString()}`,
      )
    ).items;
  }

  groupStatus(groupId: string): Promise<GroupStatusV1> {
    return this.call(this.engineUrl, 'GET', `/v1/groups/${encodeURIComponent(groupId)}/status`);
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

function apiError(status: number, call: string, text: string): ApiCallError {
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON (a proxy's page): the text is the message
  }
  const e = body?.error;
  return typeof e?.message === 'string'
    ? new ApiCallError(status, call, typeof e.code === 'string' ? e.code : '', e.message, e.details)
    : new ApiCallError(status, call, '', text.slice(0, 500), undefined);
}

/** "connection refused", "timed out after 15 s", ...: what fetch's TypeError hides in its cause. */
function whyUnreachable(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the engine running?)';
  if (cause?.code === 'ENOTFOUND') return 'no such host name';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
