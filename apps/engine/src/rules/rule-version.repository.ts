import { Injectable } from '@nestjs/common';
import type { RuleVersionKey, RuleVersionRecord, RuleVersionSink } from '@reflex/rules';
import { DataSource } from 'typeorm';

/** Every rule version that ever went live, so a plan's (rule, version, hash) can always be looked up. */
@Injectable()
export class RuleVersionRepository implements RuleVersionSink {
  constructor(private readonly dataSource: DataSource) {}

  history(): Promise<RuleVersionKey[]> {
    return this.dataSource.query(
      `SELECT name, version, hash FROM rule_versions ORDER BY name, version`,
    );
  }

  // Replicas reading the same files record the same (name, version, hash): the first one wins.
  async record(v: RuleVersionRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO rule_versions (name, version, hash, content, file, loaded_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [v.name, v.version, v.hash, v.definition, v.file, v.loadedAt],
    );
  }
}
