import { startTestEngine, type TestEngine } from '../support/engine-app';
import {
  createPlan,
  host,
  hostRef,
  intent,
  inventory,
  seed,
  type TimelineItem,
  vm,
} from './support/plan-fixtures';

const VIEWER = 'viewer-token-0123456789';
const OPERATOR = 'operator-token-0123456789';

describe('plans API roles (AUTH_TOKENS)', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine({
      AUTH_TOKENS: `watcher:viewer:${VIEWER},ops-bot:operator:${OPERATOR}`,
    });
  });
  afterAll(() => engine?.close());

  const request = (method: string, path: string, token: string) =>
    fetch(`${engine.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('lets a viewer read and an operator approve, recording who approved', async () => {
    await seed(engine, inventory([host('u1'), host('u2')], [vm('u-vm1', 'u1')]));
    const { planId } = await createPlan(
      engine,
      intent('migrate-off', hostRef('u1'), { mode: 'manual' }),
    );
    expect((await request('GET', `/v1/plans/${planId}`, VIEWER)).status).toBe(200);
    expect((await request('GET', '/v1/actions', VIEWER)).status).toBe(200);
    expect((await request('POST', `/v1/plans/${planId}/approve`, VIEWER)).status).toBe(403);
    expect((await request('POST', `/v1/plans/${planId}/cancel`, VIEWER)).status).toBe(403);
    expect((await request('POST', `/v1/plans/${planId}/approve`, OPERATOR)).status).toBe(200);
    const events = await request('GET', `/v1/plans/${planId}/events`, VIEWER);
    const { items } = (await events.json()) as { items: TimelineItem[] };
    const approval = items.find((e) => e.to === 'pending');
    expect(approval?.detail).toEqual({ approvedBy: 'ops-bot' });
  });
});
