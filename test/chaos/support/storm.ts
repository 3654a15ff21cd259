// An alarm storm: host failures (made real in the simulator first), maintenance requests and their
// completions, degraded hardware, re-notifications, noise, and exact resends of earlier messages.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { type Rng } from './cloud';

export type Channel = 'kafka' | 'http';

export interface StormItem {
  /** Milliseconds after the storm starts. */
  at: number;
  alarm: AlarmV1;
  channel: Channel;
  /** Take this host down in the simulator before the alarm goes out. */
  failHost?: string;
}

export interface StormShape {
  /** Messages in all, exact resends included. */
  messages: number;
  durationMs: number;
  hostFailures: number;
  maintenances: number;
  degraded: number;
  /** Of the messages, the share sent over HTTP (POST /v1/alarms) instead of Kafka. */
  httpShare: number;
  /** Of the messages, the share that are byte-identical resends of an earlier one. */
  resendShare: number;
  /** Hosts the storm neither fails, drains nor degrades (a scenario fails them its own way). */
  spared?: readonly string[];
}

export interface Storm {
  /** When the storm starts (ms since the epoch): alarms' occurredAt is `base + at`. */
  base: number;
  items: StormItem[];
  failedHosts: string[];
  maintainedHosts: string[];
  degradedHosts: string[];
}

/** The identity of an alarm message in the `alarms` table (uq_alarms_message). */
export const messageKey = (a: Pick<AlarmV1, 'source' | 'id' | 'state' | 'occurredAt'>): string =>
  `${a.source}\u0000${a.id}\u0000${a.state ?? 'firing'}\u0000${new Date(a.occurredAt).toISOString()}`;

/** A message key for people: its parts joined with slashes. */
export const readableKey = (key: string): string => key.split('\u0000').join('/');

/** Hosts taken in turn from each zone, so no zone loses more than its share. */
function acrossZones(cloud: InventoryV1, rng: Rng): string[] {
  const zones = [...new Set(cloud.hosts.map((h) => h.zone))].sort();
  const queues = zones.map((z) => rng.shuffle(cloud.hosts.filter((h) => h.zone === z)));
  const out: string[] = [];
  while (queues.some((q) => q.length)) {
    for (const q of queues) if (q.length) out.push(q.shift()!.id);
  }
  return out;
}

/** Alarms of a storm that starts at `base`: each `at` ms after it. */
const alarmsFrom =
  (base: number) =>
  (
    at: number,
    source: string,
    id: string,
    type: string,
    resource: AlarmV1['resource'],
    extra: Partial<AlarmV1> = {},
  ): AlarmV1 => ({
    id,
    source,
    type,
    severity: 'critical',
    state: 'firing',
    resource,
    occurredAt: new Date(base + at).toISOString(),
    ...extra,
  });

/**
 * A host dying at `t`, as monitoring tells it: host.down from two systems (the second suppressed by
 * cooldown, or merged), re-notifications, and an instance.down per instance on it. The first item
 * takes the host down in the simulator before its alarm leaves.
 */
export function hostFailureItems(
  cloud: InventoryV1,
  h: string,
  t: number,
  rng: Rng,
  channel: () => Channel,
  base: number,
): StormItem[] {
  const items: StormItem[] = [];
  const alarm = alarmsFrom(base);
  const add = (at: number, a: AlarmV1, failHost?: string) =>
    items.push({ at: Math.round(at), alarm: a, channel: channel(), failHost });
  const host = { kind: 'host' as const, id: h };
  add(t, alarm(t, 'aodh', `aodh-down-${h}`, 'host.down', host), h);
  const t2 = t + rng.int(100, 2000);
  add(t2, alarm(t2, 'prometheus', `fp-down-${h}`, 'host.down', host));
  // Re-notifications of the still-firing alarm: new occurredAt, same id.
  for (const delay of [4000, 9000])
    add(t + delay, alarm(t + delay, 'aodh', `aodh-down-${h}`, 'host.down', host));
  for (const vm of cloud.instances.filter((i) => i.hostId === h)) {
    const ti = t + rng.int(0, 3000);
    add(
      ti,
      alarm(ti, 'libvirt', `down-${vm.id}`, 'instance.down', { kind: 'instance', id: vm.id }),
    );
  }
  return items;
}

