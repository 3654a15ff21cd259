import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { refuse } from './authentication';
import { isProbePath } from './public-paths';

/**
 * Same-origin pages only (the console, Swagger UI at /docs): scripts, styles and calls from this
 * origin; inline styles because Swagger UI sets `style=` attributes and a `<style>` block; `data:`
 * images for the icons in its stylesheet; never framed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** On every answer, errors and 401s included. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}

/** The name in a `Host` header, without port or IPv6 brackets, lower-case. */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1];
  const name = host.split(':').length === 2 ? host.slice(0, host.lastIndexOf(':')) : host;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/**
 * With authentication off, a page on another site could reach the API through the browser of
 * someone who can: by DNS rebinding (its own name resolving to 127.0.0.1, so the `Host` header still
 * carries that name) or by a plain cross-site form post. The first is stopped by accepting only
 * loopback names and ALLOWED_HOSTS in `Host`; probes are exempt (an orchestrator calls them by
 * address, and they tell nothing worth stealing).
 */
export function hostCheck(allowedHosts: readonly string[]) {
  const allowed = new Set(allowedHosts);
  return (req: Request, res: Response, next: NextFunction): void => {
    const name = hostName(req.headers.host ?? '');
    if (isLoopback(name) || allowed.has(name) || isProbePath(req.path)) return next();
    refuse(
      res,
      403,
      'HOST_NOT_ALLOWED',
      `Host "${name}" is not a loopback name; while AUTH_TOKENS is unset only loopback names and ` +
        'ALLOWED_HOSTS are served (set AUTH_TOKENS, or add this name to ALLOWED_HOSTS)',
      [{ path: 'header:host', message: 'must be a loopback name or one of ALLOWED_HOSTS' }],
    );
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The cross-site post: a page can send a form or `text/plain` body, or no body at all, to any
 * address without the browser asking first, but never a body declared `application/json`. So while
 * authentication is off, a state-changing call must declare JSON, body or not. A browser that says
 * the call comes from this very origin (`Sec-Fetch-Site`, which no page can set) is believed: Swagger
 * UI's "Try it out" sends body-less calls without a type.
 */
export function jsonOnly(req: Request, res: Response, next: NextFunction): void {
  if (!STATE_CHANGING.has(req.method)) return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || req.headers['sec-fetch-site'] === 'same-origin') return next();
  refuse(
    res,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `${req.method} needs Content-Type: application/json while AUTH_TOKENS is unset ` +
      `(cross-site request protection), got "${type || 'none'}"`,
    [{ path: 'header:content-type', message: 'must be application/json' }],
  );
}
