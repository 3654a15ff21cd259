import { ValidationError } from '@reflex/common';
import { assertValid, type MessageOf } from '@reflex/contracts';

type ObjectKind = 'host.v1' | 'instance.v1' | 'group.v1';

/**
 * The body of `PUT /v1/<things>/:id`: valid as `kind` and about the object the path names. A
 * mismatch is refused rather than resolved either way, since it most likely means a copy-paste slip.
 */
export function objectForPath<K extends ObjectKind>(
  kind: K,
  pathId: string,
  body: unknown,
): MessageOf<K> {
  const object = assertValid(kind, body);
  if (object.id !== pathId) {
    throw new ValidationError(`invalid ${kind}: /id must equal the id in the path`, [
      { path: '/id', message: `must equal the id in the path (${JSON.stringify(pathId)})` },
    ]);
  }
  return object;
}
