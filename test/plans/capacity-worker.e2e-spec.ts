// The capacity forecast runs on a worker thread (issue 19): while the engine plans the failover of
// every host, rack and zone of a 1,000-host cloud, its event loop keeps answering /healthz. On the
// event loop, no health check could be answered until the forecasts were done.
import type { CapacityForecast } from '@reflex/domain';
import { plannerCloud } from '../../bench/support/planner-cloud';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { seed } from './support/plan-fixtures';

describe('capacity forecast off the event loop (real engine and PostgreSQL)', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine();
    const { inventory } = plannerCloud({
      hosts: 1_000,
      instances: 20_000,
      groups: 500,
      bigHostInstances: 20,
    });
    await seed(engine, inventory);
  }, 120_000);
  afterAll(() => engine?.close());

  it('answers /healthz while it forecasts every host, rack and zone', async () => {
    let done = false;
    const forecasts = Promise.all(
      ['host', 'rack', 'zone'].map((domain) =>
        http<CapacityForecast>('GET', `${engine.url}/v1/capacity/forecast?domain=${domain}`),
      ),
    ).finally(() => (done = true));
    const answered: number[] = [];
    const started = Date.now();
    while (!done) {
      const t = Date.now();
      const res = await http('GET', `${engine.url}/healthz`);
      expect(res.status).toBe(200);
      if (!done) answered.push(Date.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const took = Date.now() - started;
    const results = await forecasts;
    expect(results.map((r) => [r.status, r.body.summary.domains])).toEqual([
      [200, 1_000],
      [200, 1_000],
      [200, 20],
    ]);
    // A health check every 50 ms or so all along: none waited for the forecasts.
    expect(answered.length).toBeGreaterThanOrEqual(Math.floor(took / 500));
    expect(Math.max(...answered)).toBeLessThan(Math.max(1_000, took / 2));
  }, 120_000);
});
