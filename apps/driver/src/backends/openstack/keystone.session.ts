import { BackendError } from '../backend.errors';
import { NO_REDIRECTS, refusedRedirect } from '../redirects';
import type { OpenStackConfig } from './openstack.config';

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

/** Re-authenticate this long before Keystone's `expires_at`, so a call never races expiry. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Keystone v3 password authentication: `POST /v3/auth/tokens` with a project scope; the token is
 * the `X-Subject-Token` response header and Nova's URL comes from the catalog in the body.
 * Concurrent callers share one in-flight authentication.
 */
export class KeystoneSession {
  private token: string | null = null;
  private expiresAt = 0;
  private computeUrl: string | null = null;
  private pending: Promise<void> | null = null;

  constructor(private readonly config: OpenStackConfig) {}

  async credentials(): Promise<{ token: string; computeUrl: string }> {
    if (!this.token || Date.now() > this.expiresAt - EXPIRY_MARGIN_MS) await this.authenticate();
    return { token: this.token!, computeUrl: this.computeUrl! };
  }

  /** Drops a token that Nova rejected (401) so the next call authenticates again. */
  invalidate(rejected: string): void {
    if (this.token === rejected) this.token = null;
  }

  private authenticate(): Promise<void> {
    this.pending ??= this.requestToken().finally(() => (this.pending = null));
    return this.pending;
  }

  private async requestToken(): Promise<void> {
    const c = this.config;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: c.username, domain: { name: c.userDomainName }, password: c.password },
          },
        },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
      },
    };
    let response: Response;
    try {
      response = await fetch(`${c.authUrl}/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(c.requestTimeoutMs),
        ...NO_REDIRECTS,
      });
    } catch (error) {
      throw new BackendError('backend-unavailable', `keystone unreachable: ${String(error)}`, {
        retriable: true,
        cause: error,
      });
    }
    const redirect = refusedRedirect(response, 'keystone');
    if (redirect) throw new BackendError('backend-error', redirect, { retriable: false });
    if (response.status !== 201 && response.status !== 200) {
      const text = await response.text().catch(() => '');
      // Wrong credentials stay wrong; an overloaded Keystone may recover.
      const retriable = response.status >= 500 || response.status === 429;
      throw new BackendError(
        retriable ? 'backend-unavailable' : 'backend-error',
        `keystone authentication failed: HTTP ${response.status} ${text.slice(0, 300)}`,
        { retriable },
      );
    }
    const token = response.headers.get('x-subject-token');
    const json = (await response.json()) as {
      token?: { expires_at?: string; catalog?: CatalogEntry[] };
    };
    if (!token) {
      throw new BackendError('backend-error', 'keystone returned no X-Subject-Token', {
        retriable: false,
      });
    }
    this.token = token;
    this.expiresAt = Date.parse(json.token?.expires_at ?? '') || Date.now() + 3_600_000;
    this.computeUrl = c.computeUrl ?? this.findCompute(json.token?.catalog ?? []);
  }

  private findCompute(catalog: CatalogEntry[]): string {
    const c = this.config;
    const endpoint = catalog
      .filter((entry) => entry.type === 'compute')
      .flatMap((entry) => entry.endpoints)
      .find(
        (e) =>
          e.interface === c.interface &&
          (c.region === null || e.region === c.region || e.region_id === c.region),
      );
    if (!endpoint) {
      throw new BackendError(
        'backend-error',
        `no ${c.interface} compute endpoint${c.region ? ` in ${c.region}` : ''} in the catalog`,
        { retriable: false },
      );
    }
    return endpoint.url.replace(/\/+$/, '');
  }
}