export function buildStorm(
  cloud: InventoryV1,
  shape: StormShape,
  rng: Rng,
  base = Date.now(),
): Storm {
  const items: StormItem[] = [];
  const channel = (): Channel => (rng.chance(shape.httpShare) ? 'http' : 'kafka');
  const alarm = alarmsFrom(base);
  const add = (at: number, a: AlarmV1, failHost?: string) =>
    items.push({ at: Math.round(at), alarm: a, channel: channel(), failHost });
  const span = (from: number, to: number) => shape.durationMs * (from + rng.next() * (to - from));

  const order = acrossZones(cloud, rng).filter((h) => !shape.spared?.includes(h));
  const failedHosts = order.slice(0, shape.hostFailures);
  const maintainedHosts = order.slice(shape.hostFailures, shape.hostFailures + shape.maintenances);
  const degradedHosts = order.slice(
    shape.hostFailures + shape.maintenances,
    shape.hostFailures + shape.maintenances + shape.degraded,
  );

  for (const h of failedHosts) {
    items.push(...hostFailureItems(cloud, h, span(0.05, 0.6), rng, channel, base));
  }
  for (const h of maintainedHosts) {
    const t = span(0, 0.55);
    const host = { kind: 'host' as const, id: h };
    const request = (at: number) =>
      alarm(at, 'ops-portal', `mnt-${h}`, 'host.maintenance.requested', host, { severity: 'info' });
    add(t, request(t));
    // A double click.
    const t2 = t + rng.int(200, 1500);
    add(t2, request(t2));
    const done = t + span(0.15, 0.35);
    add(
      done,
      alarm(done, 'ops-portal', `mnt-${h}`, 'host.maintenance.requested', host, {
        state: 'resolved',
        severity: 'info',
      }),
    );
    add(
      done + 50,
      alarm(done + 50, 'ops-portal', `mnt-done-${h}`, 'host.maintenance.completed', host, {
        severity: 'info',
      }),
    );
  }
  for (const h of degradedHosts) {
    const t = span(0.1, 0.6);
    for (const delay of [0, 3000, 7000]) {
      add(
        t + delay,
        alarm(
          t + delay,
          'ipmi',
          `hw-${h}`,
          'host.hardware.degraded',
          { kind: 'host', id: h },
          { severity: 'major' },
        ),
      );
    }
  }

  const resends = Math.round(shape.messages * shape.resendShare);
  let n = 0;
  while (items.length < shape.messages - resends) {
    n += 1;
    const t = span(0, 0.9);
    const onHost = rng.chance(0.5);
    const resource = onHost
      ? { kind: 'host' as const, id: rng.pick(cloud.hosts).id }
      : { kind: 'instance' as const, id: rng.pick(cloud.instances).id };
    const type = onHost ? 'host.cpu.high' : 'instance.memory.high';
    const a = alarm(t, 'prometheus', `noise-${n}`, type, resource, {
      severity: 'warning',
      value: rng.int(80, 100),
    });
    add(t, a);
    if (rng.chance(0.3) && items.length < shape.messages - resends) {
      const tr = t + rng.int(500, 5000);
      add(tr, { ...a, state: 'resolved', occurredAt: new Date(base + tr).toISOString() });
    }
  }
  const originals = [...items];
  for (let i = 0; i < resends; i++) {
    const original = rng.pick(originals);
    // Byte-identical: a producer that did not see its acknowledgement, or a webhook retried.
    const at = Math.min(shape.durationMs, original.at + rng.int(50, 6000));
    items.push({ at, alarm: original.alarm, channel: channel() });
  }
  items.sort((a, b) => a.at - b.at);
  return { base, items, failedHosts, maintainedHosts, degradedHosts };
}

/** Every distinct message of the storm (what the `alarms` table must hold, once each). */
export function distinctMessages(items: readonly StormItem[]): Map<string, AlarmV1> {
  return new Map(items.map((i) => [messageKey(i.alarm), i.alarm]));
}
