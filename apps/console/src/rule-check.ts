import validateSchema from 'virtual:rule-schema-validator';

export interface RuleProblem {
  /** JSON pointer into the rule, `/` for the whole document. */
  path: string;
  message: string;
}

// `if`/`then` failures repeat what the branch's own errors already say.
const NOISE = new Set(['if', 'then', 'else']);
/** Errors about a value, which are clearer with the value quoted. */
const GOT = new Set(['pattern', 'enum', 'type', 'minimum', 'maximum', 'maxLength', 'const']);

function valueAt(document: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, step) => (node as Record<string, unknown> | undefined)?.[step],
      document,
    );
}

/** Checks the editor's text as typed: JSON syntax, then rules/rule.schema.json. */
export function checkRuleText(text: string): { rule: unknown; problems: RuleProblem[] } {
  let rule: unknown;
  try {
    rule = JSON.parse(text);
  } catch (error) {
    return {
      rule: undefined,
      problems: [{ path: '/', message: `not JSON: ${(error as Error).message}` }],
    };
  }
  if (validateSchema(rule)) return { rule, problems: [] };
  const seen = new Set<string>();
  const problems: RuleProblem[] = [];
  for (const e of validateSchema.errors ?? []) {
    if (NOISE.has(e.keyword)) continue;
    const detail =
      e.keyword === 'additionalProperties'
        ? ` "${String(e.params.additionalProperty)}"`
        : e.keyword === 'enum'
          ? `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
          : '';
    const got = GOT.has(e.keyword) ? `; got ${JSON.stringify(valueAt(rule, e.instancePath))}` : '';
    const problem = {
      path: e.instancePath || '/',
      message: `${e.message ?? e.keyword}${detail}${got}`,
    };
    const key = `${problem.path} ${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return { rule, problems };
}

/** An alarm to try a rule with: its `alarm $.type` condition if it has one, on a real resource. */
export function sampleAlarm(rule: unknown, hostId: string, instanceId: string): string {
  const type = findAlarmType((rule as { conditions?: unknown })?.conditions) ?? 'host.down';
  const onInstance = type.startsWith('instance.');
  return JSON.stringify(
    {
      id: `console-dry-run-${Date.now().toString(36)}`,
      source: 'console',
      type,
      severity: 'critical',
      state: 'firing',
      resource: { kind: onInstance ? 'instance' : 'host', id: onInstance ? instanceId : hostId },
      occurredAt: new Date().toISOString(),
    },
    null,
    2,
  );
}

function findAlarmType(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const c = node as Record<string, unknown>;
  if (
    c.fact === 'alarm' &&
    c.path === '$.type' &&
    c.operator === 'equal' &&
    typeof c.value === 'string'
  )
    return c.value;
  for (const key of ['all', 'any']) {
    if (Array.isArray(c[key]))
      for (const child of c[key] as unknown[]) {
        const found = findAlarmType(child);
        if (found) return found;
      }
  }
  return c.not ? findAlarmType(c.not) : undefined;
}
