import { BackendError, type BackendErrorCode } from '../backend.errors';
import { NO_REDIRECTS, refusedRedirect } from '../redirects';
import { KeystoneSession } from './keystone.session';
import { viewOf, type ServerView } from './nova-state';
import type { NovaMigration, NovaServer } from './nova-resources';
import type { OpenStackConfig } from './openstack.config';

export type { NovaMigration, NovaServer } from './nova-resources';

export interface NovaService {
  id: string;
  host: string;
  binary: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  forced_down?: boolean;
  disabled_reason?: string | null;
}

const FINISHED = new Set(['completed', 'done', 'error', 'failed', 'cancelled', 'finished']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an HTTP status means for Reflex: code and whether trying again may help. */
function classify(status: number): { code: BackendErrorCode; retriable: boolean } {
  if (status === 404) return { code: 'not-found', retriable: false };
  if (status === 409) return { code: 'invalid-state', retriable: false };
  if (status === 429 || status === 408 || status >= 500) {
    return { code: 'backend-unavailable', retriable: true };
  }
  return { code: 'rejected', retriable: false };
}

/** Nova's words for a destination it cannot use (ComputeServiceUnavailable, ComputeHostNotFound). */
const DESTINATION_REFUSED =
  /compute service of \S+ is unavailable|compute host \S+ (could not be found|not found)/i;

/**
 * A move Nova refused because of its destination (its compute service down, or no such host) is
 * `destination-unavailable`, for the engine to place the move elsewhere (CONTRACT §9); anything
 * else is returned as it was.
 */
export function destinationRefusal(error: unknown, dst: string): unknown {
  if (!(error instanceof BackendError) || !['rejected', 'not-found'].includes(error.code)) {
    return error;
  }
  if (!DESTINATION_REFUSED.test(error.message) || !error.message.includes(dst)) return error;
  return new BackendError('destination-unavailable', error.message, {
    retriable: false,
    cause: error,
    details: error.details,
  });
}

/**
 * Nova compute API v2.1. Each call names its microversion (sent in both the current and the
 * legacy header, so older deployments understand it too). A 401 re-authenticates once.
 */
export class NovaClient {
  readonly session: KeystoneSession;

  constructor(private readonly config: OpenStackConfig) {
    this.session = new KeystoneSession(config);
  }

  async request<T>(
    method: string,
    path: string,
    options: { microversion?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    for (let attempt = 1; ; attempt++) {
      const { token, computeUrl } = await this.session.credentials();
      const headers: Record<string, string> = { 'x-auth-token': token, accept: 'application/json' };
      if (options.microversion) {
        headers['openstack-api-version'] = `compute ${options.microversion}`;
        headers['x-openstack-nova-api-version'] = options.microversion;
      }
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(`${computeUrl}${path}`, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.config.requestTimeoutMs),
          ...NO_REDIRECTS,
        });
      } catch (error) {
        throw new BackendError('backend-unavailable', `nova ${method} ${path}: ${String(error)}`, {
          retriable: true,
          cause: error,
        });
      }
      const redirect = refusedRedirect(response, `nova ${method} ${path}`);
      if (redirect) throw new BackendError('backend-error', redirect, { retriable: false });
      if (response.status === 401 && attempt === 1) {
        this.session.invalidate(token);
        continue;
      }
      const text = await response.text();
      if (!response.ok) {
        const { code, retriable } = classify(response.status);
        throw new BackendError(
          code,
          `nova ${method} ${path}: ${faultMessage(response.status, text)}`,
          {
            retriable,
            details: { status: response.status },
          },
        );
      }
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    }
  }

  async server(id: string): Promise<NovaServer> {
    const path = `/servers/${encodeURIComponent(id)}`;
    return (await this.request<{ server: NovaServer }>('GET', path, { microversion: '2.30' })).body
      .server;
  }

  /** `POST /servers/{id}/action`; the body names the action (`{"os-migrateLive": {...}}`). */
  async action(id: string, body: Record<string, unknown>, microversion?: string): Promise<void> {
    await this.request('POST', `/servers/${encodeURIComponent(id)}/action`, { body, microversion });
  }

  /** In-progress live migrations of a server (Nova lists no finished ones here). */
  async migrations(id: string): Promise<NovaMigration[]> {
    const path = `/servers/${encodeURIComponent(id)}/migrations`;
    const { body } = await this.request<{ migrations: NovaMigration[] }>('GET', path, {
      microversion: '2.59',
    });
    return body.migrations ?? [];
  }

  /** The server's live migration in progress, if any. */
  async currentMigration(serverId: string): Promise<NovaMigration | undefined> {
    return (await this.migrations(serverId)).find((m) => !FINISHED.has(m.status));
  }

  /** Re-reads the server until `done` holds or `settleTimeoutMs` passes; the last view. */
  async settle(serverId: string, done: (v: ServerView) => boolean): Promise<ServerView> {
    const until = Date.now() + this.config.settleTimeoutMs;
    let view = viewOf(await this.server(serverId));
    while (!done(view) && Date.now() < until) {
      await sleep(this.config.settleIntervalMs);
      view = viewOf(await this.server(serverId));
    }
    return view;
  }

  async computeService(host: string): Promise<NovaService> {
    const query = `binary=nova-compute&host=${encodeURIComponent(host)}`;
    const { body } = await this.request<{ services: NovaService[] }>(
      'GET',
      `/os-services?${query}`,
      { microversion: '2.53' },
    );
    const service = body.services?.find((s) => s.host === host);
    if (!service) {
      throw new BackendError('not-found', `no nova-compute service on ${host}`, {
        retriable: false,
      });
    }
    return service;
  }

  async updateService(id: string, body: Record<string, unknown>): Promise<NovaService> {
    const path = `/os-services/${encodeURIComponent(id)}`;
    return (
      await this.request<{ service: NovaService }>('PUT', path, { body, microversion: '2.53' })
    ).body.service;
  }
}

/** Nova wraps errors as `{"badRequest": {"code": 400, "message": "..."}}`. */
function faultMessage(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as Record<string, { message?: string }>;
    const first = Object.values(parsed)[0];
    if (first?.message) return `HTTP ${status}: ${first.message}`;
  } catch {
    /* not JSON */
  }
  return `HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}
