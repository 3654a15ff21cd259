import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ActionV1 } from '../../../../libs/contracts/src/plan.v1';
import { ApiError, get, post } from '../api';
import { Badge, CardTable, ErrorPanel, Section } from '../components/common';
import {
  type ConditionResult,
  Conditions,
  type Explanation,
  ExplanationView,
} from '../components/explanation';
import { useLoad } from '../load';
import { describeAction } from '../plan-summary';
import { checkRuleText, type RuleProblem, sampleAlarm } from '../rule-check';
import { href } from '../router';

interface RuleSummary {
  name: string;
  version: number;
  hash: string;
  enabled: boolean;
  priority: number;
  mode: string;
  policy: string;
  description: string | null;
  definition: unknown;
}

interface Outcome {
  rule: { name: string; version: number };
  fired: boolean;
  conditions: ConditionResult[];
}

interface DryRun {
  fired: Outcome[];
  notFired: Outcome[];
  decision: { rule: { name: string }; reason: string; policy: string } | null;
  whyNot: Array<{ rule: { name: string }; why: string }>;
  plan: {
    state: string;
    reason: string | null;
    actions: ActionV1[];
    explanation: Explanation;
  } | null;
}

function DryRunResult({ result }: { result: DryRun }) {
  return (
    <section aria-label="Dry run result" class="dry-run">
      <h3>Rules that fired</h3>
      {result.fired.length ? (
        result.fired.map((o) => (
          <details key={o.rule.name} open={o.rule.name === result.decision?.rule.name}>
            <summary>
              {o.rule.name} v{o.rule.version}
            </summary>
            <Conditions conditions={o.conditions} label={`Conditions of ${o.rule.name}`} />
          </details>
        ))
      ) : (
        <p>No rule fired.</p>
      )}
      {result.notFired.length > 0 && (
        <details>
          <summary>Rules that did not fire ({result.notFired.length})</summary>
          {result.notFired.map((o) => (
            <details key={o.rule.name} class="nested">
              <summary>
                {o.rule.name} v{o.rule.version}
              </summary>
              <Conditions conditions={o.conditions} label={`Conditions of ${o.rule.name}`} />
            </details>
          ))}
        </details>
      )}
      {result.decision ? (
        <p>
          Decision: <strong>{result.decision.policy}</strong> by {result.decision.rule.name}
        </p>
      ) : (
        <p>
          No decision
          {result.whyNot.length
            ? `: ${result.whyNot.map((w) => `${w.rule.name}: ${w.why}`).join('; ')}`
            : ''}
          .
        </p>
      )}
      {result.plan && (
        <>
          <h3>
            The plan it would make <Badge value={result.plan.state} />
          </h3>
          {result.plan.reason && <p class="reason">{result.plan.reason}</p>}
          <ol class="steps" aria-label="Dry-run actions">
            {result.plan.actions.map((a) => (
              <li key={a.id}>{describeAction(a)}</li>
            ))}
          </ol>
          <ExplanationView explanation={result.plan.explanation} />
        </>
      )}
    </section>
  );
}

