import { ConfigError } from '@reflex/common';
import { loadDriverConfig, loadEngineConfig } from './app-config';

const T1 = '0123456789abcdef-one';
const T2 = '0123456789abcdef-two';

function problemOf(env: Record<string, string>): string {
  try {
    loadEngineConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('AUTH_TOKENS', () => {
  it('leaves authentication off only when the variable is unset', () => {
    expect(loadEngineConfig({}).authTokens).toEqual([]);
    expect(loadDriverConfig({}).authTokens).toEqual([]);
  });

  it.each([
    ['a stray comma ("${A},${B}" with both empty)', ',', /AUTH_TOKENS entry 1 is empty/],
    ['set but blank', '  ', /AUTH_TOKENS is set but empty/],
    ['an empty entry among good ones', `a:viewer:${T1},,b:admin:${T2}`, /entry 2 is empty/],
    ['a trailing comma', `a:viewer:${T1},`, /entry 2 is empty/],
    [
      'one token under two names',
      `a:viewer:${T1},b:admin:${T1}`,
      /entry 2 \(b\) has the same token as "a"/,
    ],
    ['one name twice', `a:viewer:${T1},a:admin:${T2}`, /the name "a" is used twice/],
    ['whitespace inside a token', `a:viewer:0123456789 abcdef`, /whitespace in its token/],
    ['an unknown role', `a:root:${T1}`, /role "root"/],
    ['a short token', 'a:viewer:short-token', /shorter than 16 characters/],
    ['no role', `a-${T1}`, /must be name:role:token/],
  ])('refuses to start with %s', (_case, value, expected) => {
    const message = problemOf({ AUTH_TOKENS: value });
    expect(message).toMatch(expected);
    expect(message).toContain('AUTH_TOKENS');
  });

  it('never echoes a token in its complaint', () => {
    const message = problemOf({ AUTH_TOKENS: `a:viewer:${T1},b:admin:${T1}` });
    expect(message).not.toContain(T1);
  });

  it('keeps both of two distinct entries', () => {
    expect(
      loadEngineConfig({ AUTH_TOKENS: ` a:viewer:${T1} , b:admin:${T2} ` }).authTokens,
    ).toEqual([
      { name: 'a', role: 'viewer', token: T1 },
      { name: 'b', role: 'admin', token: T2 },
    ]);
  });
});

describe('ALLOWED_HOSTS', () => {
  it('reads host names and addresses, lower-cased, without brackets', () => {
    expect(
      loadEngineConfig({ ALLOWED_HOSTS: 'Reflex.Example.com, 10.0.0.5,[fd00::1]' }).allowedHosts,
    ).toEqual(['reflex.example.com', '10.0.0.5', 'fd00::1']);
    expect(loadEngineConfig({}).allowedHosts).toEqual([]);
  });

  it('refuses an entry with a port or a scheme', () => {
    expect(problemOf({ ALLOWED_HOSTS: 'reflex.example.com:3000' })).toMatch(
      /ALLOWED_HOSTS entry 1/,
    );
    expect(problemOf({ ALLOWED_HOSTS: 'ok.example,http://x' })).toMatch(/ALLOWED_HOSTS entry 2/);
    expect(problemOf({ ALLOWED_HOSTS: '10.0.0.5:3000' })).toMatch(/ALLOWED_HOSTS entry 1/);
  });
});
