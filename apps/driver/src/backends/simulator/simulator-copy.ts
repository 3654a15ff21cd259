import type { SimCall, SimOperation, SimState } from './simulator.state';

/** This process's copy of the cloud, as of `version`; `operations` holds only the live ones. */
export interface Cache {
  version: number;
  epoch: number;
  state: SimState;
  /** The JSON last written or read per row (`rowKey`): what is unchanged. */
  saved: Map<string, string>;
  /**
   * Inventory rows (`rowKey`) the running batch read or wrote: the only ones it can have changed,
   * so the only ones compared after it (the inventory maps are `tracked`).
   */
  touched: Set<string>;
  settings: string;
  faults: string;
}

/** The maps of `SimState` kept in `simulator_inventory`, by `kind`. */
export const KINDS = ['hosts', 'instances', 'groups'] as const;
export type Kind = (typeof KINDS)[number];
/** The maps of `SimState` kept as rows. */
export const MAPS = [...KINDS, 'operations'] as const;
export type MapName = (typeof MAPS)[number];
/** `saved` keys: a map of the state and an id in it. */
export const rowKey = (map: MapName, id: string) => `${map}:${id}`;

/** The inventory maps handed out by `track`. */
const tracked = new WeakSet<object>();

/**
 * `map` behind a proxy that notes every id read or written into `cache.touched`. The model
 * reaches hosts, instances and groups only through these maps, so an entry nobody touched in a
 * batch is unchanged; iterating the map (a snapshot, a host going down) touches every entry.
 */
function track<V extends object>(kind: Kind, map: V, cache: Pick<Cache, 'touched'>): V {
  const note = (id: string | symbol) => {
    if (typeof id === 'string') cache.touched.add(rowKey(kind, id));
  };
  const proxy = new Proxy(map, {
    get: (target, id, receiver) => (note(id), Reflect.get(target, id, receiver) as unknown),
    set: (target, id, value, receiver) => (note(id), Reflect.set(target, id, value, receiver)),
    deleteProperty: (target, id) => (note(id), Reflect.deleteProperty(target, id)),
  });
  tracked.add(proxy);
  return proxy;
}

/** Puts the copy's inventory maps that are not yet behind `track`'s proxy behind it. */
export function trackInventory(cache: Cache): void {
  for (const kind of KINDS) {
    if (!tracked.has(cache.state[kind]))
      Object.assign(cache.state, { [kind]: track(kind, cache.state[kind], cache) });
  }
}

/** Live operations stay in memory: running ones, and finished ones still holding capacity. */
export const isLive = (op: SimOperation) => op.status === 'running' || op.claim !== null;

/** A row a batch changed: its map, id, value and the JSON to write. */
export interface ChangedRow<V> {
  kind: MapName;
  id: string;
  value: V;
  json: string;
}

/** What a batch changed in the copy: the rows to write, and whether anything needs writing. */
export interface CopyChanges {
  /** The maps the batch replaced (a seed): their tables are emptied and written anew. */
  replaced: MapName[];
  inventory: ChangedRow<unknown>[];
  operations: ChangedRow<SimOperation>[];
  settings: string;
  faults: string;
  calls: SimCall[];
  dirty: boolean;
}

/**
 * Compares the copy after a batch with what was last written or read. `before` holds the state's
 * maps as the batch found them: a map the batch replaced (a seed) replaces its whole table, so its
 * `saved` entries are dropped here and every row of the new map counts as changed.
 */
export function changesOf(cache: Cache, before: SimState): CopyChanges {
  const { state, saved } = cache;
  const replaced = MAPS.filter((name) => state[name] !== before[name]);
  for (const key of [...saved.keys()]) {
    if (replaced.some((kind) => key.startsWith(`${kind}:`))) saved.delete(key);
  }
  const changed = <V>(kind: MapName, map: Record<string, V>): ChangedRow<V>[] =>
    Object.entries(map).flatMap(([id, value]) => {
      const json = JSON.stringify(value);
      return saved.get(rowKey(kind, id)) === json ? [] : [{ kind, id, value, json }];
    });
  const inventory = KINDS.flatMap((kind) => {
    if (replaced.includes(kind)) return changed<unknown>(kind, state[kind]);
    // Only what the batch touched; `touched` holds ids of every kind, `map` has them or not.
    const map = state[kind] as Record<string, unknown>;
    const prefix = rowKey(kind, '');
    const ids = [...cache.touched].filter((k) => k.startsWith(prefix));
    const touched = ids.map((k) => k.slice(prefix.length)).filter((id) => id in map);
    return changed(kind, Object.fromEntries(touched.map((id) => [id, map[id]])));
  });
  const operations = changed('operations', state.operations);
  const settings = JSON.stringify(state.settings);
  const faults = JSON.stringify(state.faults);
  const calls = state.calls;
  const dirty =
    replaced.length > 0 ||
    inventory.length > 0 ||
    operations.length > 0 ||
    calls.length > 0 ||
    settings !== cache.settings ||
    faults !== cache.faults;
  return { replaced, inventory, operations, settings, faults, calls, dirty };
}
