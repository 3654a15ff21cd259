import { DataSource } from 'typeorm';
import { hangMigrations } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

/** CONTRACT §8: a unique prefix of at least 8 characters stands for a plan id. */
describe('plan id prefixes', () => {
  const ctx = planSpec();

  beforeAll(async () => {
    ctx.driver.use(hangMigrations);
  });

  /**
   * A copy of plan `id`'s row under another id, the only way to make two ids share a prefix;
   * cancelled, as only one live plan may target a resource.
   */
  async function twin(id: string, twinId: string): Promise<void> {
    await ctx.engine.app.get(DataSource).transaction(async (m) => {
      await m.query('CREATE TEMP TABLE twin ON COMMIT DROP AS SELECT * FROM plans WHERE id = $1', [
        id,
      ]);
      await m.query(`UPDATE twin SET id = $1, state = 'cancelled'`, [twinId]);
      await m.query('INSERT INTO plans SELECT * FROM twin');
    });
  }

  it('finds, approves and cancels a plan by a unique prefix on every route that takes a plan id', async () => {
    await ctx.seed(inventory([host('p1'), host('p2')], [vm('p-vm1', 'p1')]));
    const manual = await ctx.createPlan(intent('migrate-off', hostRef('p1'), { mode: 'manual' }));
    const id = manual.planId!;
    const prefix = id.slice(0, 8);

    const got = await ctx.call('GET', `/v1/plans/${prefix}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(id);
    expect((await ctx.call('GET', `/v1/plans/${id.slice(0, 13).toUpperCase()}`)).body.id).toBe(id);

    const events = await ctx.call('GET', `/v1/plans/${prefix}/events`);
    expect(events.status).toBe(200);
    expect(events.body.items[0]).toMatchObject({ planId: id, to: 'pending_approval' });

    const approved = await ctx.call('POST', `/v1/plans/${prefix}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, state: 'running' });

    const cancelled = await ctx.call('POST', `/v1/plans/${id.slice(0, 10)}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.id).toBe(id);
    await ctx.waitForPlanState(id, 'cancelled');
  });

  it('answers 409 naming the candidates for an ambiguous prefix, 404 for none, 400 for a short one', async () => {
    await ctx.seed(inventory([host('q1'), host('q2')], [vm('q-vm1', 'q1')]));
    const { planId } = await ctx.createPlan(
      intent('migrate-off', hostRef('q1'), { mode: 'manual' }),
    );
    const id = planId!;
    // Same first 9 characters, differs after: 8 and 9 are ambiguous, 10 is not.
    const other = `${id.slice(0, 9)}${id[9] === '0' ? '1' : '0'}${id.slice(10)}`;
    await twin(id, other);

    for (const path of [`/v1/plans/${id.slice(0, 8)}`, `/v1/plans/${id.slice(0, 9)}/approve`]) {
      const ambiguous = path.endsWith('approve')
        ? await ctx.call('POST', path, {})
        : await ctx.call('GET', path);
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.body.error.code).toBe('CONFLICT');
      expect(ambiguous.body.error.message).toContain('ambiguous');
      expect(ambiguous.body.error.message).toContain(id);
      expect(ambiguous.body.error.message).toContain(other);
      expect(ambiguous.body.error.details.candidates.sort()).toEqual([id, other].sort());
    }
    expect((await ctx.call('GET', `/v1/plans/${id.slice(0, 10)}`)).body.id).toBe(id);
    expect((await ctx.call('GET', `/v1/plans/${other.slice(0, 10)}`)).body.id).toBe(other);

    // The ambiguous approve changed nothing.
    expect((await ctx.call('GET', `/v1/plans/${id}`)).body.state).toBe('pending_approval');

    const unknownPrefix = id.startsWith('ffffffff') ? '00000000' : 'ffffffff';
    const none = await ctx.call('GET', `/v1/plans/${unknownPrefix}`);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toContain(unknownPrefix);
    expect((await ctx.call('POST', `/v1/plans/${unknownPrefix}/cancel`, {})).status).toBe(404);

    const short = await ctx.call('GET', `/v1/plans/${id.slice(0, 7)}`);
    expect(short.status).toBe(400);
    expect(short.body.error.details).toEqual([
      { path: 'id', message: 'is a plan id prefix shorter than 8 characters' },
    ]);
    expect((await ctx.call('GET', `/v1/plans/${id.slice(0, 7)}/events`)).status).toBe(400);
  });
});
