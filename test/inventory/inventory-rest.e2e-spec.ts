import type { InventoryV1 } from '@reflex/contracts';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import {
  call,
  fieldsOf,
  group,
  host,
  instance,
  sampleInventory,
  type Reply,
} from './inventory-test-kit';

describe('inventory REST API', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(() => engine?.close());

  beforeEach(async () => {
    expect((await call(engine, 'PUT', '/v1/inventory', sampleInventory())).status).toBe(200);
  });

  describe('PUT|GET /v1/inventory', () => {
    it('round-trips the whole document', async () => {
      const reply = await call<InventoryV1>(engine, 'GET', '/v1/inventory');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(sampleInventory());
    });

    it('replaces: deletes what is absent, updates what changed, adds what is new', async () => {
      const next = sampleInventory();
      next.hosts = next.hosts.filter((h) => h.id !== 'cmp-03').concat(host('cmp-04'));
      next.instances = next.instances.filter((i) => i.hostId !== 'cmp-03');
      next.instances[0].state = 'stopped';
      next.groups = [group('db', { standby: 0 }), group('web', { active: 1, standby: 0 })];
      const put = await call<InventoryV1>(engine, 'PUT', '/v1/inventory', next);
      expect(put.status).toBe(200);
      expect(put.body).toEqual(next);
      expect((await call(engine, 'GET', '/v1/inventory')).body).toEqual(next);
      expect((await call(engine, 'GET', '/v1/hosts/cmp-03')).status).toBe(404);
      expect((await call(engine, 'GET', '/v1/instances/vm-03')).status).toBe(404);
    });

    it('refuses an invalid document with 400 naming each field, and keeps the stored one', async () => {
      const bad = sampleInventory() as any;
      bad.hosts[1].capacity.vcpus = 'lots';
      bad.instances[0].hostId = 'cmp-99';
      const reply = await call(engine, 'PUT', '/v1/inventory', bad);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(reply)).toContain('/hosts/1/capacity/vcpus');
      expect(reply.body.error.message).toContain('/hosts/1/capacity/vcpus');

      const semantic = sampleInventory();
      semantic.instances[0].hostId = 'cmp-99';
      const refused = await call(engine, 'PUT', '/v1/inventory', semantic);
      expect(refused.status).toBe(400);
      expect(fieldsOf(refused)).toEqual(['/instances/0/hostId']);
      expect((await call(engine, 'GET', '/v1/inventory')).body).toEqual(sampleInventory());
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await fetch(`${engine.url}/v1/inventory`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"hosts": [',
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.code).toBe('BAD_REQUEST');
    });
  });

  const resources = [
    {
      path: 'hosts',
      kind: 'host',
      object: host('cmp-09', { labels: { team: 'storage' } }),
      changed: host('cmp-09', { status: 'disabled' }),
      badField: '/capacity/vcpus',
      bad: { ...host('cmp-09'), capacity: { vcpus: -1, memoryMb: 1 } },
    },
    {
      path: 'instances',
      kind: 'instance',
      object: instance('vm-09', { hostId: 'cmp-02' }),
      changed: instance('vm-09', {
        hostId: 'cmp-01',
        groupId: 'db',
        role: 'standby',
        priority: 90,
      }),
      badField: '/resources/vcpus',
      bad: { ...instance('vm-09'), resources: { vcpus: 'four', memoryMb: 1 } },
    },
    {
      path: 'groups',
      kind: 'group',
      object: group('cache', { active: 3, standby: 0, antiAffinity: 'zone' }),
      changed: group('cache', { active: 1, antiAffinity: 'rack' }),
      badField: '/antiAffinity',
      bad: { ...group('cache'), antiAffinity: 'row' },
    },
  ];

  describe.each(resources)('/v1/$path/:id', ({ path, kind, object, changed, badField, bad }) => {
    const url = `/v1/${path}/${object.id}`;

    it('creates with PUT, reads with GET, replaces with PUT, deletes with DELETE (204)', async () => {
      expect(await call(engine, 'GET', url)).toMatchObject({ status: 404 });
      expect(await call(engine, 'PUT', url, object)).toEqual({ status: 200, body: object });
      expect(await call(engine, 'GET', url)).toEqual({ status: 200, body: object });
      expect(await call(engine, 'PUT', url, changed)).toEqual({ status: 200, body: changed });
      expect(await call(engine, 'GET', url)).toEqual({ status: 200, body: changed });
      expect(await call(engine, 'DELETE', url)).toEqual({ status: 204, body: undefined });
      expect((await call(engine, 'GET', url)).status).toBe(404);
    });

    it('answers 404 with the error body for an unknown id, on GET and DELETE', async () => {
      for (const method of ['GET', 'DELETE']) {
        const reply: Reply = await call(engine, method, `/v1/${path}/nope`);
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({
          error: {
            code: 'NOT_FOUND',
            message: `${kind} nope not found`,
            details: { kind, id: 'nope' },
          },
        });
      }
    });

    it('refuses an invalid body with 400 naming the field', async () => {
      const reply = await call(engine, 'PUT', url, bad);
      expect(reply.status).toBe(400);
      expect(fieldsOf(reply)).toEqual([badField]);
      expect((await call(engine, 'GET', url)).status).toBe(404);
    });

    it('refuses an instance priority outside 0-100 with 400 naming /priority', async () => {
      for (const priority of [101, -1, 2.5, '90']) {
        const reply = await call(engine, 'PUT', '/v1/instances/vm-09', {
          ...instance('vm-09'),
          priority,
        });
        expect(reply.status).toBe(400);
        expect(fieldsOf(reply)).toEqual(['/priority']);
      }
      expect((await call(engine, 'GET', '/v1/instances/vm-09')).status).toBe(404);
    });

    it('refuses a body whose id differs from the path with 400 naming /id', async () => {
      const reply = await call(engine, 'PUT', `/v1/${path}/other-id`, object);
      expect(reply.status).toBe(400);
      expect(fieldsOf(reply)).toEqual(['/id']);
      expect((await call(engine, 'GET', `/v1/${path}/other-id`)).status).toBe(404);
      expect((await call(engine, 'GET', url)).status).toBe(404);
    });
  });

  describe('lists', () => {
    it('pages through hosts with nextCursor', async () => {
      const first = await call(engine, 'GET', '/v1/hosts?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((h: { id: string }) => h.id)).toEqual(['cmp-01', 'cmp-02']);
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await call(engine, 'GET', `/v1/hosts?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({
        items: [
          {
            ...sampleInventory().hosts[2],
            // bm-01 and vm-03, 4 vCPU / 8 GiB each, on 64 vCPU / 256 GiB: 12.5% of the vCPUs.
            load: {
              capacity: { vcpus: 64, memoryMb: 262144 },
              used: { vcpus: 8, memoryMb: 16384 },
              free: { vcpus: 56, memoryMb: 245760 },
              instanceCount: 2,
              percent: 13,
            },
          },
        ],
        nextCursor: null,
      });
    });

    it('lists each group with its members, their health and the redundancy', async () => {
      expect(
        (await call(engine, 'PUT', '/v1/hosts/cmp-02', host('cmp-02', { status: 'down' }))).status,
      ).toBe(200);
      const reply = await call(engine, 'GET', '/v1/groups');
      expect(reply.status).toBe(200);
      const [db] = reply.body.items;
      expect(db).toMatchObject({
        ...group('db'),
        members: [
          {
            instance: 'vm-01',
            host: 'cmp-01',
            role: 'active',
            state: 'running',
            hostStatus: 'up',
            healthy: true,
          },
          {
            instance: 'vm-02',
            host: 'cmp-02',
            role: 'active',
            state: 'running',
            hostStatus: 'down',
            healthy: false,
          },
          {
            instance: 'vm-03',
            host: 'cmp-03',
            role: 'standby',
            state: 'running',
            hostStatus: 'up',
            healthy: true,
          },
        ],
        status: { healthyActive: 1, healthyStandby: 1, redundant: false },
      });
      // The same moment the group's own status reports: both read the stored degraded_since.
      const own = await call(engine, 'GET', '/v1/groups/db/status');
      expect(db.status.degradedSince).toBe(own.body.degradedSince);
      expect(typeof db.status.degradedSince).toBe('string');
    });

    it('filters instances by host and group, and lists groups', async () => {
      const onHost = await call(engine, 'GET', '/v1/instances?hostId=cmp-03');
      expect(onHost.body.items.map((i: { id: string }) => i.id)).toEqual(['bm-01', 'vm-03']);
      const members = await call(engine, 'GET', '/v1/instances?groupId=db&limit=1000');
      expect(members.body.items).toHaveLength(3);
      const groups = await call(engine, 'GET', '/v1/groups');
      expect(groups.body.nextCursor).toBeNull();
      expect(groups.body.items.map((g: { id: string }) => g.id)).toEqual(['db']);
      expect(groups.body.items[0].status).toEqual({
        healthyActive: 2,
        healthyStandby: 1,
        redundant: true,
        degradedSince: null,
      });
    });

    it('refuses a bad limit or cursor with 400 naming it', async () => {
      const limit = await call(engine, 'GET', '/v1/hosts?limit=0');
      expect(limit.status).toBe(400);
      expect(fieldsOf(limit)).toEqual(['limit']);
      const cursor = await call(engine, 'GET', '/v1/groups?cursor=not%20a%20cursor');
      expect(cursor.status).toBe(400);
      expect(fieldsOf(cursor)).toEqual(['cursor']);
    });
  });

  it('lists every inventory route in the OpenAPI document, with the schemas', async () => {
    const doc = (await call(engine, 'GET', '/docs-json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'PUT /v1/inventory',
        'GET /v1/inventory',
        ...['hosts', 'instances', 'groups'].flatMap((p) => [
          `GET /v1/${p}`,
          `GET /v1/${p}/{id}`,
          `PUT /v1/${p}/{id}`,
          `DELETE /v1/${p}/{id}`,
        ]),
        'GET /v1/groups/{id}/status',
      ]),
    );
    const hostBody = doc.paths['/v1/hosts/{id}'].put.requestBody.content['application/json'].schema;
    expect(hostBody.properties.capacity.properties.vcpus).toMatchObject({ type: 'integer' });
    expect(hostBody.properties.status.enum).toEqual(['up', 'down', 'disabled', 'maintenance']);
    expect(JSON.stringify(doc)).not.toContain('$ref":"common.v1');
  });
});
