import type { FieldError } from '@reflex/common';
import type { InventoryMessageV1, InventoryV1 } from '../inventory.v1';
import { pointer } from './field-errors';
import type { MessageKind, MessageTypes } from './message-kinds';

/**
 * Rules JSON Schema cannot express (equality between fields, uniqueness of a field across a list,
 * references inside one document). They run only after the schema has passed, so they may trust
 * the shape of the value.
 */
type SemanticCheck<T> = (value: T) => FieldError[];

function duplicateIds(list: readonly { id: string }[], listPath: string): FieldError[] {
  const firstIndex = new Map<string, number>();
  const errors: FieldError[] = [];
  list.forEach((item, index) => {
    const first = firstIndex.get(item.id);
    if (first === undefined) firstIndex.set(item.id, index);
    else {
      errors.push({
        path: pointer(pointer(listPath, index), 'id'),
        message: `duplicates the id of ${pointer(listPath, first)}`,
      });
    }
  });
  return errors;
}

const checkInventory: SemanticCheck<InventoryV1> = (inventory) => {
  const hostIds = new Set(inventory.hosts.map((host) => host.id));
  const groupIds = new Set(inventory.groups.map((group) => group.id));
  const errors = [
    ...duplicateIds(inventory.hosts, '/hosts'),
    ...duplicateIds(inventory.instances, '/instances'),
    ...duplicateIds(inventory.groups, '/groups'),
  ];
  inventory.instances.forEach((instance, index) => {
    const at = pointer('/instances', index);
    if (!hostIds.has(instance.hostId)) {
      errors.push({ path: pointer(at, 'hostId'), message: 'names a host that is not in /hosts' });
    }
    if (typeof instance.groupId === 'string' && !groupIds.has(instance.groupId)) {
      errors.push({
        path: pointer(at, 'groupId'),
        message: 'names a group that is not in /groups',
      });
    }
  });
  return errors;
};

const checkInventoryMessage: SemanticCheck<InventoryMessageV1> = (message) =>
  message.op === 'upsert' && message.object.id !== message.id
    ? [{ path: '/object/id', message: 'must equal /id (the id the message is keyed by)' }]
    : [];

export const SEMANTIC_CHECKS: { readonly [K in MessageKind]?: SemanticCheck<MessageTypes[K]> } = {
  'inventory.v1': checkInventory,
  'inventory-message.v1': checkInventoryMessage,
};
