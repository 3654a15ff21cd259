// Found by the chaos suite's fuzzer: an alarm about a resource the inventory does not hold went
// through the rules, and a rule that matched on the type alone made a plan for it, blocked ("needs
// a known host"): one more blocked plan per hostile or mistyped alarm. Such an alarm is now refused
// with the reason (disposition `rejected`, kept in the audit) before any rule.
import { Topic, topicName } from '@reflex/contracts';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { sendMessages } from '../support/kafka';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

describe('alarms about resources not in the inventory', () => {
  const ctx = engineWithDatabase();

  beforeAll(async () => {
    await ctx.putInventory(smallCloud());
  });

  it.each([
    ['host.down', 'host', 'cmp-99'],
    ['instance.down', 'instance', 'db-99'],
    ['group.degraded', 'group', 'nope'],
  ] as const)(
    '%s about %s %s is rejected with the reason, and makes no plan',
    async (type, kind, id) => {
      const res = await http('POST', `${ctx.engine.url}/v1/alarms`, alarm(type, kind, id));
      expect(res.status).toBe(202);
      expect(res.body.items[0]).toMatchObject({
        disposition: 'rejected',
        planId: null,
        reason: `${kind} ${id} is not in the inventory`,
      });
      const plans = await ctx.db.query(
        `SELECT count(*)::int AS n FROM plans WHERE target_id = $1`,
        [id],
      );
      expect(plans.rows[0].n).toBe(0);
    },
  );

  it('does the same for alarms from the topic', async () => {
    const ghost = alarm('host.down', 'host', 'cmp-77');
    await sendMessages(topicName(Topic.Alarms, ctx.engine.config.topicPrefix), [
      { key: 'cmp-77', value: JSON.stringify(ghost) },
    ]);
    const row = await waitFor('the alarm to be decided', async () => {
      const r = await ctx.db.query(`SELECT disposition, decision FROM alarms WHERE alarm_id = $1`, [
        ghost.id,
      ]);
      return r.rows[0];
    });
    expect(row).toMatchObject({
      disposition: 'rejected',
      decision: { reason: 'host cmp-77 is not in the inventory' },
    });
  });

  it('still decides alarms about known resources', async () => {
    const res = await http(
      'POST',
      `${ctx.engine.url}/v1/alarms`,
      alarm('host.down', 'host', 'cmp-04'),
    );
    expect(res.body.items[0]).toMatchObject({ disposition: 'triggered' });
  });
});
