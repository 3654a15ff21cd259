export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const MIN_TOKEN_LENGTH = 16;

export interface AuthToken {
  /** A name for logs and audit; the token itself is never logged. */
  name: string;
  token: string;
  role: Role;
}

/**
 * AUTH_TOKENS format: comma-separated `name:role:token` entries, e.g.
 * `ops-bot:operator:s3cr3t...,alice:admin:0th3r...`. Tokens may contain ':' (everything after the
 * second colon is the token).
 *
 * Anything ambiguous is a problem rather than a guess, because a guess here either opens the API or
 * gives someone a role they were not meant to have: an empty entry (`","` is what `"${A},${B}"`
 * gives when both are empty, and used to leave the API open), a token listed twice (the last entry
 * used to win, so the same secret could be a viewer's and an admin's), a name listed twice (the
 * audit could not tell the two apart), a token with whitespace (a bearer header can never carry
 * it), an unknown role, a short token.
 */
export function parseAuthTokens(value: string): { tokens: AuthToken[]; problems: string[] } {
  const tokens: AuthToken[] = [];
  const problems: string[] = [];
  const byToken = new Map<string, string>();
  const names = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `AUTH_TOKENS entry ${index + 1}`;
    if (entry === '') {
      problems.push(`${where} is empty (a stray comma, or a variable that expanded to nothing)`);
      return;
    }
    const [name, role, ...rest] = entry.split(':');
    const token = rest.join(':');
    if (!name || !role || !token) {
      problems.push(`${where} must be name:role:token`);
    } else if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`${where} (${name}) has role "${role}"; roles: ${ROLES.join(', ')}`);
    } else if (/\s/.test(token)) {
      problems.push(
        `${where} (${name}) has whitespace in its token, which no bearer header carries`,
      );
    } else if (token.length < MIN_TOKEN_LENGTH) {
      problems.push(`${where} (${name}) has a token shorter than ${MIN_TOKEN_LENGTH} characters`);
    } else if (byToken.has(token)) {
      problems.push(`${where} (${name}) has the same token as "${byToken.get(token)}"`);
    } else if (names.has(name)) {
      problems.push(`${where}: the name "${name}" is used twice`);
    } else {
      byToken.set(token, name);
      names.add(name);
      tokens.push({ name, role: role as Role, token });
    }
  });
  return { tokens, problems };
}

/**
 * ALLOWED_HOSTS: extra names the `Host` header may carry while authentication is off (loopback
 * names and addresses always may). Host names or IP addresses, without port.
 */
export function parseAllowedHosts(value: string): { hosts: string[]; problems: string[] } {
  const hosts: string[] = [];
  const problems: string[] = [];
  value.split(',').forEach((raw, index) => {
    const host = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    // An IPv6 address has at least two colons; one colon is a port, which the check ignores.
    if (/^[a-z0-9.-]+$/.test(host) || /^[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*$/.test(host))
      hosts.push(host);
    else
      problems.push(
        `ALLOWED_HOSTS entry ${index + 1} must be a host name or IP address without port, got "${raw.trim()}"`,
      );
  });
  return { hosts, problems };
}
