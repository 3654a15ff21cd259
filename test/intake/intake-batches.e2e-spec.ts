// The alarms consumer decides what a partition has waiting in one transaction (IngestAlarmUseCase
// .executeBatch). Each alarm must still be decided as if alone, against what the alarms before it
// left: a duplicate of an alarm earlier in the batch, a resolve that closes it for the alarms after it
// only, a host.down that makes later instance alarms correlated, a maintenance request a later rule
// reads. This spec runs one sequence three ways on one engine — one HTTP request per alarm, one
// executeBatch call, and through the topic on one partition — and expects the same decisions.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topic, topicName, type AlarmV1 } from '@reflex/contracts';
import { Client } from 'pg';
import { IngestAlarmUseCase } from '../../apps/engine/src/decisions/ingest-alarm.usecase';
import { resetDecisions } from '../support/database';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { sendMessages } from '../support/kafka';
import { smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

/** disk.full on a host makes a notify plan, unless the host is in maintenance: reads the `maintenance` fact. */
const MAINTENANCE_AWARE_RULE = {
  name: 'disk-full-outside-maintenance',
  description: 'test rule: reads the maintenance fact',
  enabled: true,
  priority: 10,
  mode: 'auto',
  cooldownSeconds: 0,
  conditions: {
    all: [
      { fact: 'alarm', path: '$.type', operator: 'equal', value: 'disk.full' },
      { fact: 'alarm', path: '$.resource.kind', operator: 'equal', value: 'host' },
      { fact: 'maintenance', operator: 'equal', value: null },
    ],
  },
  event: { type: 'notify', params: { onFailure: 'continue' } },
};

const BASE = Date.parse('2026-11-01T00:00:00Z');

function sequence(): AlarmV1[] {
  let second = 0;
  const at = () => new Date(BASE + 1000 * second++).toISOString();
  const make = (
    id: string,
    type: string,
    kind: 'host' | 'instance' | 'group',
    resource: string,
    state: 'firing' | 'resolved' = 'firing',
  ): AlarmV1 => ({
    id,
    source: 'eq',
    type,
    severity: 'critical',
    state,
    resource: { kind, id: resource },
    occurredAt: at(),
  });
  const d1 = make('d1', 'disk.full', 'host', 'cmp-02');
  return [
    d1, // triggered: notify, no maintenance on cmp-02
    make('d1', 'disk.full', 'host', 'cmp-02'), // duplicate of the one before it
    d1, // the same message again: a replay
    make('m1', 'host.maintenance.requested', 'host', 'cmp-04'), // drain of cmp-04
    make('d2', 'disk.full', 'host', 'cmp-04'), // conditions-failed: cmp-04 is in maintenance now
    make('m1', 'host.maintenance.requested', 'host', 'cmp-04', 'resolved'), // closes m1
    make('d3', 'disk.full', 'host', 'cmp-04'), // triggered: maintenance over
    make('h1', 'host.down', 'host', 'cmp-01'), // failover of cmp-01
    make('i1', 'instance.down', 'instance', 'db-1'), // correlated to h1 (db-1 is on cmp-01)
    make('h1', 'host.down', 'host', 'cmp-01', 'resolved'), // closes h1
    make('i2', 'instance.down', 'instance', 'app-01'), // on cmp-01, no longer correlated: no role, conditions-failed
    make('i3', 'instance.down', 'instance', 'ghost'), // rejected: not in the inventory
    make('d1', 'disk.full', 'host', 'cmp-02', 'resolved'), // closes d1
    make('d1', 'disk.full', 'host', 'cmp-02'), // open again: triggered
    make('f1', 'fan.noise', 'host', 'cmp-03'), // no rule for the type
  ];
}

/** What was decided, per stored message in arrival order, with row ids replaced by alarm ids. */
async function decisions(db: Client): Promise<string[]> {
  const rows = await db.query<{
    alarm_id: string;
    state: string;
    disposition: string;
    has_plan: boolean;
    correlated: string | null;
  }>(
    `SELECT a.alarm_id, a.state, a.disposition, a.plan_id IS NOT NULL AS has_plan,
            c.alarm_id || '/' || c.state AS correlated
       FROM alarms a LEFT JOIN alarms c ON c.id = a.correlated_to ORDER BY a.id`,
  );
  return rows.rows.map(
    (r) =>
      `${r.alarm_id}/${r.state}: ${r.disposition}${r.has_plan ? ' +plan' : ''}${r.correlated ? ` -> ${r.correlated}` : ''}`,
  );
}

describe('intake in batches', () => {
  let engine: TestEngine;
  let db: Client;
  let rulesDir: string;

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'reflex-rules-'));
    cpSync(join(__dirname, '../../rules'), rulesDir, { recursive: true });
    writeFileSync(
      join(rulesDir, `${MAINTENANCE_AWARE_RULE.name}.rule.json`),
      JSON.stringify(MAINTENANCE_AWARE_RULE),
    );
    engine = await startTestEngine({ RULES_DIR: rulesDir });
    db = new Client({ connectionString: engine.database.url });
    await db.connect();
    expect((await http('PUT', `${engine.url}/v1/inventory`, smallCloud(2))).status).toBe(200);
  });
  afterAll(async () => {
    await db.end();
    await engine.close();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('decides a sequence in one transaction as it decides it one alarm at a time', async () => {
    const alarms = sequence();
    const oneByOne = [];
    for (const alarm of alarms) {
      const res = await http('POST', `${engine.url}/v1/alarms`, alarm);
      expect(res.status).toBe(202);
      oneByOne.push(res.body.items[0] as { disposition: string; replay: boolean });
    }
    const expected = await decisions(db);
    // The sequence covers what it claims to (so the comparison below is not of trivia).
    expect(expected).toEqual([
      'd1/firing: triggered +plan',
      'd1/firing: duplicate +plan -> d1/firing',
      'm1/firing: triggered +plan',
      'd2/firing: conditions-failed',
      'm1/resolved: resolved +plan -> m1/firing',
      'd3/firing: triggered +plan',
      'h1/firing: triggered +plan',
      'i1/firing: correlated +plan -> h1/firing',
      'h1/resolved: resolved +plan -> h1/firing',
      'i2/firing: conditions-failed',
      'i3/firing: rejected',
      'd1/resolved: resolved +plan -> d1/firing',
      'd1/firing: triggered +plan',
      'f1/firing: no-rule',
    ]);
    expect(oneByOne[2]).toMatchObject({ disposition: 'triggered', replay: true });

    await resetDecisions((sql) => db.query(sql));
    const batch = await engine.app
      .get(IngestAlarmUseCase)
      .executeBatch(alarms.map((alarm) => ({ alarm, payload: alarm, channel: 'kafka' as const })));
    expect(await decisions(db)).toEqual(expected);
    expect(batch.map((r) => [r.disposition, r.replay])).toEqual(
      oneByOne.map((r) => [r.disposition, r.replay]),
    );

    await resetDecisions((sql) => db.query(sql));
    // One key: one partition, so the topic keeps the sequence's order across resources.
    await sendMessages(
      topicName(Topic.Alarms, engine.config.topicPrefix),
      alarms.map((alarm) => ({ key: 'one-partition', value: JSON.stringify(alarm) })),
    );
    await waitFor('the sequence to be decided from the topic', async () => {
      const done = await db.query(`SELECT 1 FROM alarms WHERE disposition <> 'received'`);
      return done.rowCount === expected.length;
    });
    expect(await decisions(db)).toEqual(expected);
  });
});
