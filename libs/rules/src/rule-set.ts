import { type FSWatcher, watch as watchDirectory } from 'node:fs';
import {
  listRuleFiles,
  nameFromFile,
  readRuleFile,
  ruleFilePath,
  type RuleFileRead,
} from './rule-file-reader';
import { ruleError } from './rule-error';
import { RuleVersionHistory, type RuleVersionKey } from './rule-version-history';
import type { LoadedRule, RuleDefinition, RuleError, RuleProvider, RuleRef } from './rule.types';

export type RuleFileStatus = 'loaded' | 'unchanged' | 'refused' | 'removed';

export interface RuleFileResult {
  file: string;
  name: string;
  status: RuleFileStatus;
  /** loaded / unchanged: the live version; removed: the version taken out. */
  version?: number;
  hash?: string;
  errors: RuleError[];
  /** refused: the version that stays live instead, or null when the rule has none. */
  keptLive?: RuleRef | null;
}

export interface RuleReloadReport {
  /** ISO-8601. */
  at: string;
  results: RuleFileResult[];
  /** A rule was loaded or removed: the live set is not what it was. */
  changed: boolean;
}

/** A version as it went live: what the engine's version store keeps. */
export interface RuleVersionRecord extends RuleVersionKey {
  file: string;
  definition: RuleDefinition;
  /** The file exactly as read. */
  text: string;
  loadedAt: string;
}

/**
 * Stores every version that goes live (the engine's version repository). Called once per new
 * (name, version, hash), before that version goes live; when it throws, the file is refused for now,
 * the previous version stays live, and the next reload tries again. It may see a version again after
 * a restart without a seeded history, so it should upsert on (name, hash).
 */
export interface RuleVersionSink {
  record(version: RuleVersionRecord): Promise<void> | void;
}

export type RuleSetEvent =
  { type: 'reloaded'; report: RuleReloadReport } | { type: 'error'; error: Error };
export type RuleSetListener = (event: RuleSetEvent) => void;

export interface RuleSetOptions {
  dir: string;
  sink?: RuleVersionSink;
  /** Versions already stored, so derived version numbers continue where they were. */
  history?: readonly RuleVersionKey[];
  maxFileBytes?: number;
  /** Quiet time after the last file event before reloading (editors write in several steps). */
  debounceMs?: number;
  /** Also reload on this period, for file systems where fs.watch sees nothing (NFS). 0: off. */
  pollIntervalMs?: number;
  clock?: () => Date;
}

/**
 * The live rules of one directory. `reload()` reads every `*.rule.json`: a valid new content goes
 * live with its hash and version, an invalid one is refused with its errors while the previous
 * version of that rule stays live, and a deleted file takes its rule out. Evaluations read
 * `rules()`, an immutable snapshot swapped whole at the end of a reload.
 */
