import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FAILURE_DOMAIN_KINDS, type CapacityForecast } from '@reflex/domain';
import { RequireRole } from '@reflex/platform';
import { CapacityForecastService, domainKind } from '../planning/capacity-forecast.service';
import { ApiError } from './plan-api.schemas';

@ApiTags('capacity')
@Controller('v1/capacity')
export class CapacityController {
  constructor(private readonly capacity: CapacityForecastService) {}

  @Get('forecast')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Could each host, rack or zone fail now and everything on it run elsewhere?',
    description:
      'Plans the failover of every domain of the kind with the real planner and the in-flight ' +
      'reservations of live plans; nothing is stored.',
  })
  @ApiQuery({ name: 'domain', required: true, enum: FAILURE_DOMAIN_KINDS })
  @ApiResponse({ status: 200, description: 'one item per domain, and a summary' })
  @ApiError(400, 'domain is not host, rack or zone')
  forecast(@Query('domain') domain: unknown): Promise<CapacityForecast> {
    return this.capacity.forecast(domainKind(domain));
  }
}
