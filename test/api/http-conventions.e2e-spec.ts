import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm } from '../support/topology';

describe('HTTP conventions (CONTRACT §8)', () => {
  let engine: TestEngine;
  beforeAll(async () => (engine = await startTestEngine()));
  afterAll(() => engine.close());

  it('refuses a body over the limit with 413 in the error shape, and keeps serving', async () => {
    const huge = {
      ...alarm('disk.full', 'host', 'cmp-01'),
      annotations: { summary: 'x'.repeat(2 * 1024 * 1024) },
    };
    const res = await http('POST', `${engine.url}/v1/alarms`, huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await http('GET', `${engine.url}/healthz`)).status).toBe(200);
  });

  it('accepts a whole inventory larger than the default limit on PUT /v1/inventory', async () => {
    const hosts = Array.from({ length: 8000 }, (_, i) => ({
      id: `host-${String(i).padStart(5, '0')}`,
      zone: `az${i % 3}`,
      status: 'up',
      hypervisor: 'kvm',
      driver: 'simulator',
      capacity: { vcpus: 64, memoryMb: 262144 },
      labels: { rack: `r${i % 40}`, row: `row-${i % 7}` },
    }));
    const body = JSON.stringify({ hosts, instances: [], groups: [] });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await http('PUT', `${engine.url}/v1/inventory`, body);
    expect(res.status).toBe(200);
    expect(res.body.hosts).toHaveLength(8000);
  });

  it('answers unknown routes and ids with 404 in the error shape', async () => {
    const route = await http('GET', `${engine.url}/v1/no-such-thing`);
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('NOT_FOUND');
    const host = await http('GET', `${engine.url}/v1/hosts/nope`);
    expect(host.status).toBe(404);
    expect(host.body.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { kind: 'host', id: 'nope' },
    });
  });

  it('answers a body that is not JSON with 400 saying so', async () => {
    const res = await http('POST', `${engine.url}/v1/alarms`, '{"id": "a", ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toMatch(/JSON at position \d+/);
  });
});
