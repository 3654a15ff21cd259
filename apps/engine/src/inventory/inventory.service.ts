import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@reflex/common';
import type {
  GroupStatusV1,
  GroupV1,
  HostV1,
  InstanceV1,
  InventoryMessageV1,
  InventoryV1,
} from '@reflex/contracts';
import type { InventoryChange } from '@reflex/domain';
import { ProcessedMessageRepository, UnitOfWork } from '@reflex/persistence';
import { GroupStatusService } from './group-status.service';
import { InventoryRepository } from './inventory.repository';
import { type ListPage, type PageRequest, toPage } from './list-page';

/**
 * A change the engine makes to the inventory once an action has succeeded (`inventoryEffects` of
 * @reflex/domain produces them): `{ kind: 'instance', id, set: { hostId?, state?, role? } }` or
 * `{ kind: 'host', id, set: { status } }`.
 */
export type { InventoryChange } from '@reflex/domain';

/** Who consumed a message, and its stable id, for the idempotency ledger. */
export interface MessageLedgerEntry {
  consumer: string;
  messageId: string;
}

/**
 * The inventory use cases shared by REST, the `inventory` topic and the planner. Every write runs in
 * one transaction (the caller's, when it passes a manager) together with the refresh of the groups
 * it may have changed the redundancy of.
 */
@Injectable()
export class InventoryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: InventoryRepository,
    private readonly groups: GroupStatusService,
    private readonly processed: ProcessedMessageRepository,
  ) {}

  inventory(): Promise<InventoryV1> {
    return this.repository.load();
  }

  /** PUT /v1/inventory: afterwards the store holds exactly `inventory`. */
  replaceInventory(inventory: InventoryV1): Promise<void> {
    return this.uow.within(async () => {
      await this.repository.replaceAll(inventory);
      await this.groups.refresh(inventory.groups.map((group) => group.id));
    });
  }

  groupStatus(groupId: string): Promise<GroupStatusV1> {
    return this.groups.status(groupId);
  }

  async host(id: string): Promise<HostV1> {
    const host = await this.repository.getHost(id);
    if (!host) throw new NotFoundError('host', id);
    return host;
  }

  async instance(id: string): Promise<InstanceV1> {
    const instance = await this.repository.getInstance(id);
    if (!instance) throw new NotFoundError('instance', id);
    return instance;
  }

  async group(id: string): Promise<GroupV1> {
    const group = await this.repository.getGroup(id);
    if (!group) throw new NotFoundError('group', id);
    return group;
  }

  async listInstances(
    page: PageRequest & { hostId?: string; groupId?: string },
  ): Promise<ListPage<InstanceV1>> {
    const rows = await this.repository.listInstances({ ...page, limit: page.limit + 1 });
    return toPage(rows, page.limit);
  }

  async putHost(host: HostV1): Promise<HostV1> {
    await this.uow.within(async () => {
      await this.repository.upsertHosts([host]);
      await this.groups.refresh(await this.repository.groupsOnHosts([host.id]));
    });
    return { ...host, labels: host.labels ?? {} };
  }

  async putInstance(instance: InstanceV1): Promise<InstanceV1> {
    await this.uow.within(async () => {
      // The group it leaves (if it changes group) loses a member too.
      const before = await this.repository.groupsOfInstances([instance.id]);
      await this.repository.upsertInstances([instance]);
      await this.groups.refresh(instance.groupId ? [...before, instance.groupId] : before);
    });
    return { ...instance, groupId: instance.groupId ?? null, role: instance.role ?? null };
  }

  async putGroup(group: GroupV1): Promise<GroupV1> {
    await this.uow.within(async () => {
      await this.repository.upsertGroups([group]);
      await this.groups.refresh([group.id]);
    });
    return group;
  }

  /** Throws NotFoundError when there is no such host. */
  async deleteHost(id: string): Promise<void> {
    if (!(await this.uow.within(() => this.removeHost(id)))) {
      throw new NotFoundError('host', id);
    }
  }

  async deleteInstance(id: string): Promise<void> {
    if (!(await this.uow.within(() => this.removeInstance(id)))) {
      throw new NotFoundError('instance', id);
    }
  }

  async deleteGroup(id: string): Promise<void> {
    if (!(await this.uow.within(() => this.repository.delete('groups', id)))) {
      throw new NotFoundError('group', id);
    }
  }

  /**
   * For the planner, inside its own transaction: applies the effects of succeeded actions (an
   * instance that migrated is on its new host, a promoted standby is active) and refreshes the
   * redundancy of the groups they touch. Changes to unknown objects are ignored.
   */
  async applyChanges(changes: readonly InventoryChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.repository.patch(changes);
    // A host set down takes its instances down with it. Without this the inventory would keep
    // showing as running the instances a failover could not move (no room, or a destination that
    // failed meanwhile), on a host the engine itself fenced and marked down.
    const down = changes.filter((c) => c.kind === 'host' && c.set.status === 'down');
    await this.repository.markInstancesDownOn(down.map((c) => c.id));
    // Patches never change group membership, so reading the groups afterwards is enough.
    const ids = (kind: InventoryChange['kind']) =>
      changes.filter((change) => change.kind === kind).map((change) => change.id);
    const affected = [
      ...(await this.repository.groupsOfInstances(ids('instance'))),
      ...(await this.repository.groupsOnHosts(ids('host'))),
    ];
    await this.groups.refresh(affected);
  }

  /**
   * One message of the `inventory` topic, at most once per ledger entry: the id is recorded in the
   * same transaction as the change, so a redelivered message changes nothing (even if the object was
   * edited over REST in between). Returns false for such a redelivery.
   */
  applyMessage(message: InventoryMessageV1, ledger: MessageLedgerEntry): Promise<boolean> {
    return this.uow.transaction(async () => {
      if (!(await this.processed.markProcessed(ledger.consumer, ledger.messageId))) return false;
      if (message.op === 'delete') {
        if (message.kind === 'host') await this.removeHost(message.id);
        else if (message.kind === 'instance') await this.removeInstance(message.id);
        else await this.repository.delete('groups', message.id);
      } else if (message.kind === 'host') await this.putHost(message.object);
      else if (message.kind === 'instance') await this.putInstance(message.object);
      else await this.putGroup(message.object);
      return true;
    });
  }

  private async removeHost(id: string): Promise<boolean> {
    // Its instances stay (they may be re-homed by a later upsert) but are no longer healthy.
    const affected = await this.repository.groupsOnHosts([id]);
    const deleted = await this.repository.delete('hosts', id);
    await this.groups.refresh(affected);
    return deleted;
  }

  private async removeInstance(id: string): Promise<boolean> {
    const affected = await this.repository.groupsOfInstances([id]);
    const deleted = await this.repository.delete('instances', id);
    await this.groups.refresh(affected);
    return deleted;
  }
}
