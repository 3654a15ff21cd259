// CONTRACT §9: each backend reports a move's destination failure as `destination-unavailable`, the
// one code the engine re-places a move on. The texts are libvirt's and Nova's own wording
// (virNetSocketNewConnectTCP, nova.exception.ComputeServiceUnavailable / ComputeHostNotFound).
import { BackendError } from './backend.errors';
import { classifyMigrationError, classifyVirshError } from './libvirt/virsh.runner';
import { destinationRefusal } from './openstack/nova.client';

const DST = 'qemu+tcp://cmp-02/system';

describe('libvirt: a migration that cannot reach its destination', () => {
  it('is destination-unavailable when the connection error names the destination host', () => {
    const stderr = "error: unable to connect to server at 'cmp-02:16509': Connection refused\n";
    const error = classifyMigrationError(classifyVirshError(stderr, 'virsh migrate vm-1'), DST);
    expect(error).toMatchObject({ code: 'destination-unavailable', retriable: false });
  });

  it('stays backend-unavailable when the host that cannot be reached is another (the source)', () => {
    const stderr = "error: unable to connect to server at 'cmp-01:16509': Connection refused\n";
    const error = classifyMigrationError(classifyVirshError(stderr, 'virsh migrate vm-1'), DST);
    expect(error).toMatchObject({ code: 'backend-unavailable', retriable: true });
  });

  it('leaves other failures alone', () => {
    const stderr = 'error: operation failed: migration job: unexpectedly failed\n';
    const error = classifyMigrationError(classifyVirshError(stderr, 'virsh migrate vm-1'), DST);
    expect(error).toMatchObject({ code: 'operation-failed' });
  });
});

describe('Nova: a move refused for its destination', () => {
  const refused = (code: 'rejected' | 'not-found', message: string) =>
    new BackendError(code, `nova POST /servers/s1/action: HTTP 400: ${message}`, {
      retriable: false,
    });

  it('is destination-unavailable when the compute service of the destination is down', () => {
    const error = refused('rejected', 'Compute service of cmp-02 is unavailable at this time.');
    expect(destinationRefusal(error, 'cmp-02')).toMatchObject({
      code: 'destination-unavailable',
      retriable: false,
    });
  });

  it('is destination-unavailable when the destination host does not exist', () => {
    const error = refused('not-found', 'Compute host cmp-09 could not be found.');
    expect(destinationRefusal(error, 'cmp-09')).toMatchObject({ code: 'destination-unavailable' });
  });

  it('leaves other refusals alone', () => {
    const error = refused('rejected', 'Migration pre-check error: CPU doesn’t have compatibility.');
    expect(destinationRefusal(error, 'cmp-02')).toBe(error);
  });
});
