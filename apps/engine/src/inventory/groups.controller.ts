import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { GroupAtAGlanceV1, GroupStatusV1, GroupV1, PageV1 } from '@reflex/contracts';
import { ApiError, ApiIdParam, ApiPaging } from './inventory-api.decorators';
import { objectForPath } from './inventory-input';
import { GROUP_STATUS_SCHEMA, openApiSchema } from './inventory.openapi';
import { GROUP_GLANCE_PAGE } from './inventory-glance.openapi';
import { InventoryGlanceService } from './inventory-glance.service';
import { InventoryService } from './inventory.service';
import { pageRequest } from './list-page';

@ApiTags('inventory')
@Controller('v1/groups')
export class GroupsController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly glance: InventoryGlanceService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List groups, ordered by id',
    description:
      'Each group with its members (instance, host, role, state, health) and its redundancy status.',
  })
  @ApiPaging()
  @ApiResponse({ status: 200, schema: GROUP_GLANCE_PAGE })
  list(
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<PageV1<GroupAtAGlanceV1>> {
    return this.glance.groups(pageRequest(limit, cursor));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One group' })
  @ApiIdParam('group')
  @ApiResponse({ status: 200, schema: openApiSchema('group.v1') })
  @ApiError(404, 'no such group')
  get(@Param('id') id: string): Promise<GroupV1> {
    return this.inventory.group(id);
  }

  @Get(':id/status')
  @ApiOperation({
    summary: "The group's redundancy",
    description:
      'healthy = instance running on an `up` host; redundant = at least `active` healthy actives ' +
      'and `standby` healthy standbys.',
  })
  @ApiIdParam('group')
  @ApiResponse({ status: 200, schema: GROUP_STATUS_SCHEMA })
  @ApiError(404, 'no such group')
  status(@Param('id') id: string): Promise<GroupStatusV1> {
    return this.inventory.groupStatus(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a group' })
  @ApiIdParam('group')
  @ApiBody({ schema: openApiSchema('group.v1') })
  @ApiResponse({ status: 200, description: 'stored', schema: openApiSchema('group.v1') })
  @ApiError(400, 'the body is not a valid Group v1, or its id differs from the path')
  put(@Param('id') id: string, @Body() body: unknown): Promise<GroupV1> {
    return this.inventory.putGroup(objectForPath('group.v1', id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a group',
    description: 'Its members stay in the inventory, outside any group.',
  })
  @ApiIdParam('group')
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiError(404, 'no such group')
  async delete(@Param('id') id: string): Promise<void> {
    await this.inventory.deleteGroup(id);
  }
}
