// Reading plans over REST: the list by state and policy, newest first, with cursor paging, the
// actions list, and the OpenAPI document's plans and actions routes. Operating them: plan-operations.
import { succeed } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec } from './support/plan-fixtures';

describe('listing plans over REST', () => {
  const ctx = planSpec();
  beforeEach(() => ctx.driver.use(succeed()));

  it('lists plans by state and policy, newest first, with cursor paging', async () => {
    await ctx.seed(inventory([host('l1')], []));
    const notify = intent('notify', hostRef('l1'), { params: { message: 'x', severity: 'info' } });
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await ctx.createPlan(notify)).planId!);
    const blocked = await ctx.createPlan(intent('switch-over', { kind: 'instance', id: 'nope' }));

    const page1 = await ctx.call('GET', '/v1/plans?policy=notify&limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await ctx.call(
      'GET',
      `/v1/plans?policy=notify&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.nextCursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((p: { id: string }) => p.id);
    expect(ids).toEqual([...made].reverse());

    const found = await ctx.call('GET', '/v1/plans?state=blocked&policy=switch-over');
    expect(found.body.items.map((p: { id: string }) => p.id)).toEqual([blocked.planId]);
    expect(found.body.items[0].reason).toBe('unknown instance nope');

    const bad = await ctx.call('GET', '/v1/plans?state=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('state');
    expect((await ctx.call('GET', '/v1/plans?cursor=bogus')).status).toBe(400);
    const actions = await ctx.call('GET', '/v1/actions?type=notify&host=l1');
    expect(actions.status).toBe(200);
    expect((await ctx.call('GET', '/v1/actions?type=teleport')).status).toBe(400);
  });

  it('documents every plans and actions route in the OpenAPI document', async () => {
    const doc = await ctx.call<{ paths: Record<string, Record<string, { tags?: string[] }>> }>(
      'GET',
      '/docs-json',
    );
    const routes = Object.entries(doc.body.paths)
      .filter(([path]) => path.startsWith('/v1/plans') || path.startsWith('/v1/actions'))
      .flatMap(([path, ops]) => Object.keys(ops).map((verb) => `${verb.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual([
      'GET /v1/actions',
      'GET /v1/plans',
      'GET /v1/plans/{id}',
      'GET /v1/plans/{id}/events',
      'POST /v1/actions/{id}/abort',
      'POST /v1/actions/{id}/force-complete',
      'POST /v1/plans/approve',
      'POST /v1/plans/{id}/approve',
      'POST /v1/plans/{id}/cancel',
    ]);
  });
});
