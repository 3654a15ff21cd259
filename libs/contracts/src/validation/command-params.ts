import actionParamsSchema from '../schemas/action-params.v1.schema.json';
import type { ActionParams, ActionType } from '../plan.v1';

type ParamsDef = Exclude<keyof typeof actionParamsSchema.$defs, 'actionType'>;

/** Where action-params.v1 defines each action type's params (its `$defs` entry). */
export const PARAMS_DEF_OF: Readonly<Record<ActionType, ParamsDef>> = {
  'live-migrate': 'migrate',
  'cold-migrate': 'migrate',
  evacuate: 'migrate',
  'switch-over': 'switchOver',
  'recover-instance': 'recoverInstance',
  'set-host-status': 'setHostStatus',
  'fence-host': 'fenceHost',
  notify: 'notify',
};

const FIELDS: Readonly<Record<ActionType, readonly string[]>> = Object.fromEntries(
  Object.entries(PARAMS_DEF_OF).map(([type, def]) => [
    type,
    Object.keys(actionParamsSchema.$defs[def].properties),
  ]),
) as Record<ActionType, string[]>;

/**
 * The params of a Driver command v1 for an action: its params reduced to the fields
 * action-params.v1 defines for its type. A plan's action may carry more for the engine's own use
 * (set-host-status keeps `previousStatus`, which only a rollback needs), but the command schema is
 * closed on purpose, so a driver dead-letters a command with a field it does not know.
 */
export function commandParams(type: ActionType, params: object): ActionParams {
  const fields = FIELDS[type];
  if (!fields) return params as ActionParams;
  const source = params as Record<string, unknown>;
  return Object.fromEntries(
    fields
      .filter((f) => Object.prototype.hasOwnProperty.call(source, f))
      .map((f) => [f, source[f]]),
  ) as unknown as ActionParams;
}
