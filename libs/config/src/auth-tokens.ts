export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthToken {
  /** A name for logs and audit; the token itself is never logged. */
  name: string;
  token: string;
  role: Role;
}

/**
 * AUTH_TOKENS format: comma-separated `name:role:token` entries, e.g.
 * `ops-bot:operator:s3cr3t,alice:admin:0th3r`. Tokens may contain ':' (everything after the second
 * colon is the token).
 */
export function parseAuthTokens(value: string): { tokens: AuthToken[]; problems: string[] } {
  const tokens: AuthToken[] = [];
  const problems: string[] = [];
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .forEach((entry, index) => {
      const [name, role, ...rest] = entry.split(':');
      const token = rest.join(':');
      if (!name || !role || !token) {
        problems.push(`AUTH_TOKENS entry ${index + 1} must be name:role:token`);
      } else if (!(ROLES as readonly string[]).includes(role)) {
        problems.push(
          `AUTH_TOKENS entry ${index + 1} (${name}) has role "${role}"; roles: ${ROLES.join(', ')}`,
        );
      } else if (token.length < 16) {
        problems.push(
          `AUTH_TOKENS entry ${index + 1} (${name}) has a token shorter than 16 characters`,
        );
      } else {
        tokens.push({ name, role: role as Role, token });
      }
    });
  return { tokens, problems };
}
