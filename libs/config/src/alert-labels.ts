export type LabelResourceKind = 'host' | 'instance' | 'group';

/** One Alertmanager label that names a resource, in the order they are tried. */
export interface ResourceLabel {
  label: string;
  kind: LabelResourceKind;
}

/**
 * Prometheus defaults: explicit `host`, `instance_id` and `group` labels first, then Prometheus's own
 * `instance` label, which is the scrape target (`cmp-07:9100`, a host's exporter), never a VM.
 */
export const DEFAULT_RESOURCE_LABELS = 'host=host,instance_id=instance,group=group,instance=host';

/** Reads the host from a target address: `cmp-07:9100` → `cmp-07`, `[fd00::7]:9100` → `fd00::7`. */
export const DEFAULT_HOST_PATTERN = '^\\[?([^\\]]+?)\\]?(?::\\d+)?$';

const KINDS: readonly LabelResourceKind[] = ['host', 'instance', 'group'];

/** ALERTMANAGER_RESOURCE_LABELS format: comma-separated `label=kind`, tried in order. */
export function parseResourceLabels(value: string): {
  labels: ResourceLabel[];
  problems: string[];
} {
  const labels: ResourceLabel[] = [];
  const problems: string[] = [];
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .forEach((entry, index) => {
      const [label, kind, ...rest] = entry.split('=').map((s) => s.trim());
      if (!label || rest.length > 0 || !(KINDS as readonly string[]).includes(kind)) {
        problems.push(
          `ALERTMANAGER_RESOURCE_LABELS entry ${index + 1} must be label=kind (kind: ${KINDS.join(', ')}), got "${entry}"`,
        );
      } else labels.push({ label, kind: kind as LabelResourceKind });
    });
  if (labels.length === 0 && problems.length === 0)
    problems.push('ALERTMANAGER_RESOURCE_LABELS names no label');
  return { labels, problems };
}

/** ALERTMANAGER_HOST_PATTERN: a regular expression whose first group is the host id. */
export function parseHostPattern(value: string): { pattern: RegExp | null; problem?: string } {
  try {
    const pattern = new RegExp(value);
    if (new RegExp(`${pattern.source}|`).exec('')!.length < 2)
      return { pattern: null, problem: 'ALERTMANAGER_HOST_PATTERN must have a capturing group' };
    return { pattern };
  } catch (error) {
    return {
      pattern: null,
      problem: `ALERTMANAGER_HOST_PATTERN is not a regular expression: ${(error as Error).message}`,
    };
  }
}
