import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HostAtAGlanceV1, HostV1, PageV1 } from '@reflex/contracts';
import { ApiError, ApiIdParam, ApiPaging } from './inventory-api.decorators';
import { objectForPath } from './inventory-input';
import { openApiSchema } from './inventory.openapi';
import { HOST_GLANCE_PAGE } from './inventory-glance.openapi';
import { InventoryGlanceService } from './inventory-glance.service';
import { InventoryService } from './inventory.service';
import { pageRequest } from './list-page';

@ApiTags('inventory')
@Controller('v1/hosts')
export class HostsController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly glance: InventoryGlanceService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List hosts, ordered by id',
    description:
      'Each host with its load: used and free vCPU and memory, instance count, percent used.',
  })
  @ApiPaging()
  @ApiResponse({ status: 200, schema: HOST_GLANCE_PAGE })
  list(
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<PageV1<HostAtAGlanceV1>> {
    return this.glance.hosts(pageRequest(limit, cursor));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One host' })
  @ApiIdParam('host')
  @ApiResponse({ status: 200, schema: openApiSchema('host.v1') })
  @ApiError(404, 'no such host')
  get(@Param('id') id: string): Promise<HostV1> {
    return this.inventory.host(id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Create or replace a host',
    description: 'Redundancy of the groups with members on the host is recomputed.',
  })
  @ApiIdParam('host')
  @ApiBody({ schema: openApiSchema('host.v1') })
  @ApiResponse({ status: 200, description: 'stored', schema: openApiSchema('host.v1') })
  @ApiError(400, 'the body is not a valid Host v1, or its id differs from the path')
  put(@Param('id') id: string, @Body() body: unknown): Promise<HostV1> {
    return this.inventory.putHost(objectForPath('host.v1', id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a host',
    description: 'Its instances stay in the inventory, but count as unhealthy until re-homed.',
  })
  @ApiIdParam('host')
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiError(404, 'no such host')
  async delete(@Param('id') id: string): Promise<void> {
    await this.inventory.deleteHost(id);
  }
}
