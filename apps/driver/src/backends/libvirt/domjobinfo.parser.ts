/**
 * Parses `virsh domjobinfo` output: `Key:   value [unit]` lines such as
 *   Job type:         Unbounded
 *   Data processed:   120.000 MiB
 *   Data remaining:   22446080     bytes
 *   Memory bandwidth: 100.000 MiB/s
 * Sizes come in bytes or binary units depending on the libvirt version; both are handled.
 */
export interface DomJobInfo {
  /** `None` when no job runs, `Unbounded` during a migration, `Completed`/`Failed` after one. */
  jobType: string;
  operation?: string;
  timeElapsedMs?: number;
  dataProcessed?: number;
  dataRemaining?: number;
  dataTotal?: number;
  memoryProcessed?: number;
  memoryRemaining?: number;
  memoryTotal?: number;
  /** Bytes per second. */
  memoryBandwidth?: number;
  dirtyRatePagesPerSecond?: number;
  expectedDowntimeMs?: number;
  postcopyRequests?: number;
  /** Every line, as printed. */
  raw: Record<string, string>;
}

const UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `120.000 MiB` → bytes; `1024 MiB/s` → bytes per second; plain numbers as they are. */
export function parseSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)?(?:\/s)?$/.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2]?.toLowerCase();
  const factor = unit === undefined ? 1 : UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

function parseNumber(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(-?\d+(?:\.\d+)?)/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}

export function parseDomJobInfo(output: string): DomJobInfo {
  const raw: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    raw[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return {
    jobType: raw['Job type'] ?? 'None',
    operation: raw['Operation'],
    timeElapsedMs: parseNumber(raw['Time elapsed']),
    dataProcessed: parseSize(raw['Data processed']),
    dataRemaining: parseSize(raw['Data remaining']),
    dataTotal: parseSize(raw['Data total']),
    memoryProcessed: parseSize(raw['Memory processed']),
    memoryRemaining: parseSize(raw['Memory remaining']),
    memoryTotal: parseSize(raw['Memory total']),
    memoryBandwidth: parseSize(raw['Memory bandwidth']),
    dirtyRatePagesPerSecond: parseNumber(raw['Dirty rate']),
    expectedDowntimeMs: parseNumber(raw['Expected downtime']),
    postcopyRequests: parseNumber(raw['Postcopy requests']),
    raw,
  };
}

/**
 * 0-99 while a job runs: the share of data no longer remaining. "Data processed" alone would
 * overshoot, because re-sent dirty pages count again; remaining/total does not.
 */
export function jobProgress(info: DomJobInfo): number | undefined {
  const total = info.dataTotal ?? info.memoryTotal;
  const remaining = info.dataRemaining ?? info.memoryRemaining;
  if (!total || remaining === undefined) return undefined;
  return Math.max(0, Math.min(99, Math.floor((1 - remaining / total) * 100)));
}
