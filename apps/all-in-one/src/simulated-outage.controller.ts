import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@reflex/common';
import type { HostV1, InstanceV1 } from '@reflex/contracts';
import { BackendError, BackendRegistry, SimulatorControlEnabled } from '../../driver/src';

export interface SimulatedOutage {
  /** The host as the simulated cloud now has it: down. */
  host: HostV1;
  /** What ran on it, now in error until a plan moves or restarts it. */
  instances: InstanceV1[];
}

/**
 * The all-in-one's addition to the simulator control API (CONTRACT §7): a host of the simulated
 * cloud fails on its own, as a real one would, without any action of Reflex. Reporting it is left
 * to monitoring (here: whoever then posts the `host.down` alarm), so the demo shows the real order
 * of events: the cloud breaks, an alarm arrives, a plan repairs.
 */
@ApiTags('simulator (SIMULATOR_CONTROL=1 only)')
@Controller('v1/sim/hosts')
@UseGuards(SimulatorControlEnabled)
export class SimulatedOutageController {
  constructor(private readonly modules: ModuleRef) {}

  @Post(':id/fail')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Fail a simulated host: it and every instance on it go down (no alarm is raised)',
  })
  @ApiParam({ name: 'id', description: 'host id' })
  @ApiResponse({ status: 200, description: 'the host and its instances as the simulator has them' })
  @ApiResponse({ status: 404, description: 'the simulator has no such host' })
  async fail(@Param('id') id: string): Promise<SimulatedOutage> {
    // The registry belongs to DriverModule, which this module wraps without changing it.
    const simulator = this.modules.get(BackendRegistry, { strict: false }).simulator;
    try {
      await simulator.failHost(id);
    } catch (error) {
      if (error instanceof BackendError && error.code === 'not-found') {
        throw new NotFoundError('host', id);
      }
      throw error;
    }
    const cloud = await simulator.snapshot();
    return {
      host: cloud.hosts.find((h) => h.id === id)!,
      instances: cloud.instances.filter((i) => i.hostId === id),
    };
  }
}
