import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A rule for tests: fires `event` for alarms of `alarmType`. */
export function sampleRule(
  name: string,
  overrides: Record<string, unknown> = {},
  alarmType = 'host.down',
): Record<string, unknown> {
  return {
    name,
    priority: 10,
    mode: 'auto',
    cooldownSeconds: 60,
    conditions: { all: [{ fact: 'alarm', path: '$.type', operator: 'equal', value: alarmType }] },
    event: { type: 'host-failover', params: { onFailure: 'continue' } },
    ...overrides,
  };
}

/** A scratch rules directory, removed by `remove()`. */
export class RuleDir {
  readonly path = mkdtempSync(join(tmpdir(), 'reflex-rules-'));

  write(name: string, rule: unknown): string {
    const file = join(this.path, `${name}.rule.json`);
    writeFileSync(file, typeof rule === 'string' ? rule : `${JSON.stringify(rule, null, 2)}\n`);
    return file;
  }

  delete(name: string): void {
    rmSync(join(this.path, `${name}.rule.json`));
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