export class RuleSet implements RuleProvider {
  readonly dir: string;
  private live = new Map<string, LoadedRule>();
  private snapshot: readonly LoadedRule[] = Object.freeze([]);
  private readonly history: RuleVersionHistory;
  private readonly listeners = new Set<RuleSetListener>();
  private readonly lastRefusal = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private report: RuleReloadReport | null = null;
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: RuleSetOptions) {
    this.dir = options.dir;
    this.history = new RuleVersionHistory(options.history);
  }

  /** Loads the directory, and watches it unless `watch` is false. */
  static async open(options: RuleSetOptions & { watch?: boolean }): Promise<RuleSet> {
    const set = new RuleSet(options);
    await set.reload();
    if (options.watch !== false) set.watch();
    return set;
  }

  rules(): readonly LoadedRule[] {
    return this.snapshot;
  }

  get(name: string): LoadedRule | undefined {
    return this.live.get(name);
  }

  lastReport(): RuleReloadReport | null {
    return this.report;
  }

  onChange(listener: RuleSetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Re-reads the directory. Reloads run one at a time, in call order. Rejects, leaving every rule
   * as it was, when the directory itself cannot be read (a missing mount must not empty the set).
   */
  reload(): Promise<RuleReloadReport> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reloads on every change in the directory (debounced), until `close()`. */
  watch(): void {
    if (this.watcher || this.closed) return;
    this.watcher = watchDirectory(this.dir, { persistent: false }, () => this.schedule());
    this.watcher.on('error', (error) => this.emit({ type: 'error', error }));
    const period = this.options.pollIntervalMs ?? 0;
    if (period > 0) {
      this.poll = setInterval(() => this.schedule(), period);
      this.poll.unref();
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.reload().catch((error: Error) => this.emit({ type: 'error', error }));
    }, this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  private async reloadNow(): Promise<RuleReloadReport> {
    const files = await listRuleFiles(this.dir);
    const next = new Map(this.live);
    const results: RuleFileResult[] = [];
    for (const file of files) {
      const read = await readRuleFile(
        ruleFilePath(this.dir, file),
        file,
        this.options.maxFileBytes,
      );
      results.push(await this.apply(read, next));
    }
    const present = new Set(files.map(nameFromFile));
    for (const [name, rule] of this.live) {
      if (present.has(name)) continue;
      next.delete(name);
      results.push({
        file: rule.file,
        name,
        status: 'removed',
        version: rule.version,
        hash: rule.hash,
        errors: [],
      });
    }
    this.live = next;
    this.snapshot = Object.freeze([...next.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));

    const report: RuleReloadReport = {
      at: this.now().toISOString(),
      results,
      changed: results.some((r) => r.status === 'loaded' || r.status === 'removed'),
    };
    this.report = report;
    const news = results.map((r) => this.isNews(r));
    if (news.includes(true)) this.emit({ type: 'reloaded', report });
    return report;
  }

  private async apply(read: RuleFileRead, next: Map<string, LoadedRule>): Promise<RuleFileResult> {
    const name = nameFromFile(read.file);
    const current = this.live.get(name);
    const refuse = (errors: RuleError[]): RuleFileResult => ({
      file: read.file,
      name,
      status: 'refused',
      errors,
      keptLive: current ? { name, version: current.version, hash: current.hash } : null,
    });
    if (!read.ok) return refuse(read.errors);
    if (current && current.hash === read.hash) {
      return {
        file: read.file,
        name,
        status: 'unchanged',
        version: current.version,
        hash: current.hash,
        errors: [],
      };
    }
    const assigned = this.history.assign(name, read.hash, read.rule.version);
    if ('error' in assigned) return refuse([ruleError(['version'], assigned.error)]);

    const loadedAt = this.now().toISOString();
    const key = { name, version: assigned.version, hash: read.hash };
    if (this.options.sink && !this.history.has(key)) {
      try {
        await this.options.sink.record({
          ...key,
          file: read.file,
          definition: read.rule,
          text: read.text,
          loadedAt,
        });
      } catch (error) {
        return refuse([
          ruleError([], `could not store this version, try again: ${(error as Error).message}`),
        ]);
      }
    }
    this.history.remember(key);
    next.set(
      name,
      Object.freeze({
        ...key,
        file: read.file,
        enabled: read.rule.enabled !== false,
        definition: read.rule,
        loadedAt,
      }),
    );
    return {
      file: read.file,
      name,
      status: 'loaded',
      version: key.version,
      hash: key.hash,
      errors: [],
    };
  }

  /** Loaded, removed, or refused for a reason not reported by the previous reload. */
  private isNews(result: RuleFileResult): boolean {
    if (result.status !== 'refused') {
      this.lastRefusal.delete(result.file);
      return result.status !== 'unchanged';
    }
    const signature = JSON.stringify(result.errors);
    if (this.lastRefusal.get(result.file) === signature) return false;
    this.lastRefusal.set(result.file, signature);
    return true;
  }

  private emit(event: RuleSetEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure (a logger) must not stop the rule set or the other listeners.
      }
    }
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }
}
