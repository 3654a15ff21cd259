import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDriverConfig, loadEngineConfig, variablesReadBy } from './app-config';

const operations = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');

describe('docs/operations.md', () => {
  it.each([
    ['engine', loadEngineConfig],
    ['driver', loadDriverConfig],
  ] as const)('names every variable the %s reads', (_name, loader) => {
    const variables = variablesReadBy(loader);
    expect(variables.length).toBeGreaterThan(15);
    expect(variables.filter((v) => !operations.includes(`\`${v}\``))).toEqual([]);
  });
});
