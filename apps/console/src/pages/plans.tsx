import { useState } from 'preact/hooks';
import { POLICIES, PLAN_STATES, type PlanV1 } from '../../../../libs/contracts/src/plan.v1';
import { ApiError, get, post, query } from '../api';
import { Badge, CardTable, ErrorPanel, ProgressBar, when } from '../components/common';
import { useChanges } from '../live';
import { useLoad, useThrottled } from '../load';
import { isStormHeld, planProgress, STORM_PREFIX } from '../plan-summary';
import { href } from '../router';
import { useCan } from '../session';

interface Filters {
  state: string;
  policy: string;
  resource: string;
}

interface BulkAnswer {
  approved: number;
  items: Array<{ planId: string; outcome: string; error?: { message: string } }>;
}

function FilterBar({ filters, set }: { filters: Filters; set: (f: Filters) => void }) {
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      <label>
        State
        <select
          value={filters.state}
          onChange={(e) => set({ ...filters, state: e.currentTarget.value })}
        >
          <option value="">any</option>
          {PLAN_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Policy
        <select
          value={filters.policy}
          onChange={(e) => set({ ...filters, policy: e.currentTarget.value })}
        >
          <option value="">any</option>
          {POLICIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Resource
        <input
          type="search"
          placeholder="host or instance id"
          value={filters.resource}
          onChange={(e) => set({ ...filters, resource: e.currentTarget.value.trim() })}
        />
      </label>
    </form>
  );
}

export function PlansPage() {
  const [filters, setFilters] = useState<Filters>({ state: '', policy: '', resource: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<string | ApiError | null>(null);
  const canOperate = useCan('operator');
  const plans = useLoad(
    () => get<{ items: PlanV1[] }>(`/v1/plans${query({ ...filters, limit: 50 })}`),
    [filters.state, filters.policy, filters.resource],
  );
  const refresh = useThrottled(plans.reload, 500);
  useChanges((change) => change.plans.length && refresh());

  const approve = async (body: unknown) => {
    try {
      const answer = await post<BulkAnswer>('/v1/plans/approve', body);
      const refused = answer.items.filter((i) => i.outcome !== 'approved');
      setOutcome(
        `${answer.approved} approved` +
          (refused.length
            ? `; refused: ${refused.map((i) => `${i.planId.slice(0, 8)} ${i.outcome}`).join(', ')}`
            : ''),
      );
      setSelected(new Set());
      plans.reload();
    } catch (error) {
      setOutcome(error as ApiError);
    }
  };
  const items = plans.data?.items ?? [];
  const stormHeld = items.filter(isStormHeld).length;
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    setSelected(next);
  };

  return (
    <>
      <h1>Plans</h1>
      <FilterBar filters={filters} set={setFilters} />
      {canOperate && (stormHeld > 0 || selected.size > 0) && (
        <div class="toolbar">
          {stormHeld > 0 && (
            <button type="button" onClick={() => void approve({ reasonPrefix: STORM_PREFIX })}>
              Approve all storm-held plans
            </button>
          )}
          {selected.size > 0 && (
            <button type="button" onClick={() => void approve({ ids: [...selected] })}>
              Approve selected ({selected.size})
            </button>
          )}
        </div>
      )}
      {outcome &&
        (typeof outcome === 'string' ? (
          <p role="status">{outcome}</p>
        ) : (
          <ErrorPanel error={outcome} />
        ))}
      {plans.error && <ErrorPanel error={plans.error} />}
      {plans.data && !items.length && (
        <p>
          No plans
          {filters.state || filters.policy || filters.resource ? ' match these filters' : ' yet'}.
        </p>
      )}
      {items.length > 0 && (
        <CardTable
          label="Plans"
          columns={[
            canOperate && <span class="sr-only">Select</span>,
            'Created',
            'State',
            'Policy',
            'Target',
            'Progress',
            'Reason',
          ]}
        >
          {items.map((p) => (
            <tr key={p.id} data-plan={p.id}>
              {canOperate && (
                <td>
                  {p.state === 'pending_approval' && (
                    <input
                      type="checkbox"
                      aria-label={`Select plan ${p.id.slice(0, 8)}`}
                      checked={selected.has(p.id)}
                      onChange={() => toggle(p.id)}
                    />
                  )}
                </td>
              )}
              <td data-label="Created">
                <a href={href('plans', p.id)}>{when(p.createdAt)}</a>
              </td>
              <td data-label="State">
                <Badge value={p.state} />
              </td>
              <td data-label="Policy">{p.policy}</td>
              <td data-label="Target">
                {p.target.kind} {p.target.id}
              </td>
              <td data-label="Progress">
                <ProgressBar
                  value={planProgress(p)}
                  label={`Progress of plan ${p.id.slice(0, 8)}`}
                />
              </td>
              <td data-label="Reason" class="reason">
                {p.reason && <div class="clamp">{p.reason}</div>}
              </td>
            </tr>
          ))}
        </CardTable>
      )}
    </>
  );
}
