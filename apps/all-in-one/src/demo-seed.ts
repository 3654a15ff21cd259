import type { INestApplication } from '@nestjs/common';
import { assertValid } from '@reflex/contracts';
import { BackendRegistry } from '../../driver/src';
import { InventoryService } from '../../engine/src';
import { demoTopology } from './demo-topology';

/**
 * Puts the demo topology into the simulated cloud and the inventory (what `PUT /v1/sim/state` and
 * `PUT /v1/inventory` do), but only into an empty inventory: a restart on a kept data directory,
 * or a real database, keeps what is there. Returns whether it seeded.
 */
export async function seedDemoTopology(
  engine: INestApplication,
  driver: INestApplication,
): Promise<boolean> {
  const inventory = engine.get(InventoryService);
  const current = await inventory.inventory();
  if (current.hosts.length > 0 || current.instances.length > 0 || current.groups.length > 0) {
    return false;
  }
  const topology = assertValid('inventory.v1', demoTopology());
  // The cloud first: the inventory describes it.
  await driver.get(BackendRegistry, { strict: false }).simulator.seed(topology);
  await inventory.replaceInventory(topology);
  return true;
}
