import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICIES } from '@reflex/contracts/plan.v1';
import { OPERATOR_DECORATORS, OPERATORS } from './operators';
import { FACT_NAMES, type RuleDefinition } from './rule.types';
import { ruleSchema, validateRule, validateRuleText } from './rule-validator';

function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'sample',
    priority: 10,
    mode: 'auto',
    cooldownSeconds: 60,
    conditions: {
      all: [{ fact: 'alarm', path: '$.type', operator: 'equal', value: 'host.down' }],
    },
    event: { type: 'host-failover', params: { onFailure: 'continue' } },
    ...overrides,
  };
}

function errorsOf(input: unknown, options = {}) {
  const result = validateRule(input, options);
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('validateRule', () => {
  it('accepts a rule and hashes its canonical form', () => {
    const a = validateRule(rule());
    const reordered = JSON.parse(JSON.stringify({ event: rule().event, ...rule() })) as unknown;
    const b = validateRule(reordered);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(b.hash).toBe(a.hash);
    }
  });

  it('accepts nested any/not, decorators, fact references and Reflex operators', () => {
    const conditions = {
      any: [
        { not: { fact: 'host', path: '$.status', operator: 'not:in', value: ['up'] } },
        {
          all: [
            {
              fact: 'hostLoad',
              path: '$.free.vcpus',
              operator: 'lessThan',
              value: { fact: 'instance', path: '$.resources.vcpus' },
            },
            {
              fact: 'alarm',
              path: "$.labels['topology/zone']",
              operator: 'startsWith',
              value: 'az',
            },
            {
              fact: 'maintenance',
              operator: 'exists',
              value: false,
              name: 'no-maintenance',
              priority: 2,
            },
            { fact: 'alarm', path: '$.labels', operator: 'someValue:equal', value: [1, 2] },
          ],
        },
      ],
    };
    expect(errorsOf(rule({ conditions }))).toEqual([]);
  });

  it('reports each problem with its JSON path', () => {
    const bad = rule({
      name: 'Bad Name',
      priority: 0,
      colour: 'red',
      conditions: {
        all: [
          { fact: 'alarms', path: '$.type', operator: 'equals', value: 'x' },
          { any: [{ fact: 'host', path: '$..status', operator: 'in', value: 'up' }] },
          { fact: 'now', operator: 'foo:equal', value: { fact: 'clock' } },
          { fact: 'instance', operator: 'equal', value: ['a'] },
          { fact: 'host', operator: 'greaterThan', value: '3' },
        ],
      },
      event: { type: 'reboot', params: { onFailure: 'retry', target: 'hosts' } },
    });
    expect(errorsOf(bad)).toEqual(
      expect.arrayContaining([
        '$.colour: unknown property "colour" (allowed: $schema, name, description, version, enabled, priority, mode, cooldownSeconds, conditions, event)',
        '$.name: must match pattern "^[a-z0-9]+([._-][a-z0-9]+)*$"; got "Bad Name"',
        '$.priority: must be >= 1; got 0',
        '$.conditions.all[0].fact: must be one of: alarm, host, instance, group, groupStatus, hostLoad, maintenance, zoneLosses, now; got "alarms"; did you mean "alarm"?',
        expect.stringMatching(
          /^\$\.conditions\.all\[0\]\.operator: unknown operator "equals" .*did you mean "equal"\?$/,
        ),
        '$.conditions.all[1].any[0].path: invalid path "$..status": recursive descent ".." is not allowed; name each step ("$.a.b")',
        '$.conditions.all[1].any[0].value: "in" needs an array value (or { "fact": ... }); got "up"',
        expect.stringMatching(
          /^\$\.conditions\.all\[2\]\.operator: unknown operator decorator "foo"/,
        ),
        expect.stringMatching(/^\$\.conditions\.all\[2\]\.value\.fact: unknown fact "clock"/),
        expect.stringMatching(/^\$\.conditions\.all\[3\]\.value: "equal" compares with ===/),
        '$.conditions.all[4].value: "greaterThan" needs a number value (or { "fact": ... }); got "3"',
        expect.stringMatching(/^\$\.event\.type: must be one of: switch-over, .*; got "reboot"$/),
        '$.event.params.onFailure: must be one of: rollback, stop, continue; got "retry"',
        expect.stringMatching(/^\$\.event\.params\.target: must be alarm .*; got "hosts"$/),
      ]),
    );
  });

  it('points at missing properties and at a tree without all/any/not', () => {
    expect(errorsOf({ name: 'x' })).toEqual([
      '$.priority: is required',
      '$.mode: is required',
      '$.cooldownSeconds: is required',
      '$.conditions: is required',
      '$.event: is required',
    ]);
    expect(errorsOf(rule({ conditions: { fact: 'alarm', operator: 'equal', value: 1 } }))).toEqual([
      '$.conditions: must have one of "all", "any" or "not" at the top',
    ]);
    expect(errorsOf(rule({ conditions: { all: [{ fact: 'alarm', operator: 'equal' }] } }))).toEqual(
      ['$.conditions.all[0].value: is required'],
    );
  });

  it('refuses conditions nested deeper than 32 levels, and deeper documents before schema validation', () => {
    let tree: Record<string, unknown> = { fact: 'alarm', operator: 'equal', value: 1 };
    for (let i = 0; i < 33; i++) tree = { not: tree };
    expect(errorsOf(rule({ conditions: tree }))).toEqual([
      `$.conditions${'.not'.repeat(32)}: conditions nest deeper than 32 levels`,
    ]);
    let value: unknown = 1;
    for (let i = 0; i < 100; i++) value = [value];
    expect(
      errorsOf(rule({ conditions: { all: [{ fact: 'alarm', operator: 'equal', value }] } })),
    ).toEqual(['$: the document nests deeper than 64 levels']);
  });

  it('requires the file to be named after the rule', () => {
    expect(errorsOf(rule(), { fileName: 'sample.rule.json' })).toEqual([]);
    expect(errorsOf(rule(), { fileName: 'other.rule.json' })).toEqual([
      '$.name: rule "sample" must be in a file called sample.rule.json, not other.rule.json',
    ]);
  });

  it('refuses non-objects', () => {
    expect(errorsOf([rule()])[0]).toMatch(
      /^\$: a rule must be a JSON object; got \[\{"name":"sample".*\.\.\.$/,
    );
    expect(errorsOf('rule')).toEqual(['$: a rule must be a JSON object; got "rule"']);
  });
});

describe('validateRuleText', () => {
  it('reports JSON syntax errors with line and column', () => {
    const result = validateRuleText('{\n  "name": "x",\n}');
    expect(result.errors).toEqual([
      {
        path: '$',
        pointer: '',
        message: 'not valid JSON: Expected double-quoted property name at line 3, column 1',
      },
    ]);
  });

  it('refuses files over the size limit before parsing them', () => {
    const big = JSON.stringify({ ...rule(), description: 'x'.repeat(300 * 1024) });
    expect(validateRuleText(big).errors[0].message).toMatch(
      /^the file is \d+ bytes; a rule file may have at most 262144$/,
    );
    expect(validateRuleText(JSON.stringify(rule()), { maxBytes: 10 }).ok).toBe(false);
  });
});

describe('rule.schema.json', () => {
  const defs = (ruleSchema as { $defs: Record<string, any> }).$defs;

  it('lists the same facts, policies and operators as the code', () => {
    expect(defs.fact.enum).toEqual([...FACT_NAMES]);
    expect(defs.event.properties.type.enum).toEqual([...POLICIES]);
    const pattern = new RegExp(defs.leafCondition.properties.operator.pattern as string);
    for (const op of OPERATORS) expect(pattern.test(op)).toBe(true);
    for (const d of OPERATOR_DECORATORS) expect(pattern.test(`${d}:equal`)).toBe(true);
    expect(pattern.test('matches')).toBe(false);
  });

  it('has a path pattern that agrees with the loader on valid and invalid paths', () => {
    const pattern = new RegExp(defs.path.pattern as string);
    for (const ok of ['$', '$.a', '$.a[0].b', "$.labels['x/y']", '$.labels["a-b"]']) {
      expect(pattern.test(ok)).toBe(true);
    }
    for (const bad of ['a', '$..a', '$.a[*]', '$.a[?(@.x)]', '$.a b'])
      expect(pattern.test(bad)).toBe(false);
  });

  it('documents every event param the planner reads, and refuses a typo of one', () => {
    const params = defs.event.properties.params.properties as Record<
      string,
      { description?: string }
    >;
    const planning = join(__dirname, '../../domain/src/planning');
    const sources = readdirSync(planning, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => readFileSync(join(planning, f), 'utf8'))
      .join('\n');
    const read = [...sources.matchAll(/ctx\.(?:param|flag)\('(\w+)'|params\?\.(\w+)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(read).toEqual(expect.arrayContaining(['allowNoStandby', 'message', 'approvalReason']));
    for (const name of new Set([...read, 'onFailure', 'target'])) {
      expect([name, typeof params[name]?.description]).toEqual([name, 'string']);
    }

    const withParams = (p: Record<string, unknown>) =>
      errorsOf(rule({ event: { type: 'host-drain', params: p } }));
    expect(withParams({ allowNoStanby: true })).toEqual([
      expect.stringMatching(
        /^\$\.event\.params\.allowNoStanby: unknown param "allowNoStanby"; did you mean "allowNoStandby"\? \(params: onFailure, target, /,
      ),
    ]);
    expect(withParams({ allowNoStandby: 'yes' })).toEqual([
      '$.event.params.allowNoStandby: must be boolean; got "yes"',
    ]);
    // A param no policy reads, far from every known one, passes through for notifiers.
    expect(withParams({ ticketQueue: 'ops', allowDowntime: true })).toEqual([]);
  });

  it('types a valid rule as a RuleDefinition', () => {
    const result = validateRule(rule());
    const definition: RuleDefinition | undefined = result.ok ? result.rule : undefined;
    expect(definition?.event.type).toBe('host-failover');
  });
});
