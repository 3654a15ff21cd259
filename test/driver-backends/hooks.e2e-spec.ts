import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ActionExecutor } from '../../apps/driver/src/actions/action.executor';
import type { BackendAction } from '../../apps/driver/src/backends/backend.port';
import { SimulatorBackend } from '../../apps/driver/src/backends/simulator/simulator.backend';
import { InMemorySimulatorStore } from '../../apps/driver/src/backends/simulator/simulator.store';
import { oneVmTwoHosts } from '../../apps/driver/src/backends/simulator/testing/simulated-topology';
import { runExecHook } from '../../apps/driver/src/hooks/exec-hook.runner';
import { HookRunner } from '../../apps/driver/src/hooks/hook.runner';
import type { ExecHookSpec, WebhookSpec } from '../../apps/driver/src/hooks/hooks.config';
import { runWebhookHook } from '../../apps/driver/src/hooks/webhook-hook.runner';
import {
  deadlineIn,
  recorder,
  recordingHook,
  tempDir,
  writeExecutable,
} from './support/driver-fixtures';

const action: BackendAction = {
  actionId: 'hk-1',
  attempt: 2,
  type: 'live-migrate',
  params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
  deadline: deadlineIn(60_000),
};
const exec = (command: string, extra: Partial<ExecHookSpec> = {}): ExecHookSpec => ({
  kind: 'exec',
  name: 'h',
  command,
  args: [],
  env: {},
  timeoutMs: 5000,
  maxOutputBytes: 4096,
  ...extra,
});

