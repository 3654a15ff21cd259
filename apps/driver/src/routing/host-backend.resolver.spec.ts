import type { BackendAction } from '../backends/backend.port';
import { parseLibvirtConfig } from '../backends/libvirt/libvirt.config';
import { parseOpenStackConfig } from '../backends/openstack/openstack.config';
import { HostBackendResolver, type SimulatedDirectory } from './host-backend.resolver';

const deadline = new Date(Date.now() + 60_000).toISOString();
const move = (fromHostId: string, toHostId: string): BackendAction => ({
  actionId: 'a-1',
  attempt: 1,
  type: 'live-migrate',
  params: { instanceId: 'vm-01', fromHostId, toHostId },
  deadline,
});
const recover = (instanceId: string): BackendAction => ({
  actionId: 'a-2',
  attempt: 1,
  type: 'recover-instance',
  params: { instanceId },
  deadline,
});

const libvirt = parseLibvirtConfig({
  hosts: { 'kvm-01': { uri: 'qemu+ssh://kvm-01/system' }, 'kvm-02': { uri: 'qemu:///system' } },
});
const openstack = parseOpenStackConfig(
  {
    authUrl: 'https://keystone.example/v3',
    username: 'reflex',
    password: 'x',
    projectName: 'admin',
    hosts: { 'os-01': 'compute-01' },
  },
  {},
);
const sim: SimulatedDirectory = {
  hosts: new Set(['sim-01', 'sim-02']),
  instances: new Set(['vm-sim']),
  groups: new Set(),
};
const among = (ids: ReadonlySet<string>, held: ReadonlySet<string>) =>
  new Set([...ids].filter((id) => held.has(id)));
const resolver = (config: { libvirt?: typeof libvirt; openstack?: typeof openstack }) =>
  new HostBackendResolver(
    { libvirt: config.libvirt ?? null, openstack: config.openstack ?? null },
    async (wanted) => ({
      hosts: among(wanted.hosts, sim.hosts),
      instances: among(wanted.instances, sim.instances),
      groups: among(wanted.groups, sim.groups),
    }),
  );

describe('HostBackendResolver', () => {
  it('picks the backend whose section lists the hosts, then the simulated cloud', async () => {
    const r = resolver({ libvirt, openstack });
    await expect(r.resolve(move('kvm-01', 'kvm-02'))).resolves.toBe('libvirt');
    await expect(r.resolve(move('os-01', 'os-02'))).resolves.toBe('openstack');
    await expect(r.resolve(move('sim-01', 'sim-02'))).resolves.toBe('simulator');
  });

  it('sends unknown hosts to openstack, else libvirt, else the simulator', async () => {
    await expect(resolver({ libvirt, openstack }).resolve(move('x', 'y'))).resolves.toBe(
      'openstack',
    );
    await expect(resolver({ libvirt }).resolve(move('x', 'y'))).resolves.toBe('libvirt');
    await expect(resolver({}).resolve(move('x', 'y'))).resolves.toBe('simulator');
  });

  it('refuses an action whose hosts belong to different backends', async () => {
    await expect(resolver({ libvirt }).resolve(move('kvm-01', 'sim-01'))).rejects.toMatchObject({
      code: 'unsupported',
      retriable: false,
      message: expect.stringContaining('kvm-01 is libvirt, sim-01 is simulator'),
    });
  });

  it('places host-less actions by where their instances are simulated', async () => {
    const r = resolver({ openstack });
    await expect(r.resolve(recover('vm-sim'))).resolves.toBe('simulator');
    await expect(r.resolve(recover('vm-real'))).resolves.toBe('openstack');
  });
});
