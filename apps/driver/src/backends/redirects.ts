/**
 * The driver's outbound calls (webhooks, Keystone, Nova) carry secrets: a body with credentials,
 * X-Auth-Token, a webhook's own headers. fetch would follow a redirect to any origin and send them
 * there again (307/308 with the body), so every such call passes `redirect: 'manual'` and treats a
 * 3xx as a failure that names where it pointed: the configured URL must be the final one.
 */
export const NO_REDIRECTS = { redirect: 'manual' } as const;

/** The error for a redirect answer, or null when `response` is not one. */
export function refusedRedirect(response: Response, what: string): string | null {
  if (response.status < 300 || response.status > 399) return null;
  void response.body?.cancel().catch(() => undefined);
  const location = response.headers.get('location') ?? 'nowhere';
  return (
    `${what} answered HTTP ${response.status} redirecting to ${location}: not followed ` +
    '(it would resend the body and secret headers); configure the final URL'
  );
}
