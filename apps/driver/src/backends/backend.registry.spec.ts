import { ConfigError } from '@reflex/common';
import { parse } from 'yaml';
import { BackendRegistry, parseBackendsConfig } from './backend.registry';
import { InMemorySimulatorStore } from './simulator/simulator.store';

const DOC = `
simulator: { bandwidthMbps: 500 }
libvirt:
  virshPath: /usr/bin/virsh
  hosts: { cmp-01: { uri: 'qemu+ssh://cmp-01/system' } }
  postcopy: true
openstack:
  authUrl: https://keystone.example:5000/v3/
  username: reflex
  passwordEnv: OS_PW
  projectName: admin
`;

describe('backends config', () => {
  it('reads every section, with defaults and the password from the environment', () => {
    const config = parseBackendsConfig(parse(DOC), { OS_PW: 'pw' });
    expect(config.simulator).toEqual({ bandwidthMbps: 500 });
    expect(config.libvirt).toMatchObject({
      virshPath: '/usr/bin/virsh',
      postcopy: true,
      forceCompleteMaxDowntimeMs: 5000,
      hosts: { 'cmp-01': { uri: 'qemu+ssh://cmp-01/system' } },
    });
    expect(config.openstack).toMatchObject({
      authUrl: 'https://keystone.example:5000/v3',
      password: 'pw',
      userDomainName: 'Default',
      interface: 'public',
      blockMigration: 'auto',
    });
  });

  it('names what is wrong', () => {
    expect(() => parseBackendsConfig(parse(DOC), {})).toThrow(/openstack: password/);
    expect(() => parseBackendsConfig({ libvirt: { hosts: { a: { uri: 'nope' } } } })).toThrow(
      /hosts\.a\.uri/,
    );
    expect(() => parseBackendsConfig({ vmware: {} })).toThrow(ConfigError);
  });

  it('hands out configured backends and refuses the others', () => {
    const registry = new BackendRegistry(parseBackendsConfig({}), new InMemorySimulatorStore());
    expect(registry.get('simulator').kind).toBe('simulator');
    expect(() => registry.get('libvirt')).toThrow(/not configured/);
  });
});
