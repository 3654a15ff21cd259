/**
 * A local Keystone v3 + Nova v2.1 test double on 127.0.0.1 (port 0). It answers with the shapes of
 * the API reference (201 + X-Subject-Token, 202 for actions, 200 migration lists, 404/409 error
 * bodies such as {"conflictingRequest": {"code": 409, "message": ...}}) and records every request
 * so tests can assert the exact bodies and headers. Servers move through Nova's states one step
 * per read, so progress shows up as the driver polls.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeNovaCloud, novaError as err } from './fake-nova.model';

export type { FakeMigration, FakeServer, FakeService } from './fake-nova.model';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}
export class FakeNova extends FakeNovaCloud {
  readonly requests: RecordedRequest[] = [];
  /** `METHOD /path` → statuses to answer with before serving normally (e.g. [503]). */
  readonly failNext: Record<string, number[]> = {};
  url = '';
  private readonly tokens = new Set<string>();
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
  expireTokens(): void {
    this.tokens.clear();
  }

  compute(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && r.path.startsWith(`/compute/v2.1${pathPrefix}`),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (recorded.path === '/identity/v3/auth/tokens' && recorded.method === 'POST') {
      return this.auth(recorded, send);
    }
    const injected =
      this.failNext[`${recorded.method} ${recorded.path.replace('/compute/v2.1', '')}`];
    if (injected?.length) return send(injected.shift()!, err(503, 'computeFault', 'injected'));
    if (!this.tokens.has(recorded.headers['x-auth-token'])) {
      return send(401, { error: { code: 401, title: 'Unauthorized', message: 'token expired' } });
    }
    const [status, body] = this.route(recorded);
    send(status, body);
  }

  private auth(
    r: RecordedRequest,
    send: (s: number, b?: unknown, h?: Record<string, string>) => void,
  ) {
    const b = r.body as { auth?: { identity?: { password?: { user?: { password?: string } } } } };
    if (b.auth?.identity?.password?.user?.password !== 'secret') {
      return send(401, { error: { code: 401, title: 'Unauthorized', message: 'bad credentials' } });
    }
    const token = `tok-${randomUUID()}`;
    this.tokens.add(token);
    const endpoint = (iface: string) => ({
      interface: iface,
      region: 'RegionOne',
      region_id: 'RegionOne',
      url: `${this.url}/compute/v2.1${iface === 'internal' ? '-internal' : ''}`,
    });
    send(
      201,
      {
        token: {
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          methods: ['password'],
          catalog: [
            { type: 'identity', name: 'keystone', endpoints: [] },
            {
              type: 'compute',
              name: 'nova',
              endpoints: [endpoint('internal'), endpoint('public')],
            },
          ],
        },
      },
      { 'X-Subject-Token': token },
    );
  }

  private route(r: RecordedRequest): [number, unknown] {
    const path = r.path.replace(/^\/compute\/v2\.1/, '');
    let m: RegExpExecArray | null;
    if ((m = /^\/servers\/([^/]+)$/.exec(path)) && r.method === 'GET') {
      const s = this.servers[m[1]];
      if (!s) return [404, err(404, 'itemNotFound', `Instance ${m[1]} could not be found.`)];
      this.advance(s);
      return [200, { server: this.serverBody(s) }];
    }
    if ((m = /^\/servers\/([^/]+)\/action$/.exec(path)) && r.method === 'POST') {
      const s = this.servers[m[1]];
      if (!s) return [404, err(404, 'itemNotFound', `Instance ${m[1]} could not be found.`)];
      return this.action(s, r.body as Record<string, Record<string, unknown> | null>);
    }
    if ((m = /^\/servers\/([^/]+)\/migrations$/.exec(path)) && r.method === 'GET') {
      const s = this.servers[m[1]];
      if (s) this.advance(s);
      const live = this.migrations.filter((x) => x.server === m![1] && x.status === 'running');
      return [200, { migrations: live.map((x) => this.migrationBody(x)) }];
    }
    if ((m = /^\/servers\/([^/]+)\/migrations\/(\d+)(\/action)?$/.exec(path))) {
      const mig = this.migrations.find(
        (x) => x.server === m![1] && x.id === Number(m![2]) && x.status === 'running',
      );
      if (!mig)
        return [404, err(404, 'itemNotFound', `Migration ${m[2]} for server ${m[1]} not found.`)];
      if (r.method === 'DELETE') return (this.endMigration(mig, 'cancelled'), [202, undefined]);
      if (r.method === 'POST' && m[3]) return ((mig.forced = true), [202, undefined]);
    }
    if (path === '/os-services' && r.method === 'GET') {
      return [
        200,
        {
          services: this.services.filter(
            (s) =>
              (!r.query.host || s.host === r.query.host) &&
              (!r.query.binary || s.binary === r.query.binary),
          ),
        },
      ];
    }
    if ((m = /^\/os-services\/([^/]+)$/.exec(path)) && r.method === 'PUT') {
      const svc = this.services.find((s) => s.id === m![1]);
      if (!svc) return [404, err(404, 'itemNotFound', `Service ${m[1]} not found.`)];
      Object.assign(svc, r.body);
      if (svc.forced_down) svc.state = 'down';
      return [200, { service: svc }];
    }
    return [404, err(404, 'itemNotFound', `no route for ${r.method} ${path}`)];
  }
}
