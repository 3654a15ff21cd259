import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import type { Almanac } from 'json-rules-engine';
import type { FactName } from '../rule.types';
import type { FactSource } from './fact-source';
import { reportsHostDown } from './zone-losses';

/** The `alarm` fact: the alarm as received, with `state` defaulting to firing (Alarm v1 makes it optional). */
export type AlarmFact = AlarmV1 & Required<Pick<AlarmV1, 'state' | 'labels' | 'annotations'>>;

export interface NowFact {
  iso: string;
  epochMs: number;
  /** 0-23, UTC: for rules that only act in, or out of, working hours. */
  hourUtc: number;
  /** 0 (Sunday) to 6, UTC. */
  dayOfWeekUtc: number;
}

export type FactCallback = (params: Record<string, unknown>, almanac: Almanac) => unknown;

export function normalizeAlarm(alarm: AlarmV1): AlarmFact {
  return {
    ...alarm,
    state: alarm.state ?? 'firing',
    labels: alarm.labels ?? {},
    annotations: alarm.annotations ?? {},
  };
}

/**
 * The facts of CONTRACT.md §5 for one alarm. Each is computed on first use and cached by the
 * evaluation's own almanac (json-rules-engine caches dynamic facts per run), so several rules asking
 * for `groupStatus` cost one inventory lookup, and an evaluation never sees another's values.
 * A fact that does not apply to the alarm (`instance` for a host alarm, the group of an instance with
 * none) is null, never an error: conditions on it are simply false (`notEqual` and `not:` are true).
 */
export function alarmFacts(alarm: AlarmV1, source: FactSource): Record<FactName, FactCallback> {
  const fact = normalizeAlarm(alarm);
  const { kind, id } = alarm.resource;
  const get = <T>(almanac: Almanac, name: FactName): Promise<T | null> =>
    almanac.factValue<T | null>(name);

  const instance = async () => (kind === 'instance' ? source.getInstance(id) : null);
  const hostId = async (almanac: Almanac): Promise<string | null> => {
    if (kind === 'host') return id;
    if (kind !== 'instance') return null;
    return (await get<{ hostId?: string }>(almanac, 'instance'))?.hostId ?? null;
  };
  const groupId = async (almanac: Almanac): Promise<string | null> => {
    if (kind === 'group') return id;
    if (kind !== 'instance') return null;
    return (await get<{ groupId?: string | null }>(almanac, 'instance'))?.groupId ?? null;
  };
  const onHost =
    <T>(lookup: (hostId: string) => Promise<T | null>) =>
    async (_: unknown, almanac: Almanac): Promise<T | null> => {
      const hid = await hostId(almanac);
      return hid === null ? null : lookup(hid);
    };
  const onGroup =
    <T>(lookup: (groupId: string) => Promise<T | null>) =>
    async (_: unknown, almanac: Almanac): Promise<T | null> => {
      const gid = await groupId(almanac);
      return gid === null ? null : lookup(gid);
    };

  return {
    alarm: () => fact,
    instance,
    host: onHost((h) => source.getHost(h)),
    hostLoad: onHost((h) => source.getHostLoad(h)),
    maintenance: onHost((h) => source.getOpenMaintenance(h)),
    zoneLosses: onHost((h) => source.getZoneLosses(h, kind === 'host' && reportsHostDown(fact))),
    group: onGroup((g) => source.getGroup(g)),
    groupStatus: onGroup((g) => source.getGroupStatus(g)),
    now: (): NowFact => {
      const now = source.now();
      return {
        iso: now.toISOString(),
        epochMs: now.getTime(),
        hourUtc: now.getUTCHours(),
        dayOfWeekUtc: now.getUTCDay(),
      };
    },
  };
}
