import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertValid, type InventoryV1 } from '@reflex/contracts';
import { ApiError } from './inventory-api.decorators';
import { openApiSchema } from './inventory.openapi';
import { InventoryService } from './inventory.service';

@ApiTags('inventory')
@Controller('v1/inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  @ApiOperation({ summary: 'The whole inventory: hosts, instances and groups, each by id' })
  @ApiResponse({ status: 200, schema: openApiSchema('inventory.v1') })
  get(): Promise<InventoryV1> {
    return this.inventory.inventory();
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the whole inventory',
    description:
      'In one transaction: objects in the document are created or updated, all others deleted.',
  })
  @ApiBody({ schema: openApiSchema('inventory.v1') })
  @ApiResponse({
    status: 200,
    description: 'the stored inventory',
    schema: openApiSchema('inventory.v1'),
  })
  @ApiError(400, 'not a valid Inventory v1 (details name every bad field)')
  @ApiError(413, 'the body is larger than the engine accepts')
  async replace(@Body() body: unknown): Promise<InventoryV1> {
    await this.inventory.replaceInventory(assertValid('inventory.v1', body));
    return this.inventory.inventory();
  }
}
