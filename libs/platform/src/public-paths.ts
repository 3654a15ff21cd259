/**
 * What anyone may reach without a token (README, Security): probes, metrics, the API documents and
 * the console's static files. Everything else needs one, whatever route it reaches or fails to.
 */
const PUBLIC_PATHS = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  '/docs',
  '/docs-json',
  '/console',
]);
/** Under these, every file is public (Swagger UI's assets, the console's pages and scripts). */
const PUBLIC_TREES = ['/docs/', '/console/'];
/** Probes stay answerable from any `Host`: an orchestrator calls them by the pod's address. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The path as Express routes it (case-insensitive, a trailing slash optional), also percent-decoded
 * with repeated slashes collapsed, so that no spelling of a public path is missed. Null for a path
 * that cannot be decoded or has a `.`/`..` segment: such a path is never public.
 */
export function normalisedPath(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const collapsed = decoded.toLowerCase().replace(/\/+/g, '/');
  if (collapsed.split('/').some((segment) => segment === '.' || segment === '..')) return null;
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

export function isPublicPath(path: string): boolean {
  const normal = normalisedPath(path);
  if (normal === null) return false;
  return PUBLIC_PATHS.has(normal) || PUBLIC_TREES.some((tree) => normal.startsWith(tree));
}

export function isProbePath(path: string): boolean {
  const normal = normalisedPath(path);
  return normal !== null && PROBE_PATHS.has(normal);
}
