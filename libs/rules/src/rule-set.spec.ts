import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleSet, type RuleSetEvent, type RuleVersionRecord } from './rule-set';
import { RuleDir, sampleRule } from './testing/rule-files';

describe('RuleSet.reload', () => {
  let dir: RuleDir;
  beforeEach(() => (dir = new RuleDir()));
  afterEach(() => dir.remove());

  const statuses = (report: { results: Array<{ name: string; status: string }> }) =>
    Object.fromEntries(report.results.map((r) => [r.name, r.status]));

  it('loads every *.rule.json, ignoring other and hidden files', async () => {
    dir.write('a', sampleRule('a'));
    dir.write('b', sampleRule('b', { enabled: false }));
    writeFileSync(join(dir.path, 'notes.json'), '{}');
    writeFileSync(join(dir.path, '.c.rule.json'), 'partial');
    const set = new RuleSet({ dir: dir.path });
    const report = await set.reload();
    expect(statuses(report)).toEqual({ a: 'loaded', b: 'loaded' });
    expect(report.changed).toBe(true);
    expect(set.rules().map((r) => [r.name, r.version, r.enabled, r.file])).toEqual([
      ['a', 1, true, 'a.rule.json'],
      ['b', 1, false, 'b.rule.json'],
    ]);
    expect(set.get('a')?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports unchanged content, even re-indented, without a new version', async () => {
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path });
    await set.reload();
    dir.write('a', JSON.stringify(sampleRule('a')));
    const report = await set.reload();
    expect(report.results).toEqual([
      {
        file: 'a.rule.json',
        name: 'a',
        status: 'unchanged',
        version: 1,
        hash: set.get('a')!.hash,
        errors: [],
      },
    ]);
    expect(report.changed).toBe(false);
  });

  it('refuses a broken edit with its errors and keeps the previous version live', async () => {
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path });
    await set.reload();
    const before = set.get('a')!;
    dir.write('a', sampleRule('a', { mode: 'sometimes' }));
    const report = await set.reload();
    expect(report.results[0]).toMatchObject({
      status: 'refused',
      keptLive: { name: 'a', version: 1, hash: before.hash },
      errors: [
        {
          path: '$.mode',
          pointer: '/mode',
          message: 'must be one of: auto, manual; got "sometimes"',
        },
      ],
    });
    expect(set.get('a')).toBe(before);
    expect(report.changed).toBe(false);
  });

  it('refuses a new broken file that has no live version', async () => {
    dir.write('a', '{ "name": "a", ');
    const set = new RuleSet({ dir: dir.path });
    const report = await set.reload();
    expect(report.results[0]).toMatchObject({ status: 'refused', keptLive: null });
    expect(report.results[0].errors[0].message).toMatch(/^not valid JSON: /);
    expect(set.rules()).toEqual([]);
  });

  it('removes the rule of a deleted file', async () => {
    dir.write('a', sampleRule('a'));
    dir.write('b', sampleRule('b'));
    const set = new RuleSet({ dir: dir.path });
    await set.reload();
    dir.delete('a');
    const report = await set.reload();
    expect(report.results).toContainEqual(
      expect.objectContaining({ name: 'a', status: 'removed', version: 1 }),
    );
    expect(set.rules().map((r) => r.name)).toEqual(['b']);
  });

  it('numbers new content, reuses the number of content seen before, and honours a declared version', async () => {
    const set = new RuleSet({ dir: dir.path });
    const versionAfter = async (rule: unknown) => {
      dir.write('a', rule);
      const report = await set.reload();
      return [report.results[0].status, set.get('a')?.version];
    };
    expect(await versionAfter(sampleRule('a'))).toEqual(['loaded', 1]);
    expect(await versionAfter(sampleRule('a', { priority: 20 }))).toEqual(['loaded', 2]);
    expect(await versionAfter(sampleRule('a'))).toEqual(['loaded', 1]);
    expect(await versionAfter(sampleRule('a', { priority: 30, version: 7 }))).toEqual([
      'loaded',
      7,
    ]);
    // Version 7 now names that content: different content may not reuse it.
    dir.write('a', sampleRule('a', { priority: 40, version: 7 }));
    const report = await set.reload();
    expect(report.results[0]).toMatchObject({ status: 'refused', keptLive: { version: 7 } });
    expect(report.results[0].errors[0]).toMatchObject({ path: '$.version' });
    expect(await versionAfter(sampleRule('a', { priority: 50 }))).toEqual(['loaded', 8]);
  });

  it('continues version numbers from a seeded history', async () => {
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({
      dir: dir.path,
      history: [{ name: 'a', version: 4, hash: 'f'.repeat(64) }],
    });
    await set.reload();
    expect(set.get('a')?.version).toBe(5);
  });

  it('hands each new version to the sink once, before it goes live', async () => {
    const recorded: RuleVersionRecord[] = [];
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path, sink: { record: (v) => void recorded.push(v) } });
    await set.reload();
    await set.reload();
    dir.write('a', sampleRule('a', { priority: 20 }));
    await set.reload();
    expect(recorded.map((r) => [r.name, r.version, r.file])).toEqual([
      ['a', 1, 'a.rule.json'],
      ['a', 2, 'a.rule.json'],
    ]);
    expect(recorded[1].hash).toBe(set.get('a')?.hash);
    expect(recorded[1].definition.priority).toBe(20);
    expect(JSON.parse(recorded[1].text)).toEqual(sampleRule('a', { priority: 20 }));
  });

  it('refuses a version the sink could not store, and stores it on the next reload', async () => {
    dir.write('a', sampleRule('a'));
    let down = true;
    const set = new RuleSet({
      dir: dir.path,
      sink: {
        record: async () => {
          if (down) throw new Error('database unavailable');
        },
      },
    });
    const first = await set.reload();
    expect(first.results[0]).toMatchObject({ status: 'refused', keptLive: null });
    expect(first.results[0].errors[0].message).toContain('database unavailable');
    expect(set.rules()).toEqual([]);
    down = false;
    expect((await set.reload()).results[0].status).toBe('loaded');
  });

  it('notifies listeners of changes and of new refusals, not of repeats', async () => {
    const events: RuleSetEvent[] = [];
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path });
    set.onChange((e) => events.push(e));
    set.onChange(() => {
      throw new Error('a broken listener does not stop the others');
    });
    await set.reload();
    await set.reload();
    dir.write('a', 'not json');
    await set.reload();
    await set.reload();
    expect(
      events.map((e) => (e.type === 'reloaded' ? e.report.results.map((r) => r.status) : e.type)),
    ).toEqual([['loaded'], ['refused']]);
  });

  it('rejects, leaving the set as it was, when the directory cannot be read', async () => {
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path });
    await set.reload();
    dir.remove();
    await expect(set.reload()).rejects.toThrow(/ENOENT/);
    expect(set.rules().map((r) => r.name)).toEqual(['a']);
  });

  it('runs concurrent reloads one at a time', async () => {
    dir.write('a', sampleRule('a'));
    const set = new RuleSet({ dir: dir.path });
    const reports = await Promise.all([set.reload(), set.reload(), set.reload()]);
    expect(reports.map((r) => r.results[0].status)).toEqual(['loaded', 'unchanged', 'unchanged']);
  });
});
