import {
  Body,
  CanActivate,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Injectable,
  HttpException,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { openApiSchema } from '@reflex/platform';
import { DRIVER_CONFIG, type DriverConfig } from '@reflex/config';
import { assertValid, type InventoryV1 } from '@reflex/contracts';
import { BackendRegistry } from '../backends/backend.registry';
import { FAULT_SCHEMA, parseFault } from '../backends/simulator/simulated-faults';
import type { SimCall, SimFault } from '../backends/simulator/simulator.state';

/** Without SIMULATOR_CONTROL=1 every `/v1/sim` route answers 404, in the platform's error shape. */
@Injectable()
export class SimulatorControlEnabled implements CanActivate {
  constructor(@Inject(DRIVER_CONFIG) private readonly config: DriverConfig) {}

  canActivate(): boolean {
    if (this.config.simulatorControl) return true;
    const message = 'simulator control is off (SIMULATOR_CONTROL=1 turns it on)';
    throw new HttpException({ error: { code: 'NOT_FOUND', message } }, 404);
  }
}

/** Simulator control (CONTRACT §7), for tests and demos only. */
@ApiTags('simulator (SIMULATOR_CONTROL=1 only)')
@Controller('v1/sim')
@UseGuards(SimulatorControlEnabled)
export class SimulatorControlController {
  constructor(private readonly backends: BackendRegistry) {}

  @Post('faults')
  @HttpCode(201)
  @ApiOperation({ summary: 'Arm a fault for the next matching backend calls' })
  @ApiBody({ schema: FAULT_SCHEMA })
  @ApiResponse({ status: 201, description: 'armed', schema: FAULT_SCHEMA })
  @ApiResponse({ status: 400, description: 'not a valid fault (details name every bad field)' })
  async addFault(@Body() body: unknown): Promise<SimFault> {
    const fault = parseFault(body);
    await this.backends.simulator.addFault(fault);
    return fault;
  }

  @Delete('faults')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disarm every fault' })
  async clearFaults(): Promise<void> {
    await this.backends.simulator.clearFaults();
  }

  @Get('calls')
  @ApiOperation({ summary: 'Every simulator backend call, oldest first (the newest 10 000)' })
  async calls(): Promise<{ items: SimCall[]; nextCursor: null }> {
    return { items: await this.backends.simulator.calls(), nextCursor: null };
  }

  @Put('state')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Seed the simulated cloud with an Inventory v1 document',
    description: 'Operations in flight are dropped; faults, settings and the call log stay.',
  })
  @ApiBody({ schema: openApiSchema('inventory.v1') })
  @ApiResponse({
    status: 200,
    description: 'the state seeded',
    schema: openApiSchema('inventory.v1'),
  })
  @ApiResponse({ status: 400, description: 'not a valid Inventory v1 (details name the field)' })
  async seed(@Body() body: unknown): Promise<InventoryV1> {
    await this.backends.simulator.seed(assertValid('inventory.v1', body));
    return this.backends.simulator.snapshot();
  }

  @Get('state')
  @ApiOperation({ summary: 'Where every simulated host and instance really is' })
  state(): Promise<InventoryV1> {
    return this.backends.simulator.snapshot();
  }
}
