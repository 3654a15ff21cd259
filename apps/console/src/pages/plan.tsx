import { useState } from 'preact/hooks';
import type { TimelineEntryV1 as TimelineEntry } from '../../../../libs/contracts/src/api/plans.api';
import type { ActionV1, PlanV1 } from '../../../../libs/contracts/src/plan.v1';
import { ApiError, get, post } from '../api';
import { Badge, ErrorPanel, Json, ProgressBar, Scroll, Section, when } from '../components/common';
import { type Explanation, ExplanationView } from '../components/explanation';
import { useChanges } from '../live';
import { useLoad, useThrottled } from '../load';
import { describeAction, isMove } from '../plan-summary';
import { href } from '../router';
import { useCan } from '../session';

const APPROVABLE = new Set(['pending_approval']);
const CANCELLABLE = new Set(['pending_approval', 'pending', 'running', 'blocked']);

function ActionItem({ action, act }: { action: ActionV1; act: (path: string) => void }) {
  const canOperate = useCan('operator');
  const label = describeAction(action);
  return (
    <li class="action" aria-label={`Action ${action.seq}: ${label}`}>
      <div class="action-head">
        <span class="seq">{action.seq}</span>
        <span class="what">{label}</span>
        <Badge value={action.state} />
        {action.attempts > 1 && <span class="muted">attempt {action.attempts}</span>}
      </div>
      {action.state === 'running' && isMove(action) && (
        <ProgressBar value={action.progress} label={`Progress of ${label}`} />
      )}
      {action.compensationFor && <div class="muted">undoes an earlier action</div>}
      {action.error && <div class="bad">{action.error}</div>}
      {canOperate && action.state === 'running' && (
        <div class="buttons">
          <button
            type="button"
            class="danger"
            onClick={() => void act(`/v1/actions/${action.id}/abort`)}
          >
            Abort
          </button>
          {action.type === 'live-migrate' && (
            <button
              type="button"
              onClick={() => void act(`/v1/actions/${action.id}/force-complete`)}
            >
              Force complete
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function Timeline({ entries, actions }: { entries: TimelineEntry[]; actions: ActionV1[] }) {
  const seqOf = (id: string | null) => actions.find((a) => a.id === id)?.seq;
  return (
    <ol class="timeline" aria-label="Timeline">
      {entries.map((e) => (
        <li key={e.id}>
          <time dateTime={e.at}>{when(e.at)}</time>{' '}
          {e.actionId ? `action ${seqOf(e.actionId) ?? e.actionId.slice(0, 8)}` : 'plan'}{' '}
          {e.type.endsWith('.state') ? (
            <>
              {e.from ?? '∅'} → <strong>{e.to}</strong>
            </>
          ) : (
            e.type
          )}
          {Object.keys(e.detail ?? {}).length > 0 && (
            <>
              {' '}
              <Json value={e.detail} />
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

export function PlanPage({ id }: { id: string }) {
  const canOperate = useCan('operator');
  const [failure, setFailure] = useState<ApiError | null>(null);
  const plan = useLoad(() => get<PlanV1>(`/v1/plans/${encodeURIComponent(id)}`), [id]);
  const events = useLoad(
    () => get<{ items: TimelineEntry[] }>(`/v1/plans/${encodeURIComponent(id)}/events?limit=1000`),
    [id],
  );
  const refresh = useThrottled(() => {
    plan.reload();
    events.reload();
  }, 300);
  useChanges((change) => plan.data && change.plans.includes(plan.data.id) && refresh());

  const act = async (path: string) => {
    try {
      await post(path, {});
      setFailure(null);
    } catch (error) {
      setFailure(error as ApiError);
    }
    refresh();
  };

  if (plan.error) return <ErrorPanel error={plan.error} />;
  const p = plan.data;
  if (!p) return <p>Loading…</p>;
  return (
    <>
      <h1>
        Plan <code>{p.id.slice(0, 8)}</code> <Badge value={p.state} />
      </h1>
      <dl class="facts">
        <dt>Policy</dt>
        <dd>
          {p.policy} ({p.mode})
        </dd>
        <dt>Target</dt>
        <dd>
          {p.target.kind} {p.target.id}
        </dd>
        <dt>Rule</dt>
        <dd>
          {p.trigger.rule} v{p.trigger.ruleVersion}
        </dd>
        <dt>Alarm</dt>
        <dd>
          <a href={href('alarms', p.target.id)}>{p.trigger.alarmId}</a> ({p.trigger.source})
        </dd>
        <dt>Created</dt>
        <dd>{when(p.createdAt)}</dd>
        <dt>Finished</dt>
        <dd>{when(p.finishedAt)}</dd>
        {p.reason && (
          <>
            <dt>Reason</dt>
            <dd class="reason">{p.reason}</dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{p.id}</code>
        </dd>
      </dl>
      {canOperate && (APPROVABLE.has(p.state) || CANCELLABLE.has(p.state)) && (
        <div class="buttons">
          {APPROVABLE.has(p.state) && (
            <button
              type="button"
              class="primary"
              onClick={() => void act(`/v1/plans/${p.id}/approve`)}
            >
              Approve
            </button>
          )}
          {CANCELLABLE.has(p.state) && (
            <button
              type="button"
              class="danger"
              onClick={() => void act(`/v1/plans/${p.id}/cancel`)}
            >
              Cancel
            </button>
          )}
        </div>
      )}
      {failure && <ErrorPanel error={failure} />}
      <Section title="Actions">
        {p.actions.length ? (
          <ol class="actions" aria-label="Actions">
            {[...p.actions]
              .sort((a, b) => a.seq - b.seq)
              .map((a) => (
                <ActionItem key={a.id} action={a} act={(path) => void act(path)} />
              ))}
          </ol>
        ) : (
          <p class="muted">No actions.</p>
        )}
      </Section>
      <Section title="Explanation">
        <ExplanationView explanation={p.explanation as Explanation} />
      </Section>
      <Section title="Timeline">
        {events.error && <ErrorPanel error={events.error} />}
        <Scroll>
          {events.data && <Timeline entries={events.data.items} actions={p.actions} />}
        </Scroll>
      </Section>
    </>
  );
}
