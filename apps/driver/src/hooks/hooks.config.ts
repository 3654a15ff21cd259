/**
 * Operator hooks (CONTRACT §7), configured in a YAML or JSON file outside the code so site-specific
 * clean-up survives upgrades. Example:
 *
 *   defaults: { timeoutMs: 30000, retries: 2, backoffMs: 500, maxOutputBytes: 4096 }
 *   hooks:
 *     '*':                       # every action type; runs before the type's own hooks
 *       fail: [{ name: page-oncall, url: 'https://hooks.example/reflex', headers: { X-Token: s } }]
 *     live-migrate:
 *       pre:  [{ name: drain-lb, command: ./drain.sh, args: [--quick], timeoutMs: 10000 }]
 *       post: [{ name: undrain-lb, command: /opt/site/undrain.sh }]
 *
 * A hook with `command` is an executable (relative paths are resolved against the file's folder);
 * one with `url` is a webhook.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '@reflex/common';
import { ACTION_TYPES, type ActionType } from '@reflex/contracts/plan.v1';
import { parse as parseYaml } from 'yaml';

export const HOOK_PHASES = ['pre', 'post', 'fail'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

interface HookSpecBase {
  name: string;
  timeoutMs: number;
  /** stdout/stderr (or a webhook's response body) beyond this many bytes is cut off. */
  maxOutputBytes: number;
}
export interface ExecHookSpec extends HookSpecBase {
  kind: 'exec';
  command: string;
  args: string[];
  env: Record<string, string>;
}
export interface WebhookSpec extends HookSpecBase {
  kind: 'webhook';
  url: string;
  headers: Record<string, string>;
  /** Further attempts after the first, on network errors, timeouts, 408, 429 and 5xx. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  backoffMs: number;
}
export type HookSpec = ExecHookSpec | WebhookSpec;

export type HookTarget = ActionType | '*';
export type HooksConfig = Partial<Record<HookTarget, Partial<Record<HookPhase, HookSpec[]>>>>;

const DEFAULTS = { timeoutMs: 30_000, retries: 2, backoffMs: 500, maxOutputBytes: 4096 };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

function int(p: Problems, path: string, v: unknown, fallback: number, min: number, max: number) {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    p.add(path, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return v;
}

function stringMap(p: Problems, path: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    p.add(path, 'must map names to strings');
    return {};
  }
  return { ...(v as Record<string, string>) };
}

function parseHook(
  p: Problems,
  path: string,
  raw: unknown,
  defaults: typeof DEFAULTS,
  baseDir: string,
) {
  if (!isObj(raw)) return p.add(path, 'must be an object');
  const name = typeof raw.name === 'string' && raw.name ? raw.name : null;
  if (!name) p.add(`${path}.name`, 'is required');
  const common = {
    name: name ?? '?',
    timeoutMs: int(p, `${path}.timeoutMs`, raw.timeoutMs, defaults.timeoutMs, 1, 3_600_000),
    maxOutputBytes: int(
      p,
      `${path}.maxOutputBytes`,
      raw.maxOutputBytes,
      defaults.maxOutputBytes,
      0,
      1 << 20,
    ),
  };
  if ((raw.command === undefined) === (raw.url === undefined)) {
    return p.add(path, 'needs exactly one of command (executable) or url (webhook)');
  }
  if (raw.command !== undefined) {
    if (typeof raw.command !== 'string' || !raw.command)
      return p.add(`${path}.command`, 'must be a path');
    const args = raw.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      p.add(`${path}.args`, 'must be a list of strings');
    }
    const command = isAbsolute(raw.command) ? raw.command : resolve(baseDir, raw.command);
    const env = stringMap(p, `${path}.env`, raw.env);
    return { kind: 'exec', ...common, command, args: args as string[], env } satisfies ExecHookSpec;
  }
  let url: URL | null = null;
  try {
    url = new URL(String(raw.url));
  } catch {
    /* reported below */
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    return p.add(`${path}.url`, 'must be an http(s) URL');
  }
  return {
    kind: 'webhook',
    ...common,
    url: url.toString(),
    headers: stringMap(p, `${path}.headers`, raw.headers),
    retries: int(p, `${path}.retries`, raw.retries, defaults.retries, 0, 20),
    backoffMs: int(p, `${path}.backoffMs`, raw.backoffMs, defaults.backoffMs, 0, 600_000),
  } satisfies WebhookSpec;
}

/** Validates a parsed hooks document; every problem is reported at once, with its path. */
export function parseHooksConfig(
  doc: unknown,
  source = 'hooks',
  baseDir = process.cwd(),
): HooksConfig {
  const p = new Problems();
  const config: HooksConfig = {};
  if (doc === null || doc === undefined) return config;
  if (!isObj(doc)) throw new ConfigError(`${source}: must be an object with "hooks"`);
  const d = isObj(doc.defaults) ? doc.defaults : {};
  const defaults = {
    timeoutMs: int(p, 'defaults.timeoutMs', d.timeoutMs, DEFAULTS.timeoutMs, 1, 3_600_000),
    retries: int(p, 'defaults.retries', d.retries, DEFAULTS.retries, 0, 20),
    backoffMs: int(p, 'defaults.backoffMs', d.backoffMs, DEFAULTS.backoffMs, 0, 600_000),
    maxOutputBytes: int(
      p,
      'defaults.maxOutputBytes',
      d.maxOutputBytes,
      DEFAULTS.maxOutputBytes,
      0,
      1 << 20,
    ),
  };
  const hooks = doc.hooks ?? {};
  if (!isObj(hooks)) throw new ConfigError(`${source}: hooks must map action types to phases`);
  for (const [target, phases] of Object.entries(hooks)) {
    if (target !== '*' && !ACTION_TYPES.includes(target as ActionType)) {
      p.add(`hooks.${target}`, `unknown action type (known: ${ACTION_TYPES.join(', ')}, *)`);
      continue;
    }
    if (!isObj(phases)) {
      p.add(`hooks.${target}`, 'must map pre/post/fail to lists of hooks');
      continue;
    }
    const byPhase: Partial<Record<HookPhase, HookSpec[]>> = {};
    for (const [phase, list] of Object.entries(phases)) {
      const path = `hooks.${target}.${phase}`;
      if (!HOOK_PHASES.includes(phase as HookPhase)) p.add(path, 'phase must be pre, post or fail');
      else if (!Array.isArray(list)) p.add(path, 'must be a list');
      else {
        byPhase[phase as HookPhase] = list
          .map((h, i) => parseHook(p, `${path}[${i}]`, h, defaults, baseDir))
          .filter((h): h is HookSpec => h !== undefined);
      }
    }
    config[target as HookTarget] = byPhase;
  }
  if (p.list.length > 0) throw new ConfigError(`${source}: ${p.list.join('; ')}`);
  return config;
}

/** Reads and validates the hooks file (YAML; JSON is YAML too). */
export async function loadHooksConfig(path: string): Promise<HooksConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`hooks file ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`hooks file ${path}: ${(error as Error).message}`);
  }
  return parseHooksConfig(doc, `hooks file ${path}`, dirname(resolve(path)));
}