describe('hooks', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('hooks')));

  describe('executables', () => {
    it('get the action as JSON on stdin and REFLEX_* variables; stdout and exit code are kept', async () => {
      const hook = recordingHook(dir);
      const result = await runExecHook(exec(hook.path), { phase: 'pre', action });
      expect(result).toMatchObject({ ok: true, exitCode: 0, stdout: 'recorded live-migrate\n' });
      expect(hook.payloads('pre')).toEqual([{ phase: 'pre', action }]);
    });

    it('see a minimal environment plus their own `env`, not the driver’s secrets', async () => {
      process.env.REFLEX_TEST_SECRET = 'do-not-leak';
      const path = writeExecutable(
        dir,
        'env.sh',
        'echo "[$REFLEX_TEST_SECRET][$SITE][$REFLEX_ACTION_ATTEMPT]"',
      );
      const result = await runExecHook(exec(path, { env: { SITE: 'az1' } }), {
        phase: 'pre',
        action,
      });
      delete process.env.REFLEX_TEST_SECRET;
      expect(result.stdout).toBe('[][az1][2]\n');
    });

    it('fail on a non-zero exit, with stderr', async () => {
      const path = writeExecutable(dir, 'no.sh', 'echo "lb refuses" >&2\nexit 3');
      expect(await runExecHook(exec(path), { phase: 'pre', action })).toMatchObject({
        ok: false,
        exitCode: 3,
        stderr: 'lb refuses\n',
        error: 'exited with 3',
      });
    });

    it('truncate long output', async () => {
      const path = writeExecutable(dir, 'loud.sh', 'head -c 100000 /dev/zero | tr "\\0" x');
      const result = await runExecHook(exec(path, { maxOutputBytes: 10 }), {
        phase: 'post',
        action,
      });
      expect(result).toMatchObject({ ok: true, stdout: 'xxxxxxxxxx', truncated: true });
    });

    it('are killed at their timeout, children included', async () => {
      const path = writeExecutable(dir, 'slow.sh', 'sleep 30 &\nsleep 30');
      const started = Date.now();
      const result = await runExecHook(exec(path, { timeoutMs: 200 }), { phase: 'pre', action });
      expect(result).toMatchObject({ ok: false, timedOut: true });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('report a missing executable', async () => {
      const result = await runExecHook(exec(join(dir, 'nope')), { phase: 'fail', action });
      expect(result).toMatchObject({ ok: false, error: expect.stringContaining('ENOENT') });
    });
  });

  describe('webhooks', () => {
    let server: Server;
    let url: string;
    let answers: number[];
    let received: { headers: Record<string, unknown>; body: unknown }[];
    beforeEach(async () => {
      answers = [];
      received = [];
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            headers: req.headers,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          });
          const status = answers.shift() ?? 200;
          if (status === 0) return; // never answer
          res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterEach(() => {
      server.closeAllConnections();
      server.close();
    });
    const spec = (extra: Partial<WebhookSpec> = {}): WebhookSpec => ({
      kind: 'webhook',
      name: 'wh',
      url,
      headers: { 'x-token': 't0k' },
      timeoutMs: 1000,
      maxOutputBytes: 4096,
      retries: 3,
      backoffMs: 20,
      ...extra,
    });

    it('POST the payload as JSON and retry 5xx with backoff', async () => {
      answers = [503, 502];
      const started = Date.now();
      const result = await runWebhookHook(spec(), { phase: 'fail', action });
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 3, body: '{"ok":true}' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40);
      expect(received).toHaveLength(3);
      expect(received[0].body).toEqual({ phase: 'fail', action });
      expect(received[0].headers).toMatchObject({
        'content-type': 'application/json',
        'x-token': 't0k',
        'idempotency-key': 'hk-1#2:fail:wh',
      });
    });

    it('do not retry a 4xx, and retry timeouts', async () => {
      answers = [400];
      expect(await runWebhookHook(spec(), { phase: 'pre', action })).toMatchObject({
        ok: false,
        status: 400,
        attempts: 1,
      });
      answers = [0, 0];
      const result = await runWebhookHook(spec({ timeoutMs: 100, retries: 1 }), {
        phase: 'pre',
        action,
      });
      expect(result).toMatchObject({ ok: false, attempts: 2, timedOut: true });
    });
  });

  describe('around an action (simulator backend)', () => {
    let sim: SimulatorBackend;
    const run = async (config: string) => {
      const file = join(dir, 'hooks.yaml');
      writeFileSync(file, config);
      const executor = new ActionExecutor(() => sim, await HookRunner.fromFile(file), {
        pollIntervalMs: 10,
      });
      const r = recorder();
      return {
        final: await executor.execute({ ...action, actionId: `hk-${Date.now()}` }, r.listener),
        r,
      };
    };
    beforeEach(async () => {
      sim = new SimulatorBackend(new InMemorySimulatorStore({ bandwidthMbps: 10_000 }));
      await sim.seed(oneVmTwoHosts({ vcpus: 1, memoryMb: 100 }));
    });

    it('a failing pre hook fails the action before the backend is touched; fail hooks still run', async () => {
      writeExecutable(dir, 'deny.sh', 'echo "change freeze" >&2; exit 1');
      const record = recordingHook(dir);
      const { final } = await run(
        `hooks:\n  live-migrate:\n    pre: [{ name: freeze, command: ./deny.sh }]\n    fail: [{ name: rec, command: ${record.path} }]\n`,
      );
      expect(final).toMatchObject({
        status: 'failed',
        error: {
          code: 'pre-hook-failed',
          retriable: false,
          message: expect.stringContaining('freeze'),
        },
        detail: {
          preHooks: [
            expect.objectContaining({ name: 'freeze', ok: false, stderr: 'change freeze\n' }),
          ],
        },
      });
      expect(await sim.calls()).toEqual([]);
      expect(record.payloads('fail')).toHaveLength(1);
    });

    it('a failing post hook is reported, and the action stays succeeded', async () => {
      writeExecutable(dir, 'broken.sh', 'exit 7');
      const { final } = await run(
        `hooks:\n  '*':\n    post: [{ name: cmdb, command: ./broken.sh }]\n`,
      );
      expect(final).toMatchObject({
        status: 'succeeded',
        detail: { postHooks: [expect.objectContaining({ name: 'cmdb', ok: false, exitCode: 7 })] },
      });
    });

    it('fail hooks run after the fail path and see what it undid', async () => {
      await sim.addFault({ action: 'live-migrate', effect: 'fail' });
      const record = recordingHook(dir);
      const { final } = await run(
        `hooks:\n  live-migrate:\n    fail: [{ name: rec, command: ${record.path} }]\n`,
      );
      expect(final).toMatchObject({
        status: 'failed',
        error: { code: 'simulated-failure', retriable: true },
      });
      const [payload] = record.payloads('fail');
      expect(payload.outcome).toEqual({
        status: 'failed',
        error: expect.objectContaining({ code: 'simulated-failure' }),
        failPath: ['cleaned up destination cmp-02'],
      });
      expect((await sim.calls()).map((c) => c.method)).toEqual(['start', 'failPath']);
    });
  });
});
