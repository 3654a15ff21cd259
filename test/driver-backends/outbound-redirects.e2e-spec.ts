// The driver's outbound calls carry secrets (issue 14): a redirect to another origin must not
// receive the body or the headers again. Here every redirect points at a second server on another
// port that records whatever reaches it: it must receive nothing.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendAction } from '../../apps/driver/src/backends/backend.port';
import { KeystoneSession } from '../../apps/driver/src/backends/openstack/keystone.session';
import { NovaClient } from '../../apps/driver/src/backends/openstack/nova.client';
import { parseOpenStackConfig } from '../../apps/driver/src/backends/openstack/openstack.config';
import type { WebhookSpec } from '../../apps/driver/src/hooks/hooks.config';
import { runWebhookHook } from '../../apps/driver/src/hooks/webhook-hook.runner';
import { deadlineIn } from './support/driver-fixtures';

async function listen(handler: (req: IncomingMessage, body: string) => [number, object, string]) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const [status, headers, text] = handler(req, body);
      res.writeHead(status, headers as Record<string, string>).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('outbound calls do not follow redirects', () => {
  let elsewhere: { server: Server; url: string };
  let redirector: { server: Server; url: string };
  const received: Array<{ url?: string; headers: object; body: string }> = [];

  beforeAll(async () => {
    elsewhere = await listen((req, body) => {
      received.push({ url: req.url, headers: req.headers, body });
      return [200, { 'content-type': 'application/json' }, '{}'];
    });
    // Everything (webhook POST, Keystone /auth/tokens, Nova /servers) goes elsewhere, body kept.
    redirector = await listen((req) => [307, { location: `${elsewhere.url}${req.url}` }, '']);
  });
  afterAll(() => {
    elsewhere.server.close();
    redirector.server.close();
  });
  beforeEach(() => (received.length = 0));

  const openstack = (computeUrl?: string) =>
    parseOpenStackConfig(
      {
        authUrl: `${redirector.url}/identity/v3`,
        computeUrl,
        username: 'reflex',
        passwordEnv: 'REFLEX_TEST_OS_PASSWORD',
        projectName: 'admin',
        requestTimeoutMs: 2000,
      },
      { REFLEX_TEST_OS_PASSWORD: 'keystone-secret' },
    );

  it('a webhook: fails without retrying, saying where it pointed; the secret header stays home', async () => {
    const action: BackendAction = {
      actionId: 'rd-1',
      attempt: 1,
      type: 'live-migrate',
      params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
      deadline: deadlineIn(60_000),
    };
    const spec: WebhookSpec = {
      kind: 'webhook',
      name: 'cmdb',
      url: `${redirector.url}/hook`,
      headers: { 'x-hook-secret': 'webhook-secret' },
      retries: 2,
      backoffMs: 10,
      timeoutMs: 2000,
      maxOutputBytes: 4096,
    };
    const result = await runWebhookHook(spec, { phase: 'pre', action });
    expect(result).toMatchObject({ ok: false, status: 307, attempts: 1 });
    expect(result.error).toContain(`redirecting to ${elsewhere.url}/hook: not followed`);
    expect(received).toEqual([]);
  });

  it('Keystone: authentication fails, not retriable; the password is not sent elsewhere', async () => {
    const session = new KeystoneSession(openstack());
    await expect(session.credentials()).rejects.toMatchObject({
      retriable: false,
      message: expect.stringContaining('keystone answered HTTP 307'),
    });
    expect(received).toEqual([]);
  });

  it('Nova: a call fails, not retriable; the token is not sent elsewhere', async () => {
    const keystone = await listen(() => [
      201,
      { 'x-subject-token': 'nova-token', 'content-type': 'application/json' },
      JSON.stringify({ token: { expires_at: new Date(Date.now() + 3_600_000).toISOString() } }),
    ]);
    try {
      const config = { ...openstack(`${redirector.url}/compute/v2.1`), authUrl: keystone.url };
      await expect(new NovaClient(config).server('vm-01')).rejects.toMatchObject({
        retriable: false,
        message: expect.stringContaining('nova GET /servers/vm-01 answered HTTP 307'),
      });
      expect(received).toEqual([]);
    } finally {
      keystone.server.close();
    }
  });
});
