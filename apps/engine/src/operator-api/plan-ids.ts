import { Inject, Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '@reflex/common';
import { DataSource } from 'typeorm';
import { invalidParam } from '../common/query-params';
import { isUuid } from '../plans/plan.repository';

/** CONTRACT §8: shorter prefixes would collide within days on a busy engine. */
export const MIN_PLAN_ID_PREFIX = 8;
/** How many candidates an ambiguous prefix names. */
const MAX_CANDIDATES = 5;

const LOWEST = '00000000-0000-0000-0000-000000000000';
const HIGHEST = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The uuids a prefix stands for, as an inclusive range, or null when the text cannot begin a uuid.
 * A range (rather than `id::text LIKE`) keeps the lookup on the primary key: PostgreSQL orders
 * uuids byte by byte, which is the order of their lower-case hex spelling.
 */
export function planIdRange(prefix: string): { low: string; high: string } | null {
  const text = prefix.toLowerCase();
  if (text.length > LOWEST.length) return null;
  const low = text + LOWEST.slice(text.length);
  const high = text + HIGHEST.slice(text.length);
  return isUuid(low) ? { low, high } : null;
}

/**
 * Plan ids as operators hold them: a whole uuid, or a unique prefix of at least 8 characters (what
 * the demo, the console and `reflex` print). Every route that takes a plan id resolves it here.
 */
@Injectable()
export class PlanIdResolver {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The whole id; 404 when nothing matches, 409 naming the candidates when several do. */
  async resolve(id: string): Promise<string> {
    if (isUuid(id)) return id.toLowerCase();
    const range = planIdRange(id);
    if (!range) throw new NotFoundError('plan', id);
    if (id.length < MIN_PLAN_ID_PREFIX) {
      throw invalidParam('id', `is a plan id prefix shorter than ${MIN_PLAN_ID_PREFIX} characters`);
    }
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      'SELECT id FROM plans WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT $3',
      [range.low, range.high, MAX_CANDIDATES + 1],
    );
    if (rows.length === 0) throw new NotFoundError('plan', id);
    if (rows.length > 1) {
      const candidates = rows.slice(0, MAX_CANDIDATES).map((r) => r.id);
      const more = rows.length > MAX_CANDIDATES ? ', and more' : '';
      throw new ConflictError(
        `plan id prefix ${id} is ambiguous: it matches ${candidates.join(', ')}${more}`,
        { id, candidates },
      );
    }
    return rows[0].id;
  }
}
