import { hostName } from './http-security';
import { isProbePath, isPublicPath, normalisedPath } from './public-paths';

describe('public paths', () => {
  it.each([
    '/healthz',
    '/HEALTHZ',
    '/healthz/',
    '//healthz',
    '/%68ealthz',
    '/readyz',
    '/metrics',
    '/docs',
    '/docs/',
    '/docs/swagger-ui-bundle.js',
    '/docs-json',
    '/console',
    '/console/assets/app.js',
  ])('%s is public', (path) => expect(isPublicPath(path)).toBe(true));

  it.each([
    '/',
    '/v1/plans',
    '/V1/hosts/x',
    '/%761/hosts/x',
    '/healthz/x',
    '/healthzz',
    '/docs/../v1/plans',
    '/docs/%2e%2e/v1/plans',
    '/docs/..%2fv1/plans',
    '/console/./x',
    '/docs%',
    '/metrics.json',
  ])('%s is not', (path) => expect(isPublicPath(path)).toBe(false));

  it('normalises as the router matches: case, encoding, repeated and trailing slashes', () => {
    expect(normalisedPath('//V1//%68osts/x/')).toBe('/v1/hosts/x');
    expect(normalisedPath('/')).toBe('/');
    expect(normalisedPath('/%E0%A4%A')).toBeNull();
  });

  it('knows the probes, which answer from any Host', () => {
    expect(isProbePath('/READYZ/')).toBe(true);
    expect(isProbePath('/metrics')).toBe(false);
  });
});

describe('hostName', () => {
  it.each([
    ['localhost:3000', 'localhost'],
    ['LocalHost', 'localhost'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:3000', '::1'],
    ['[::1]', '::1'],
    ['reflex.example.com.', 'reflex.example.com'],
    ['', ''],
  ])('%j → %j', (header, name) => expect(hostName(header)).toBe(name));
});
