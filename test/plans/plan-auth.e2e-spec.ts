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

  const request = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${engine.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const timelineOf = async (planId: string) =>
    (
      (await (await request('GET', `/v1/plans/${planId}/events`, VIEWER)).json()) as {
        items: TimelineItem[];
      }
    ).items;

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
    const approval = (await timelineOf(planId!)).find((e) => e.to === 'pending');
    expect(approval?.detail).toEqual({ approvedBy: 'ops-bot' });
  });

  it("records the token's name as the actor whatever the body claims, keeping the claim as a note", async () => {
    await seed(engine, inventory([host('f1'), host('f2')], [vm('f-vm1', 'f1')]));
    const manual = () =>
      createPlan(engine, intent('migrate-off', hostRef('f1'), { mode: 'manual' }));
    const forged = { by: 'a (admin)' };
    const toCancel = await manual();
    const cancelled = await request('POST', `/v1/plans/${toCancel.planId}/cancel`, OPERATOR, {
      ...forged,
      reason: 'not now',
    });
    expect(cancelled.status).toBe(200);
    const toApprove = await manual();
    const approved = await request(
      'POST',
      `/v1/plans/${toApprove.planId}/approve`,
      OPERATOR,
      forged,
    );
    expect(approved.status).toBe(200);
    const cancel = (await timelineOf(toCancel.planId!)).find((e) => e.to === 'cancelled');
    expect(cancel?.detail).toEqual({
      cancelledBy: 'ops-bot',
      reason: 'not now',
      note: 'a (admin)',
    });
    const approval = (await timelineOf(toApprove.planId!)).find((e) => e.to === 'pending');
    expect(approval?.detail).toEqual({ approvedBy: 'ops-bot', note: 'a (admin)' });
  });
});
