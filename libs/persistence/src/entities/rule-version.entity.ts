import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Every distinct rule text the engine has loaded, so a plan's (rule, version, hash) can always be
 * resolved to the exact rule that made it, even after the file changed.
 *
 * `hash` is unique: loading content that was seen before (a revert to an earlier text) reuses that
 * row and its version instead of inventing a new one.
 */
@Entity({ name: 'rule_versions' })
@Unique('uq_rule_versions_hash', ['hash'])
@Unique('uq_rule_versions_name_version', ['name', 'version'])
export class RuleVersionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_rule_versions' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** 1, 2, 3… per rule name, assigned by the loader when a new hash appears. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  hash!: string;

  /** The rule document as loaded (metadata and json-rules-engine rule). */
  @Column({ type: 'jsonb' })
  content!: object;

  /** The file it came from, relative to RULES_DIR; null when it came from elsewhere (API). */
  @Column({ type: 'text', nullable: true })
  file!: string | null;

  @Column({ type: 'timestamptz', name: 'loaded_at', default: () => 'now()' })
  loadedAt!: Date;
}
