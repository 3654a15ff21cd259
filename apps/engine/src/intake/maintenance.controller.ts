import { ANONYMOUS, type AuthenticatedRequest, RequireRole } from '@reflex/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConflictError, NotFoundError, ValidationError } from '@reflex/common';
import type { AlarmV1, IntakeResultV1 } from '@reflex/contracts';
import { InventoryRepository } from '../inventory/inventory.repository';
import { MAINTENANCE_COMPLETED, MAINTENANCE_REQUESTED } from '../decisions/maintenance-windows';
import {
  MAINTENANCE_REQUEST_SCHEMA,
  OPEN_MAINTENANCE_SCHEMA,
  type OpenMaintenance,
  OpenMaintenanceReader,
} from './open-maintenance';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';

const SOURCE = 'reflex-api';

/** Who asked, in the alarm's annotations, so the audit of the alarm and its plan names them. */
const requestedBy = (req: AuthenticatedRequest) => (req.principal ?? ANONYMOUS).name;

const REQUEST_FIELDS = ['reason', 'notBefore'];

function parseRequest(body: unknown): { reason: string; notBefore?: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  const errors: { path: string; message: string }[] = [];
  // A mistyped `notBfore` would otherwise start the drain at once, which is what it was meant to delay.
  for (const name of Object.keys(b).filter((k) => !REQUEST_FIELDS.includes(k))) {
    errors.push({
      path: `/${name}`,
      message: `is not a field of a maintenance request (${REQUEST_FIELDS.join(', ')})`,
    });
  }
  if (typeof b.reason !== 'string' || b.reason.trim() === '')
    errors.push({ path: '/reason', message: 'is required (a non-empty string)' });
  else if (b.reason.length > 2000)
    errors.push({ path: '/reason', message: 'must be at most 2000 characters' });
  if (
    b.notBefore !== undefined &&
    (typeof b.notBefore !== 'string' || Number.isNaN(Date.parse(b.notBefore)))
  ) {
    errors.push({ path: '/notBefore', message: 'must be an ISO-8601 date-time' });
  }
  if (errors.length)
    throw new ValidationError(
      `invalid maintenance request: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors,
    );
  return { reason: b.reason as string, notBefore: b.notBefore as string | undefined };
}

/**
 * Maintenance requests become alarms (CONTRACT §4), so rules decide what maintenance means. One
 * request per host is open at a time (`maintenance:<host>`); ending maintenance closes it and raises
 * `host.maintenance.completed`.
 */
@ApiTags('inventory')
@RequireRole('operator')
@Controller('v1/hosts/:id/maintenance')
export class MaintenanceController {
  constructor(
    private readonly ingest: IngestAlarmUseCase,
    private readonly inventory: InventoryRepository,
    private readonly windows: OpenMaintenanceReader,
  ) {}

  private async requireHost(id: string): Promise<void> {
    if (!(await this.inventory.getHost(id))) throw new NotFoundError('host', id);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: "The host's open maintenance request, with its drain plan",
    description:
      'Open: a host.maintenance.requested alarm (from this API or any other source) that is firing and not resolved. ' +
      '`{ hostId, open: false }` when there is none.',
  })
  @ApiParam({ name: 'id', description: 'host id' })
  @ApiResponse({ status: 200, schema: OPEN_MAINTENANCE_SCHEMA })
  @ApiResponse({ status: 404, description: 'no such host' })
  async read(@Param('id') id: string): Promise<OpenMaintenance> {
    await this.requireHost(id);
    return this.windows.open(id);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Request maintenance: raises host.maintenance.requested' })
  @ApiParam({ name: 'id', description: 'host id' })
  @ApiBody({ schema: MAINTENANCE_REQUEST_SCHEMA })
  @ApiResponse({ status: 202, description: 'decided; `planState` is the state of the plan made' })
  @ApiResponse({ status: 400, description: 'no reason, a bad notBefore, or an unknown field' })
  @ApiResponse({ status: 404 })
  @ApiResponse({
    status: 409,
    description: 'the drain plan is blocked: `error.details` has planId, planState and reason',
  })
  async request(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ): Promise<IntakeResultV1> {
    const request = parseRequest(body);
    await this.requireHost(id);
    const alarm: AlarmV1 = {
      id: `maintenance:${id}`,
      source: SOURCE,
      type: MAINTENANCE_REQUESTED,
      severity: 'info',
      state: 'firing',
      resource: { kind: 'host', id },
      occurredAt: new Date().toISOString(),
      annotations: {
        reason: request.reason,
        ...(request.notBefore ? { notBefore: request.notBefore } : {}),
        requestedBy: requestedBy(req),
      },
    };
    const result = await this.ingest.execute({
      alarm,
      payload: { hostId: id, ...request },
      channel: 'maintenance-api',
    });
    // Not "202 triggered": nothing will happen to the host, and the operator must hear why.
    if (result.planState === 'blocked') {
      throw new ConflictError(`maintenance of host ${id} is blocked: ${result.reason}`, result);
    }
    return result;
  }

  @Delete()
  @HttpCode(202)
  @ApiOperation({
    summary: 'End maintenance: closes the request and raises host.maintenance.completed',
  })
  @ApiParam({ name: 'id', description: 'host id' })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 404 })
  async complete(
    @Param('id') id: string,
    @Req() req: AuthenticatedRequest,
  ): Promise<{ closed: IntakeResultV1; completed: IntakeResultV1 }> {
    await this.requireHost(id);
    const now = new Date().toISOString();
    const resource = { kind: 'host' as const, id };
    const annotations = { requestedBy: requestedBy(req) };
    const closed = await this.ingest.execute({
      alarm: {
        id: `maintenance:${id}`,
        source: SOURCE,
        type: MAINTENANCE_REQUESTED,
        state: 'resolved',
        resource,
        occurredAt: now,
        annotations,
      },
      payload: { hostId: id, action: 'end-maintenance' },
      channel: 'maintenance-api',
    });
    const completed = await this.ingest.execute({
      alarm: {
        id: `maintenance-completed:${id}:${now}`,
        source: SOURCE,
        type: MAINTENANCE_COMPLETED,
        severity: 'info',
        state: 'firing',
        resource,
        occurredAt: now,
        annotations,
      },
      payload: { hostId: id, action: 'end-maintenance' },
      channel: 'maintenance-api',
    });
    return { closed, completed };
  }
}
