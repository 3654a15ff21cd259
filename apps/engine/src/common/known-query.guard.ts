import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ValidationError } from '@reflex/common';

// Where @nestjs/swagger keeps a handler's @ApiQuery declarations (its DECORATORS.API_PARAMETERS,
// which the package does not export from its entry point).
const API_PARAMETERS = 'swagger/apiParameters';

/**
 * The query parameters a handler takes: those its OpenAPI declares (@ApiQuery) and those it reads by
 * name (@Query('x')). One source for both, so the documentation and the check cannot drift apart.
 */
export function knownQueryParams(controller: object, handler: { name: string }): Set<string> {
  const names = new Set<string>();
  const declared = (Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as Array<{
    in?: string;
    name?: string;
  }>;
  for (const param of declared) if (param.in === 'query' && param.name) names.add(param.name);
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<
    string,
    { data?: unknown }
  >;
  for (const [key, arg] of Object.entries(args)) {
    // Keyed `<param type>:<index>`; `data` is the name in @Query('name'), absent for @Query().
    if (key.startsWith(`${RouteParamtypes.QUERY}:`) && typeof arg.data === 'string') {
      names.add(arg.data);
    }
  }
  return names;
}

/**
 * CONTRACT §8: an unknown query parameter is a 400 naming it, never ignored (a mistyped filter such
 * as `from` on `/v1/actions` used to answer everything, unfiltered, as if it had applied).
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ path: string; query?: object }>();
    if (!/^\/v1\//i.test(request.path)) return true;
    const sent = Object.keys(request.query ?? {});
    if (!sent.length) return true;
    const known = knownQueryParams(context.getClass(), context.getHandler());
    const unknown = sent.filter((name) => !known.has(name));
    if (!unknown.length) return true;
    const accepted = known.size ? `accepted: ${[...known].sort().join(', ')}` : 'it takes none';
    throw new ValidationError(
      `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (${accepted})`,
      unknown.map((name) => ({ path: name, message: `is not a query parameter of this route` })),
    );
  }
}
