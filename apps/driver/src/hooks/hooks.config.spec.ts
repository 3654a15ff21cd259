import { ConfigError } from '@reflex/common';
import { parse } from 'yaml';
import { HookRunner } from './hook.runner';
import { parseHooksConfig } from './hooks.config';

const YAML_DOC = `
defaults: { timeoutMs: 1000, retries: 1 }
hooks:
  '*':
    fail:
      - { name: page, url: 'http://127.0.0.1:9/hook', headers: { X-Token: t } }
  live-migrate:
    pre:
      - name: drain
        command: ./drain.sh
        args: [--quick]
        env: { SITE: az1 }
`;

describe('parseHooksConfig', () => {
  it('reads YAML with defaults and resolves commands against the file folder', () => {
    const config = parseHooksConfig(parse(YAML_DOC), 'hooks.yaml', '/etc/reflex');
    expect(config['live-migrate']?.pre).toEqual([
      {
        kind: 'exec',
        name: 'drain',
        command: '/etc/reflex/drain.sh',
        args: ['--quick'],
        env: { SITE: 'az1' },
        timeoutMs: 1000,
        maxOutputBytes: 4096,
      },
    ]);
    expect(config['*']?.fail?.[0]).toMatchObject({
      kind: 'webhook',
      retries: 1,
      backoffMs: 500,
      headers: { 'X-Token': 't' },
    });
  });

  it('orders hooks for every type before the type’s own', () => {
    const runner = new HookRunner(parseHooksConfig(parse(YAML_DOC), 'x', '/'));
    expect(runner.hooksFor('fail', 'live-migrate').map((h) => h.name)).toEqual(['page']);
    expect(runner.hooksFor('pre', 'live-migrate').map((h) => h.name)).toEqual(['drain']);
    expect(runner.hooksFor('pre', 'evacuate')).toEqual([]);
  });

  it('accepts JSON and an empty file', () => {
    expect(parseHooksConfig(JSON.parse('{"hooks":{}}'))).toEqual({});
    expect(parseHooksConfig(parse(''))).toEqual({});
  });

  it('reports every problem with its path', () => {
    const doc = {
      hooks: {
        'live-migrat': { pre: [] },
        evacuate: {
          pre: [{ name: 'both', command: '/bin/true', url: 'http://x' }],
          post: [{ command: '/bin/true', timeoutMs: -1 }],
          during: [],
        },
        notify: { fail: [{ name: 'ftp', url: 'ftp://example' }] },
      },
    };
    let error: unknown;
    try {
      parseHooksConfig(doc, 'hooks.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const fragment of [
      'hooks.live-migrat: unknown action type',
      'hooks.evacuate.pre[0]: needs exactly one of command',
      'hooks.evacuate.post[0].name: is required',
      'hooks.evacuate.post[0].timeoutMs: must be an integer',
      'hooks.evacuate.during: phase must be pre, post or fail',
      'hooks.notify.fail[0].url: must be an http(s) URL',
    ]) {
      expect(message).toContain(fragment);
    }
  });
});
