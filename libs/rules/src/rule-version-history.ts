/** A (name, version, hash) seen before: from the version store at start-up, or loaded since. */
export interface RuleVersionKey {
  name: string;
  version: number;
  hash: string;
}

/**
 * Numbers rule versions. A declared `version` is used as written, but one number may only ever name
 * one content: reusing it for different content is refused (plans record name and version, so
 * "v3" must mean one thing). Without a declared version: the version already given to this content,
 * or one more than the highest so far. The history starts from what the engine's version store
 * holds, so numbers continue across restarts and agree between replicas reading the same files.
 */
export class RuleVersionHistory {
  private readonly byName = new Map<
    string,
    { byHash: Map<string, number>; byVersion: Map<number, string> }
  >();

  constructor(seed: readonly RuleVersionKey[] = []) {
    for (const key of seed) this.remember(key);
  }

  has(key: RuleVersionKey): boolean {
    return this.entry(key.name).byVersion.get(key.version) === key.hash;
  }

  assign(name: string, hash: string, declared?: number): { version: number } | { error: string } {
    const entry = this.entry(name);
    if (declared !== undefined) {
      const existing = entry.byVersion.get(declared);
      if (existing !== undefined && existing !== hash) {
        return {
          error:
            `version ${declared} of rule "${name}" already exists with other content ` +
            `(sha256 ${existing.slice(0, 12)}); give the new content a new version number`,
        };
      }
      return { version: declared };
    }
    const known = entry.byHash.get(hash);
    if (known !== undefined) return { version: known };
    return { version: Math.max(0, ...entry.byVersion.keys()) + 1 };
  }

  remember(key: RuleVersionKey): void {
    const entry = this.entry(key.name);
    entry.byVersion.set(key.version, key.hash);
    if (!entry.byHash.has(key.hash)) entry.byHash.set(key.hash, key.version);
  }

  private entry(name: string) {
    let entry = this.byName.get(name);
    if (!entry) {
      entry = { byHash: new Map(), byVersion: new Map() };
      this.byName.set(name, entry);
    }
    return entry;
  }
}
