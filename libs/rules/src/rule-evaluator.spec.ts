import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import { ValidationError } from '@reflex/common';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import { RuleEvaluator, evaluateRules } from './rule-evaluator';
import { CountingSource, alarm, inventory, loaded } from './testing/evaluation-fixtures';
import { sampleRule } from './testing/rule-files';

const instanceRule = (name: string, policy: string, priority: number, extra: unknown[] = []) =>
  loaded(
    sampleRule(name, {
      priority,
      conditions: {
        all: [
          { fact: 'alarm', path: '$.type', operator: 'equal', value: 'instance.down' },
          {
            fact: 'groupStatus',
            path: '$.healthyStandby',
            operator: 'greaterThanInclusive',
            value: 0,
          },
          ...extra,
        ],
      },
      event: { type: policy },
    }),
  );

describe('evaluateRules', () => {
  it('lets the highest priority win, then the name, and explains every condition', async () => {
    const rules = [
      instanceRule('b-notify', 'notify', 50),
      instanceRule('a-notify', 'notify', 50),
      instanceRule('low', 'switch-over', 10),
      loaded(sampleRule('host-rule')),
    ];
    const result = await evaluateRules(
      rules,
      alarm('instance.down', 'instance', 'db-1'),
      new CountingSource(),
    );
    expect(result.fired.map((o) => o.rule.name)).toEqual(['a-notify', 'b-notify', 'low']);
    expect(result.notFired.map((o) => o.rule.name)).toEqual(['host-rule']);
    expect(result.decision).toMatchObject({
      policy: 'notify',
      target: { kind: 'instance', id: 'db-1' },
      mode: 'auto',
      onFailure: 'rollback',
      rule: { name: 'a-notify', version: 1, hash: rules[1].hash },
      cooldownSeconds: 60,
      passedOver: [],
    });
    expect(result.decision?.explanation).toEqual([
      {
        at: '$.conditions.all[0]',
        fact: 'alarm',
        path: '$.type',
        operator: 'equal',
        value: 'instance.down',
        factValue: 'instance.down',
        result: true,
        negated: false,
      },
      {
        at: '$.conditions.all[1]',
        fact: 'groupStatus',
        path: '$.healthyStandby',
        operator: 'greaterThanInclusive',
        value: 0,
        factValue: 1,
        result: true,
        negated: false,
      },
    ]);
    expect(result.whyNot).toEqual([]);
  });

  it('looks each fact up once per evaluation, however many rules use it', async () => {
    const source = new CountingSource();
    const rules = [1, 2, 3, 4].map((i) =>
      instanceRule(`r${i}`, 'notify', i, [
        { fact: 'host', path: '$.status', operator: 'equal', value: 'up' },
      ]),
    );
    await evaluateRules(rules, alarm('instance.down', 'instance', 'db-1'), source);
    expect(source.calls.sort()).toEqual(['groupStatus', 'host', 'instance']);
    await evaluateRules(rules, alarm('instance.down', 'instance', 'db-1'), source);
    expect(source.calls).toHaveLength(6); // a second evaluation does not reuse the first one's values
  });

  it('gives each of many concurrent evaluations its own answer', async () => {
    const rules = [
      loaded(sampleRule('host-down', { priority: 100 })),
      instanceRule('active-down', 'switch-over', 90, [
        { fact: 'instance', path: '$.role', operator: 'equal', value: 'active' },
      ]),
      instanceRule('standby-down', 'restore-redundancy', 70, [
        { fact: 'instance', path: '$.role', operator: 'equal', value: 'standby' },
      ]),
    ];
    const source = new CountingSource();
    const cases: Array<[AlarmV1, string | null]> = [
      [alarm('host.down', 'host', 'cmp-01'), 'host-failover'],
      [alarm('instance.down', 'instance', 'db-1'), 'switch-over'],
      [alarm('instance.down', 'instance', 'db-2'), 'restore-redundancy'],
      [alarm('instance.down', 'instance', 'nope'), null],
    ];
    const runs = Array.from({ length: 200 }, (_, i) => cases[i % cases.length]);
    const results = await Promise.all(runs.map(([a]) => evaluateRules(rules, a, source)));
    expect(results.map((r) => r.decision?.policy ?? null)).toEqual(
      runs.map(([, policy]) => policy),
    );
    expect(results.every((r) => r.fired.length + r.notFired.length === rules.length)).toBe(true);
  });

  it('resolves facts that do not apply to null, so conditions on them are false and nothing throws', async () => {
    const rule = loaded(
      sampleRule('probe', {
        conditions: {
          all: [
            { fact: 'instance', path: '$.role', operator: 'equal', value: 'active' },
            { fact: 'group', path: '$.id', operator: 'exists', value: false },
            { fact: 'groupStatus', operator: 'notEqual', value: 1 },
            { fact: 'maintenance', operator: 'exists', value: false },
            { fact: 'hostLoad', path: '$.free.vcpus', operator: 'equal', value: 12 },
            { fact: 'now', path: '$.hourUtc', operator: 'equal', value: 10 },
          ],
        },
      }),
    );
    const result = await evaluateRules(
      [rule],
      alarm('host.down', 'host', 'cmp-01'),
      new CountingSource(),
    );
    expect(result.notFired[0].conditions.map((c) => [c.fact, c.factValue, c.result])).toEqual([
      ['instance', null, false],
      ['group', null, true],
      ['groupStatus', null, true],
      ['maintenance', null, true],
      ['hostLoad', 12, true],
      ['now', 10, true],
    ]);
    expect(result.decision).toBeNull();
  });

  it('targets the fact named by params.target, or a literal resource', async () => {
    const onHost = loaded(
      sampleRule(
        'to-host',
        { event: { type: 'migrate-off', params: { target: 'host' } } },
        'instance.down',
      ),
    );
    const literal = loaded(
      sampleRule(
        'to-group',
        { event: { type: 'notify', params: { target: { kind: 'group', id: 'db' } } } },
        'instance.down',
      ),
    );
    const a = alarm('instance.down', 'instance', 'db-1');
    expect((await evaluateRules([onHost], a, new CountingSource())).decision?.target).toEqual({
      kind: 'host',
      id: 'cmp-01',
    });
    expect((await evaluateRules([literal], a, new CountingSource())).decision?.target).toEqual({
      kind: 'group',
      id: 'db',
    });
    const unknown = await evaluateRules(
      [onHost],
      alarm('instance.down', 'instance', 'ghost'),
      new CountingSource(),
    );
    expect(unknown.decision?.target).toEqual({ kind: 'instance', id: 'ghost' });
    expect(unknown.decision?.reason).toContain('which the inventory does not know');
  });

  it('skips disabled rules unless asked, and treats an alarm without state as firing', async () => {
    const rule = loaded(
      sampleRule('off', {
        enabled: false,
        conditions: {
          all: [{ fact: 'alarm', path: '$.state', operator: 'equal', value: 'firing' }],
        },
      }),
    );
    const a = alarm('host.down', 'host', 'cmp-01');
    expect((await evaluateRules([rule], a, new CountingSource())).fired).toEqual([]);
    const forced = await evaluateRules([rule], a, new CountingSource(), { includeDisabled: true });
    expect(forced.decision?.rule.name).toBe('off');
  });

  it('names the closest rule and its failing condition when rules for the type all fail', async () => {
    const needsTwo = {
      fact: 'groupStatus',
      path: '$.healthyStandby',
      operator: 'greaterThan',
      value: 1,
    };
    const needsVm = { fact: 'instance', path: '$.kind', operator: 'equal', value: 'baremetal' };
    const rules = [
      // Fails on its 2nd condition: the closest, although another rule has a higher priority.
      instanceRule('two-standbys', 'switch-over', 10, [needsTwo]),
      loaded(
        sampleRule('baremetal-only', {
          priority: 90,
          conditions: {
            all: [
              { fact: 'alarm', path: '$.type', operator: 'equal', value: 'instance.down' },
              needsVm,
            ],
          },
        }),
      ),
      loaded(sampleRule('host-rule')),
    ];
    const result = await evaluateRules(
      rules,
      alarm('instance.down', 'instance', 'db-1'),
      new CountingSource(),
    );
    expect(result.decision).toBeNull();
    expect(result.closest).toEqual({
      rule: { name: 'two-standbys', version: 1, hash: rules[0].hash },
      priority: 10,
      passed: 2,
      failed: [
        {
          at: '$.conditions.all[2]',
          fact: 'groupStatus',
          path: '$.healthyStandby',
          operator: 'greaterThan',
          expected: 1,
          actual: 1,
          negated: false,
          text: 'groupStatus.healthyStandby is 1 (needs greaterThan 1)',
        },
      ],
    });

    // Only rules about other alarm types: no closest, the plain "no rule".
    const other = await evaluateRules(
      rules,
      alarm('fan.noise', 'host', 'cmp-01'),
      new CountingSource(),
    );
    expect(other.closest).toBeNull();
    expect(other.whyNot).toEqual([]);
  });

  it('rejects when the fact source fails, and refuses an alarm it cannot evaluate', async () => {
    const failing = new CountingSource();
    failing.getInstance = () => Promise.reject(new Error('inventory unavailable'));
    const rules = [instanceRule('r', 'notify', 1)];
    await expect(
      evaluateRules(rules, alarm('instance.down', 'instance', 'db-1'), failing),
    ).rejects.toThrow('inventory unavailable');
    await expect(evaluateRules(rules, { type: 'x' } as AlarmV1, failing)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('RuleEvaluator', () => {
  it('reads the provider at each evaluation and dry-runs against a given inventory or the live one', async () => {
    let rules = [loaded(sampleRule('v1'))];
    const evaluator = new RuleEvaluator({ rules: () => rules });
    const live = new InMemoryFactSource();
    const a = alarm('host.down', 'host', 'cmp-01');
    expect((await evaluator.evaluate(a, live)).decision?.rule.name).toBe('v1');
    rules = [
      loaded(
        sampleRule('v2', {
          conditions: { all: [{ fact: 'host', path: '$.zone', operator: 'equal', value: 'az1' }] },
        }),
      ),
    ];
    expect((await evaluator.dryRun({ alarm: a }, live)).decision).toBeNull();
    expect((await evaluator.dryRun({ alarm: a, inventory }, live)).decision?.rule.name).toBe('v2');
  });
});