function RuleEditor({ rule }: { rule: RuleSummary }) {
  const [text, setText] = useState(() => JSON.stringify(rule.definition, null, 2));
  const [alarm, setAlarm] = useState('');
  const [serverProblems, setServerProblems] = useState<RuleProblem[]>([]);
  const [result, setResult] = useState<DryRun | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const checked = useMemo(() => checkRuleText(text), [text]);

  useEffect(() => {
    Promise.all([
      get<{ items: Array<{ id: string }> }>('/v1/hosts?limit=1'),
      get<{ items: Array<{ id: string }> }>('/v1/instances?limit=1'),
    ]).then(
      ([hosts, instances]) =>
        setAlarm(
          (a) =>
            a ||
            sampleAlarm(
              rule.definition,
              hosts.items[0]?.id ?? 'cmp-01',
              instances.items[0]?.id ?? 'vm-01',
            ),
        ),
      () => setAlarm((a) => a || sampleAlarm(rule.definition, 'cmp-01', 'vm-01')),
    );
  }, [rule.name]);

  // The schema is checked at every key stroke; what only the engine checks (operators, JSONPath,
  // values per operator), once typing pauses.
  useEffect(() => {
    setServerProblems([]);
    if (checked.problems.length) return;
    const timer = setTimeout(() => {
      post<{ valid: boolean; errors: Array<{ pointer?: string; path?: string; message: string }> }>(
        '/v1/rules/validate',
        checked.rule,
      ).then(
        (answer) =>
          setServerProblems(
            answer.errors.map((e) => ({ path: e.pointer || e.path || '/', message: e.message })),
          ),
        (error: ApiError) => setFailure(error),
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [checked]);

  const problems = [...checked.problems, ...serverProblems];
  const dryRun = async () => {
    setResult(null);
    let parsedAlarm: unknown;
    try {
      parsedAlarm = JSON.parse(alarm);
    } catch (error) {
      setFailure(
        new ApiError(400, 'BAD_ALARM', `the alarm is not JSON: ${(error as Error).message}`),
      );
      return;
    }
    try {
      setResult(
        await post<DryRun>('/v1/rules/evaluate', { alarm: parsedAlarm, rule: checked.rule }),
      );
      setFailure(null);
    } catch (error) {
      setFailure(error as ApiError);
    }
  };

  return (
    <Section title={`Edit ${rule.name}`}>
      <p class="muted">
        Edits here are tried, never saved: a rule goes live as a file under rules/ (the engine
        reloads it).
      </p>
      <div class="editor">
        <label>
          Rule JSON
          <textarea
            spellcheck={false}
            rows={18}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <div>
          {problems.length ? (
            <ul class="problems" aria-label="Rule errors">
              {problems.map((p, i) => (
                <li key={i}>
                  <code>{p.path}</code> {p.message}
                </li>
              ))}
            </ul>
          ) : (
            <p class="ok" role="status">
              Valid rule
            </p>
          )}
          <label>
            Alarm JSON
            <textarea
              spellcheck={false}
              rows={10}
              value={alarm}
              onInput={(e) => setAlarm(e.currentTarget.value)}
            />
          </label>
          <button
            type="button"
            class="primary"
            disabled={checked.problems.length > 0}
            onClick={() => void dryRun()}
          >
            Dry run
          </button>
        </div>
      </div>
      {failure && <ErrorPanel error={failure} />}
      {result && <DryRunResult result={result} />}
    </Section>
  );
}

export function RulesPage({ name }: { name?: string }) {
  const rules = useLoad(() => get<{ items: RuleSummary[] }>('/v1/rules'), []);
  if (rules.error) return <ErrorPanel error={rules.error} />;
  const items = rules.data?.items ?? [];
  const selected = items.find((r) => r.name === name);
  return (
    <>
      <h1>Rules</h1>
      <CardTable
        label="Rules"
        columns={['Rule', 'Version', 'Policy', 'Mode', 'Priority', 'Enabled']}
      >
        {items.map((r) => (
          <tr key={r.name} aria-current={r.name === name ? 'true' : undefined}>
            <td data-label="Rule">
              <a href={href('rules', r.name)}>{r.name}</a>
            </td>
            <td data-label="Version">
              {r.version} <code class="muted">{r.hash.slice(0, 8)}</code>
            </td>
            <td data-label="Policy">{r.policy}</td>
            <td data-label="Mode">{r.mode}</td>
            <td data-label="Priority">{r.priority}</td>
            <td data-label="Enabled">{r.enabled ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </CardTable>
      {name && rules.data && !selected && (
        <ErrorPanel error={new ApiError(404, 'NOT_FOUND', `no rule named ${name}`)} />
      )}
      {selected && <RuleEditor key={selected.name} rule={selected} />}
    </>
  );
}
