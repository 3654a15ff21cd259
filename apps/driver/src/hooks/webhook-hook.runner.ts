import { handleKey } from '../backends/backend.port';
import { NO_REDIRECTS, refusedRedirect } from '../backends/redirects';
import type { WebhookSpec } from './hooks.config';
import type { HookPayload, HookResult } from './hook.types';

const RETRY_STATUSES = new Set([408, 429]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs the payload as JSON; 2xx is success. Network errors, timeouts, 408, 429 and 5xx are
 * retried with exponential backoff; other 4xx are the receiver saying no and are not retried.
 * The `Idempotency-Key` header lets a receiver drop the duplicates that retries can cause.
 */
export async function runWebhookHook(spec: WebhookSpec, payload: HookPayload): Promise<HookResult> {
  const started = Date.now();
  const body = JSON.stringify(payload);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'reflex-driver',
    'idempotency-key': `${handleKey(payload.action)}:${payload.phase}:${spec.name}`,
    ...spec.headers,
  };
  const result: HookResult = {
    name: spec.name,
    phase: payload.phase,
    kind: 'webhook',
    ok: false,
    durationMs: 0,
  };
  for (let attempt = 1; attempt <= spec.retries + 1; attempt++) {
    result.attempts = attempt;
    delete result.timedOut;
    let retry = false;
    try {
      const response = await fetch(spec.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(spec.timeoutMs),
        ...NO_REDIRECTS,
      });
      result.status = response.status;
      const redirect = refusedRedirect(response, `webhook ${spec.name}`);
      if (redirect) {
        // Where the receiver moved is a configuration matter: retrying changes nothing.
        result.error = redirect;
        break;
      }
      const text = await response.text();
      result.status = response.status;
      result.body = text.slice(0, spec.maxOutputBytes);
      if (text.length > spec.maxOutputBytes) result.truncated = true;
      result.ok = response.ok;
      if (response.ok) delete result.error;
      else result.error = `HTTP ${response.status}`;
      retry = response.status >= 500 || RETRY_STATUSES.has(response.status);
    } catch (error) {
      const e = error as Error & { cause?: { message?: string } };
      const timedOut = e.name === 'TimeoutError';
      // fetch reports "fetch failed"; the cause says why (ECONNREFUSED, certificate...).
      const why = e.cause?.message ? `${e.message}: ${e.cause.message}` : e.message;
      result.error = timedOut ? `timed out after ${spec.timeoutMs} ms` : why;
      if (timedOut) result.timedOut = true;
      retry = true;
    }
    if (result.ok || !retry || attempt > spec.retries) break;
    await sleep(spec.backoffMs * 2 ** (attempt - 1));
  }
  result.durationMs = Date.now() - started;
  return result;
}
