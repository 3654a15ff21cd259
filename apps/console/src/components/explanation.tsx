import type { ConditionResult } from '../../../../libs/rules/src/rule-explanation';
import { Json } from './common';

export type { ConditionResult };

interface Verdict {
  hostId: string;
  accepted: boolean;
  reasons: Array<{ code: string; message: string }>;
  loadAfter?: number;
}

interface Placement {
  ok: boolean;
  instanceId: string;
  fromHostId: string | null;
  hostId?: string;
  reason?: string;
  candidates: Verdict[];
  omitted?: { accepted: number; rejected: number };
}

export interface Explanation {
  rule?: { name: string; version: number | string; hash: string };
  alarm?: { id: string; source: string; type: string };
  params?: Record<string, unknown>;
  /** The rule engine's account (engine rules/plan-intent.ts). */
  decision?: {
    reason?: string;
    conditions?: ConditionResult[];
    passedOver?: Array<{ rule: { name: string }; why: string }>;
  } | null;
  placements?: Placement[];
  notes?: string[];
  checks?: string[];
}

const mark = (r: boolean | null) => (r === null ? 'not evaluated' : r ? 'true' : 'false');

export function Conditions({
  conditions,
  label,
}: {
  conditions: ConditionResult[];
  label: string;
}) {
  return (
    <div class="scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Condition</th>
            <th scope="col">Fact value</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {conditions.map((c) => (
            <tr key={c.at}>
              <td>
                <code>
                  {c.fact}
                  {c.path && c.path !== '$' ? c.path.slice(1) : ''}
                </code>{' '}
                {c.negated ? 'not ' : ''}
                {c.operator} <Json value={c.value} />
                {c.valueResult !== undefined && (
                  <>
                    {' '}
                    (= <Json value={c.valueResult} />)
                  </>
                )}
              </td>
              <td>
                <Json value={c.factValue} />
              </td>
              <td class={c.result === null ? 'muted' : c.result !== c.negated ? 'ok' : 'bad'}>
                {mark(c.result)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PlacementView({ placement }: { placement: Placement }) {
  const refused = placement.candidates.filter((c) => !c.accepted).length;
  return (
    <li>
      <strong>{placement.instanceId}</strong> from {placement.fromHostId ?? '—'}:{' '}
      {placement.ok ? (
        <>
          placed on <strong>{placement.hostId}</strong>
        </>
      ) : (
        <span class="bad">not placed: {placement.reason}</span>
      )}
      <details>
        <summary>
          {placement.candidates.length} candidates, {refused} refused
          {placement.omitted
            ? ` (${placement.omitted.accepted + placement.omitted.rejected} more not listed)`
            : ''}
        </summary>
        <div class="scroll">
          <table aria-label={`Candidates for ${placement.instanceId}`}>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Verdict</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {placement.candidates.map((c) => (
                <tr key={c.hostId}>
                  <td>{c.hostId}</td>
                  <td class={c.accepted ? 'ok' : 'bad'}>{c.accepted ? 'accepted' : 'refused'}</td>
                  <td>
                    {c.accepted
                      ? c.loadAfter !== undefined
                        ? `load after ${Math.round(c.loadAfter * 100)}%`
                        : ''
                      : c.reasons.map((r) => r.message).join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </li>
  );
}

/** Why a plan is what it is: the rule, its conditions with the facts seen, each placement. */
export function ExplanationView({ explanation }: { explanation: Explanation | null | undefined }) {
  if (!explanation) return <p class="muted">No explanation recorded.</p>;
  const conditions = explanation.decision?.conditions ?? [];
  const passedOver = explanation.decision?.passedOver ?? [];
  return (
    <div class="explanation">
      {explanation.rule && (
        <p>
          Rule <strong>{explanation.rule.name}</strong> version {explanation.rule.version}
          {explanation.alarm && (
            <>
              , for alarm {explanation.alarm.type} <code>{explanation.alarm.id}</code> from{' '}
              {explanation.alarm.source}
            </>
          )}
        </p>
      )}
      {explanation.decision?.reason && <p>{explanation.decision.reason}</p>}
      {conditions.length > 0 && <Conditions conditions={conditions} label="Conditions" />}
      {passedOver.length > 0 && (
        <p class="muted">
          Also fired, not chosen: {passedOver.map((p) => `${p.rule.name} (${p.why})`).join('; ')}
        </p>
      )}
      {!!explanation.placements?.length && (
        <>
          <h3>Placements</h3>
          <ul class="placements">
            {explanation.placements.map((p, i) => (
              <PlacementView key={`${p.instanceId}-${i}`} placement={p} />
            ))}
          </ul>
        </>
      )}
      {!!explanation.checks?.length && (
        <>
          <h3>Checks</h3>
          <ul>
            {explanation.checks.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </>
      )}
      {!!explanation.notes?.length && (
        <>
          <h3>Notes</h3>
          <ul>
            {explanation.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
