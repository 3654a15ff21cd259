import type { Almanac } from 'json-rules-engine';
import { alarmFacts } from './facts/alarm-facts';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import { checkFactPath } from './fact-shapes';
import { FACT_NAMES, type FactName } from './rule.types';
import { validateRule } from './rule-validator';
import { alarm, inventory } from './testing/evaluation-fixtures';
import { sampleRule } from './testing/rule-files';
import type { PathStep } from './simple-path';

/** Every path to a value inside `value`, as steps. */
function pathsOf(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

describe('fact shapes', () => {
  it('reach every value the real facts have', async () => {
    const source = new InMemoryFactSource(
      {
        ...inventory,
        instances: inventory.instances.map((i) => ({ ...i, priority: 70 })),
        hosts: inventory.hosts.map((h) => ({ ...h, labels: { rack: 'r1' } })),
      },
      {
        now: new Date('2026-11-20T10:30:00Z'),
        maintenance: [
          {
            hostId: 'cmp-01',
            reason: 'bios',
            requestedAt: '2026-11-20T10:00:00.000Z',
            notBefore: null,
          },
        ],
        reportedDown: ['cmp-01'],
      },
    );
    const a = alarm('instance.down', 'instance', 'db-1', {
      severity: 'major',
      state: 'firing',
      labels: { zone: 'az1' },
      annotations: { summary: 'x' },
      value: { nested: [1] } as never,
    });
    const callbacks = alarmFacts(a, source);
    const values: Record<FactName, unknown> = {
      alarm: callbacks.alarm({}, undefined as unknown as Almanac),
      now: callbacks.now({}, undefined as unknown as Almanac),
      host: await source.getHost('cmp-01'),
      instance: await source.getInstance('db-1'),
      group: await source.getGroup('db'),
      groupStatus: {
        ...(await source.getGroupStatus('db')),
        // The engine's live source adds these (GroupStatusService); the in-memory one does not.
        sharedFailureDomains: [{ kind: 'zone', id: 'az1', members: ['db-1', 'db-2'] }],
      },
      hostLoad: await source.getHostLoad('cmp-01'),
      maintenance: await source.getOpenMaintenance('cmp-01'),
      zoneLosses: await source.getZoneLosses('cmp-01', true),
    };
    for (const fact of FACT_NAMES) {
      expect(values[fact]).not.toBeNull();
      for (const steps of pathsOf(values[fact])) {
        const path = `$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
        expect([fact, path, checkFactPath(fact, path, steps, ['path'])]).toEqual([
          fact,
          path,
          null,
        ]);
      }
    }
  });

  it('refuses a path a fact cannot have, with "did you mean", when the rule loads', () => {
    const typo = (path: string, fact = 'alarm', where: 'path' | 'value' = 'path') => {
      const leaf =
        where === 'path'
          ? { fact, path, operator: 'equal', value: 'critical' }
          : { fact: 'alarm', path: '$.severity', operator: 'equal', value: { fact, path } };
      const result = validateRule(
        sampleRule('typo', {
          conditions: {
            all: [{ fact: 'alarm', path: '$.type', operator: 'equal', value: 'host.down' }, leaf],
          },
        }),
      );
      return result.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(typo('$.severty')).toEqual([
      '$.conditions.all[1].path: path "$.severty": the alarm fact has no "severty" at $ (known: id, source, type, severity, state, resource, occurredAt, labels, annotations, value); did you mean "severity"?',
    ]);
    expect(typo('$.capacity.vcpu', 'host')).toEqual([
      '$.conditions.all[1].path: path "$.capacity.vcpu": the host fact has no "vcpu" at $.capacity (known: vcpus, memoryMb); did you mean "vcpus"?',
    ]);
    expect(typo('$.status.code', 'host')).toEqual([
      '$.conditions.all[1].path: path "$.status.code": host.status has no "code" below it',
    ]);
    expect(typo('$.reportedDownHostIds.first', 'zoneLosses')).toEqual([
      '$.conditions.all[1].path: zoneLosses.reportedDownHostIds is a list: index it with [0], not "first"',
    ]);
    expect(typo('$.healthyStandbys', 'groupStatus', 'value')).toEqual([
      expect.stringMatching(
        /^\$\.conditions\.all\[1\]\.value\.path: .*no "healthyStandbys" at \$ .*did you mean "healthyStandby"\?$/,
      ),
    ]);
    // Free-form maps take any key; list items their own shape.
    expect(typo("$.labels['topology/zone']")).toEqual([]);
    expect(typo('$.annotations.anything.below')).toEqual([]);
    expect(typo('$.reportedDownHostIds[2]', 'zoneLosses')).toEqual([]);
    expect(typo('$.sharedFailureDomains[0].members[1]', 'groupStatus')).toEqual([]);
  });
});
