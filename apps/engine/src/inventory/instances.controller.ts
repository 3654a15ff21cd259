import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@reflex/common';
import type { InstanceV1 } from '@reflex/contracts';
import { ApiError, ApiIdParam, ApiPaging } from './inventory-api.decorators';
import { objectForPath } from './inventory-input';
import { openApiSchema, pageSchema } from './inventory.openapi';
import { InventoryService } from './inventory.service';
import { type ListPage, pageRequest } from './list-page';

function optionalId(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  throw new ValidationError(`${name} must be one id`, [{ path: name, message: 'must be one id' }]);
}

@ApiTags('inventory')
@Controller('v1/instances')
export class InstancesController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  @ApiOperation({ summary: 'List instances, ordered by id' })
  @ApiPaging()
  @ApiQuery({ name: 'hostId', required: false, description: 'only instances on this host' })
  @ApiQuery({ name: 'groupId', required: false, description: 'only members of this group' })
  @ApiResponse({ status: 200, schema: pageSchema('instance.v1') })
  list(
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
    @Query('hostId') hostId: unknown,
    @Query('groupId') groupId: unknown,
  ): Promise<ListPage<InstanceV1>> {
    return this.inventory.listInstances({
      ...pageRequest(limit, cursor),
      hostId: optionalId('hostId', hostId),
      groupId: optionalId('groupId', groupId),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One instance' })
  @ApiIdParam('instance')
  @ApiResponse({ status: 200, schema: openApiSchema('instance.v1') })
  @ApiError(404, 'no such instance')
  get(@Param('id') id: string): Promise<InstanceV1> {
    return this.inventory.instance(id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Create or replace an instance',
    description: 'Redundancy of the group it joins (and of any group it leaves) is recomputed.',
  })
  @ApiIdParam('instance')
  @ApiBody({ schema: openApiSchema('instance.v1') })
  @ApiResponse({ status: 200, description: 'stored', schema: openApiSchema('instance.v1') })
  @ApiError(400, 'the body is not a valid Instance v1, or its id differs from the path')
  put(@Param('id') id: string, @Body() body: unknown): Promise<InstanceV1> {
    return this.inventory.putInstance(objectForPath('instance.v1', id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an instance' })
  @ApiIdParam('instance')
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiError(404, 'no such instance')
  async delete(@Param('id') id: string): Promise<void> {
    await this.inventory.deleteInstance(id);
  }
}
