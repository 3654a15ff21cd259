import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'viewer' | 'operator' | 'admin';

/** GET /v1/session: who the token is (`anonymous` admin with authentication off). */
export interface Session {
  name: string;
  role: Role;
  authentication: boolean;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export const SessionContext = createContext<Session | null>(null);

/** Whether the signed-in token may make calls that need `role`; a viewer sees no such buttons. */
export function useCan(role: Role): boolean {
  const session = useContext(SessionContext);
  return session !== null && RANK[session.role] >= RANK[role];
}
