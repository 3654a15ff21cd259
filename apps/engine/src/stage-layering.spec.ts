import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * The engine's folders follow an alarm, and each may import only the folders after it in this
 * list: adapters first, then the stages in the order an alarm meets them, then the stores every
 * stage uses. The files at the root (engine.module.ts, plans.module.ts, index.ts, main.ts) wire
 * them together and are not checked, nor are the folders' own Nest modules (`*.module.ts`), which
 * compose with other modules as Nest requires. A new folder must be placed in the list.
 */
const LAYERS = [
  'console',
  'operator-api',
  'audit',
  'intake',
  'decisions',
  'rules',
  'planning',
  'execution',
  'outbox',
  'plans',
  'inventory',
  'common',
];

const ROOT = __dirname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    const checked = !name.endsWith('.spec.ts') && !name.endsWith('.module.ts');
    return name.endsWith('.ts') && checked ? [path] : [];
  });
}

const folderOf = (path: string): string => relative(ROOT, path).split(sep)[0];

/**
 * `a -> b` for every relative import from folder a into another folder b; a root file (the
 * wiring) counts as folder `(root)`, above every layer.
 */
function edges(): Array<{ from: string; to: string; file: string }> {
  const found: Array<{ from: string; to: string; file: string }> = [];
  for (const folder of readdirSync(ROOT).filter((n) => statSync(join(ROOT, n)).isDirectory())) {
    for (const file of sources(join(ROOT, folder))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = relative(ROOT, normalize(join(dirname(file), match[1])));
        if (target.startsWith('..')) continue;
        const to = target.includes(sep) ? folderOf(join(ROOT, target)) : '(root)';
        if (to !== folder) found.push({ from: folder, to, file: relative(ROOT, file) });
      }
    }
  }
  return found;
}

const rank = (folder: string): number => (folder === '(root)' ? -1 : LAYERS.indexOf(folder));

describe("the engine's folders follow an alarm", () => {
  it('places every folder in the layer list', () => {
    const folders = readdirSync(ROOT).filter((n) => statSync(join(ROOT, n)).isDirectory());
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('has no import that runs back up a layer', () => {
    const all = edges();
    // The check sees the imports it must judge: without them it would pass on nothing.
    expect(all.some((e) => e.from === 'planning' && e.to === 'execution')).toBe(true);
    const upward = all
      .filter((e) => rank(e.to) <= rank(e.from))
      .map((e) => `${e.file} imports ${e.to}`);
    expect(upward).toEqual([]);
  });
});
