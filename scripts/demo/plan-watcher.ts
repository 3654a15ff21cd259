import type { ActionV1, PlanV1 } from '@reflex/contracts/plan.v1';
import { FINAL_PLAN_STATES } from '@reflex/contracts/plan.v1';
import type { ReflexClient, RunningAction, TimelineEntry } from './reflex-client';
import type { Terminal } from './terminal';

interface Watched {
  plan: PlanV1;
  lastEntryId?: string;
  finished: boolean;
}

const POLL_MS = 250;

/** "live-migrate app-04 cmp-02 → cmp-01", "switch-over db: db-2 → db-3", ... */
export function describeAction(action: Pick<ActionV1, 'type' | 'params'>): string {
  const p = action.params as unknown as Record<string, string>;
  switch (action.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate':
      return `${action.type} ${p.instanceId} ${p.fromHostId} → ${p.toHostId}`;
    case 'switch-over':
      return `switch-over ${p.groupId}: ${p.fromInstanceId} → ${p.toInstanceId}`;
    case 'set-host-status':
      return `set-host-status ${p.hostId} → ${p.status}`;
    case 'fence-host':
      return `fence-host ${p.hostId}`;
    case 'recover-instance':
      return `recover-instance ${p.instanceId}`;
    case 'notify':
      return `notify: ${p.message}`;
  }
}

export interface WatchOptions {
  /** Plans created since then (ISO-8601) are followed as they appear. */
  since?: string;
  /** Time zero of the "+1.2s" column (epoch ms). */
  started: number;
  /** Called for each entry after it is printed, e.g. to explain a fail path. */
  onEntry?: (entry: TimelineEntry, action: ActionV1 | undefined) => Promise<void>;
  /** One entry as printed; by default the line `format` writes (`reflex plan watch --json` prints JSON). */
  format?: (plan: PlanV1, entry: TimelineEntry, action: ActionV1 | undefined) => string;
  /** Whether the followed plans' running live migrations are shown on the status line (default yes). */
  progress?: boolean;
}

/**
 * Follows plans as they happen: every new timeline entry of every plan created since `since` is
 * printed once, in order; the running live migrations are shown on the status line.
 */
export class PlanWatcher {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private lastError = '';

  constructor(
    private readonly client: ReflexClient,
    private readonly term: Terminal,
    private readonly options: WatchOptions,
  ) {}

  /** Follows this plan too (with `since` unset, only the plans given here are followed). */
  watch(plan: PlanV1): void {
    if (!this.watched.has(plan.id)) this.watched.set(plan.id, { plan, finished: false });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch((error: unknown) => this.report(error))
        .finally(() => (this.polling = null));
    }, POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    this.term.setStatus('');
  }

  /** Resolves with the plan once it is final and its whole timeline has been printed. */
  async finished(planId: string, timeoutMs: number): Promise<PlanV1> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const w = this.watched.get(planId);
      if (w?.finished) return w.plan;
      if (Date.now() > deadline) {
        throw new Error(`plan ${planId} did not finish within ${timeoutMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== this.lastError) this.term.line(this.term.color('red', `(poll: ${message})`));
    this.lastError = message;
  }

  /** Prints what happened since the last poll (`start` calls it every 250 ms). */
  async poll(): Promise<void> {
    if (this.options.since) {
      for (const plan of (await this.client.plansSince(this.options.since)).reverse()) {
        this.watch(plan);
      }
    }
    for (const w of this.watched.values()) {
      if (!w.finished) await this.follow(w);
    }
    if (this.options.progress === false) return;
    const running = await this.client.runningMigrations();
    this.term.setStatus(this.progress(running.filter((a) => this.watched.has(a.planId))));
  }

  private async follow(w: Watched): Promise<void> {
    const entries = await this.client.timeline(w.plan.id, w.lastEntryId);
    if (entries.length === 0) return;
    // Compensations join a plan as it rolls back: look the plan up again to name them.
    const known = new Set(w.plan.actions.map((a) => a.id));
    if (entries.some((e) => e.actionId && !known.has(e.actionId)) || entries.some(isFinal)) {
      w.plan = await this.client.plan(w.plan.id);
    }
    for (const entry of entries) {
      const action = w.plan.actions.find((a) => a.id === entry.actionId);
      this.term.line((this.options.format ?? this.format.bind(this))(w.plan, entry, action));
      await this.options.onEntry?.(entry, action);
      w.lastEntryId = entry.id;
      if (isFinal(entry)) w.finished = true;
    }
  }

  format(plan: PlanV1, e: TimelineEntry, action: ActionV1 | undefined): string {
    const t = this.term;
    const when = t.color(
      'dim',
      `+${((Date.parse(e.at) - this.options.started) / 1000).toFixed(1)}s`,
    );
    const tag = t.color('cyan', plan.id.slice(0, 8));
    const state = (s: string | null) =>
      s === 'succeeded' || s === 'rolled_back'
        ? t.color('green', s)
        : s === 'failed' || s === 'blocked' || s === 'aborted'
          ? t.color('red', s)
          : (s ?? '');
    if (e.type === 'plan.state' && e.from === null) {
      const trigger = plan.trigger;
      return `${when.padEnd(8)} ${tag} plan ${plan.policy} of ${plan.target.kind} ${plan.target.id} (rule ${trigger.rule}, ${plan.actions.length} actions): ${state(e.to)}`;
    }
    if (e.type === 'plan.state') {
      const reason =
        plan.reason && FINAL_PLAN_STATES.includes(plan.state) ? ` — ${plan.reason}` : '';
      return `${when.padEnd(8)} ${tag} plan ${state(e.from)} → ${state(e.to)}${reason}`;
    }
    const what = action
      ? `#${action.seq} ${action.compensationFor ? 'undo: ' : ''}${describeAction(action)}`
      : (e.actionId ?? '');
    const d = e.detail;
    const extra =
      typeof d.retry === 'number'
        ? ` (retry as attempt ${d.retry})`
        : typeof d.error === 'string'
          ? ` (attempt ${String(d.attempt)}: ${d.error})`
          : typeof d.reason === 'string'
            ? ` (${d.reason})`
            : '';
    if (e.type === 'action.state') {
      return `${when.padEnd(8)} ${tag}   ${what}: ${state(e.to)}${extra}`;
    }
    return `${when.padEnd(8)} ${tag}   ${what}: ${e.type.replace('.', ' ')} ${e.to ?? ''}${extra}`;
  }

  private progress(running: RunningAction[]): string {
    if (running.length === 0) return '';
    const parts = running
      .sort((a, b) => a.seq - b.seq)
      .map((a) => {
        const p = a.params as unknown as Record<string, string>;
        const attempt = a.attempts > 1 ? ` attempt ${a.attempts}` : '';
        return `${p.instanceId} ${p.fromHostId}→${p.toHostId} ${progressBar(a.progress)} ${String(a.progress).padStart(3)}%${attempt}`;
      });
    return `${this.term.color('yellow', 'live migrations')}  ${parts.join('   ')}`;
  }
}

/** "███████░░░" for 70 (percent), ten cells. */
export function progressBar(percent: number): string {
  const full = Math.max(0, Math.min(10, Math.round(percent / 10)));
  return `${'█'.repeat(full)}${'░'.repeat(10 - full)}`;
}

function isFinal(entry: TimelineEntry): boolean {
  return entry.type === 'plan.state' && FINAL_PLAN_STATES.includes(entry.to as never);
}
