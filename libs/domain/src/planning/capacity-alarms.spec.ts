import type { CapacityForecast, ForecastItem } from './capacity-forecast';
import { capacityAlarmId, capacityAlarms } from './capacity-alarms';

const item = (id: string, unplaced: number): ForecastItem => ({
  id,
  survivable: unplaced === 0,
  instances: 8,
  placed: 8 - unplaced,
  unplaced: Array.from({ length: unplaced }, (_, i) => ({
    instanceId: `vm-${i}`,
    reason: `vm-${i}: no host has room`,
  })),
  redundancyLost: [],
  placements: [],
  switchOvers: [],
});
const rack = (...items: ForecastItem[]): CapacityForecast => ({
  domain: 'rack',
  items,
  summary: { domains: items.length, survivable: items.filter((i) => i.survivable).length },
});
const firstHost = (_kind: string, domain: string) => `first-of-${domain}`;
const NOW = new Date('2026-12-06T12:00:00Z');

describe('capacityAlarms', () => {
  it('fires for an unsurvivable domain without an open alarm, about its first host', () => {
    const [alarm] = capacityAlarms(
      [rack(item('az1/r1', 5), item('az1/r2', 0))],
      [],
      firstHost,
      NOW,
    );
    expect(alarm).toMatchObject({
      id: 'capacity.unsurvivable/rack/az1/r1',
      source: 'reflex',
      type: 'capacity.unsurvivable',
      state: 'firing',
      severity: 'major',
      resource: { kind: 'host', id: 'first-of-az1/r1' },
      labels: { domainKind: 'rack', domain: 'az1/r1' },
      value: 5,
      occurredAt: NOW.toISOString(),
    });
    expect(alarm.annotations!.summary).toBe(
      'losing rack az1/r1 now would leave 5 of 8 instances unplaced: vm-0: no host has room; ' +
        'vm-1: no host has room; vm-2: no host has room; and 2 more',
    );
  });

  it('sends nothing while the domain stays unsurvivable, and resolves it, same resource, once survivable or gone', () => {
    const openAbout = (kind: 'rack' | 'zone', domain: string, hostId: string) => ({
      alarmId: capacityAlarmId(kind, domain),
      resource: { kind: 'host' as const, id: hostId },
      kind,
      domain,
    });
    const open = [
      openAbout('rack', 'az1/r1', 'h1'),
      openAbout('rack', 'az9/gone', 'h9'),
      openAbout('zone', 'az1', 'h1'),
    ];
    expect(
      capacityAlarms([rack(item('az1/r1', 1))], open, firstHost, NOW).map((a) => a.id),
    ).toEqual(['capacity.unsurvivable/rack/az9/gone']);
    const resolved = capacityAlarms([rack(item('az1/r1', 0))], open, firstHost, NOW);
    // Zones were not forecast this round: their alarm is left as it is.
    expect(resolved.map((a) => [a.id, a.state, a.resource.id, a.labels!.domain])).toEqual([
      ['capacity.unsurvivable/rack/az1/r1', 'resolved', 'h1', 'az1/r1'],
      ['capacity.unsurvivable/rack/az9/gone', 'resolved', 'h9', 'az9/gone'],
    ]);
  });

  it('keeps ids of long-named domains within 256 characters, and apart', () => {
    const long = 'h'.repeat(256);
    const a = capacityAlarmId('host', long);
    const b = capacityAlarmId('host', `${'h'.repeat(255)}i`);
    expect(a).toHaveLength(256);
    expect(a).not.toBe(b);
    expect(capacityAlarmId('host', 'h1')).toBe('capacity.unsurvivable/host/h1');
  });
});
