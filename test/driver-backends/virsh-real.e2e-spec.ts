// The libvirt backend's fake virsh against the real one. libvirt's test driver runs inside virsh
// itself (`-c test:///<node.xml>`): no daemon, no hypervisor, a fresh node per invocation whose
// domains start in the states the file gives them. For every command the backend runs that the test
// driver supports, each starting state, the fake must print what real virsh prints, exit as it
// exits, leave the domain as it leaves it, and the backend must classify the real wording.
// (domjobinfo, domjobabort, migrate and migrate-postcopy are "not supported by the connection
// driver" there, so their fake output cannot be checked here.)
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LibvirtDomains } from '../../apps/driver/src/backends/libvirt/libvirt-domains';
import { parseLibvirtConfig } from '../../apps/driver/src/backends/libvirt/libvirt.config';
import { classifyVirshError } from '../../apps/driver/src/backends/libvirt/virsh.runner';
import { tempDir } from './support/driver-fixtures';
import { installFakeVirsh } from './support/fake-virsh';

type Start = 'running' | 'paused' | 'shut off' | 'transient' | 'missing';
/** Debian's libvirt-clients; global setup checks it is there. */
const VIRSH = process.env.VIRSH_BIN ?? '/usr/bin/virsh';
const STARTS: Start[] = ['running', 'paused', 'shut off', 'transient', 'missing'];
const COMMANDS = ['domstate', 'start', 'destroy', 'shutdown', 'undefine', 'resume'];
/** libvirt's virDomainState numbers for `<test:runstate>`. */
const RUNSTATE = { running: 1, paused: 3, 'shut off': 5, transient: 1 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const run = (path: string, args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(path, args, { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );

function nodeXml(start: Start): string {
  if (start === 'missing') return '<node></node>';
  const ns = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";
  const transient = start === 'transient' ? '<test:transient/>' : '';
  return `<node><domain type='test' ${ns}><name>vm</name><memory>1024</memory>
    <os><type>hvm</type></os><test:runstate>${RUNSTATE[start]}</test:runstate>${transient}
    </domain></node>`;
}

describe('fake virsh against virsh -c test:///', () => {
  const dir = tempDir('virsh-real');
  const uriOf = (start: Start) => {
    const file = join(dir, `${start.replace(' ', '-')}.xml`);
    writeFileSync(file, nodeXml(start));
    return `test://${file}`;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the virsh this suite was written against', async () => {
    const version = await run(VIRSH, ['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  const cases = COMMANDS.flatMap((command) => STARTS.map((start) => [command, start] as const));
  it.each(cases)('%s of a domain that is %s: same output, exit and outcome', async (cmd, start) => {
    const uri = uriOf(start);
    const real = await run(VIRSH, ['-c', uri, cmd, 'vm']);
    // The test driver forgets everything between invocations: the outcome is read in the same one.
    const realAfter = await run(VIRSH, ['-c', uri, `${cmd} vm; domstate vm`]);

    const fake = installFakeVirsh({
      hosts: {
        [uri]: start === 'missing' ? {} : { vm: start === 'transient' ? 'running' : start },
      },
      transient: start === 'transient' ? { [uri]: ['vm'] } : {},
    });
    try {
      const fakeRun = await run(fake.path, ['-c', uri, cmd, 'vm']);
      const fakeState = await run(fake.path, ['-c', uri, 'domstate', 'vm']);
      expect(fakeRun).toEqual(real);
      expect({
        stdout: fakeRun.stdout + fakeState.stdout,
        stderr: fakeRun.stderr + fakeState.stderr,
      }).toEqual({ stdout: realAfter.stdout, stderr: realAfter.stderr });
    } finally {
      rmSync(fake.dir, { recursive: true, force: true });
    }
  });

  // Found with real virsh: "Domain is already active" (start), "domain 'vm' not running"
  // (shutdown) and "not paused" (resume) were classified `operation-failed`, so a cold migration
  // whose guest was already off, or an undo whose guest already ran, failed.
  it.each([
    ['start', 'running', 'invalid-state'],
    ['start', 'paused', 'invalid-state'],
    ['destroy', 'shut off', 'invalid-state'],
    ['shutdown', 'shut off', 'invalid-state'],
    ['resume', 'running', 'invalid-state'],
    ['resume', 'shut off', 'invalid-state'],
    ['start', 'missing', 'not-found'],
    ['undefine', 'missing', 'not-found'],
  ] as const)('classifies the real error of %s on a %s domain as %s', async (cmd, start, code) => {
    const real = await run(VIRSH, ['-c', uriOf(start), cmd, 'vm']);
    expect(real.code).toBe(1);
    expect(classifyVirshError(real.stderr, cmd).code).toBe(code);
  });

  it('tolerates, through the backend, what is already so', async () => {
    const domains = new LibvirtDomains(
      parseLibvirtConfig({ virshPath: VIRSH, hosts: {}, commandTimeoutMs: 20_000 }),
    );
    expect(await domains.start(uriOf('running'), 'vm')).toBe(false);
    expect(await domains.start(uriOf('shut off'), 'vm')).toBe(true);
    expect(await domains.shutdown(uriOf('shut off'), 'vm')).toBe(false);
    expect(await domains.shutdown(uriOf('running'), 'vm')).toBe(true);
    expect(await domains.resume(uriOf('running'), 'vm')).toBe(false);
    expect(await domains.resume(uriOf('paused'), 'vm')).toBe(true);
    expect(await domains.state(uriOf('paused'), 'vm')).toBe('paused');
    expect(await domains.state(uriOf('missing'), 'vm')).toBeNull();
    await expect(domains.start(uriOf('missing'), 'vm')).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
