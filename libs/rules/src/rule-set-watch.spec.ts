import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import { waitFor } from '../../../test/support/wait-for';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import { evaluateRules } from './rule-evaluator';
import { RuleSet, type RuleSetEvent } from './rule-set';
import { RuleDir, sampleRule } from './testing/rule-files';

const alarm: AlarmV1 = {
  id: 'a-1',
  source: 'test',
  type: 'host.down',
  resource: { kind: 'host', id: 'cmp-01' },
  occurredAt: '2026-11-20T10:00:00.000Z',
};

describe('RuleSet hot reload', () => {
  let dir: RuleDir;
  let set: RuleSet;
  const events: RuleSetEvent[] = [];

  beforeEach(async () => {
    dir = new RuleDir();
    dir.write('failover', sampleRule('failover'));
    set = await RuleSet.open({ dir: dir.path, debounceMs: 20 });
    set.onChange((e) => events.push(e));
  });
  afterEach(() => {
    set.close();
    dir.remove();
  });

  const decide = async () =>
    (await evaluateRules(set.rules(), alarm, new InMemoryFactSource())).decision;

  it('puts an edit on disk live without a restart, and refuses a broken edit while the old version decides', async () => {
    expect(await decide()).toMatchObject({
      policy: 'host-failover',
      rule: { name: 'failover', version: 1 },
    });

    dir.write(
      'failover',
      sampleRule('failover', { event: { type: 'notify', params: { message: 'edited' } } }),
    );
    const edited = await waitFor('the edited rule to decide', async () => {
      const d = await decide();
      return d?.policy === 'notify' ? d : undefined;
    });
    expect(edited.rule).toMatchObject({
      name: 'failover',
      version: 2,
      hash: set.get('failover')!.hash,
    });

    dir.write(
      'failover',
      sampleRule('failover', {
        conditions: { all: [{ fact: 'alarm', operator: 'equals', value: 1 }] },
      }),
    );
    const refusal = await waitFor('the broken edit to be refused', () =>
      events
        .flatMap((e) => (e.type === 'reloaded' ? e.report.results : []))
        .find((r) => r.status === 'refused'),
    );
    expect(refusal.keptLive).toMatchObject({ version: 2 });
    expect(refusal.errors.map((e) => e.path)).toEqual(['$.conditions.all[0].operator']);
    expect(await decide()).toMatchObject({ policy: 'notify', rule: { version: 2 } });

    dir.delete('failover');
    await waitFor('the deleted rule to go', () => set.rules().length === 0);
    expect(await decide()).toBeNull();
  });

  it('picks up a new file; after close() an explicit reload still works', async () => {
    dir.write(
      'drain',
      sampleRule('drain', { event: { type: 'host-drain' } }, 'host.maintenance.requested'),
    );
    await waitFor('the new rule', () => set.get('drain'));
    set.close();
    dir.write('late', sampleRule('late'));
    await set.reload(); // an explicit reload still works after close()
    expect(set.get('late')).toBeDefined();
  });
});
