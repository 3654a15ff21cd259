import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * Each app's folders read in one direction: a folder may import only the folders after it in its
 * app's list. The files at an app's root (its module, index.ts, main.ts) wire the folders together
 * and are not checked, nor are the folders' own Nest modules (`*.module.ts`), which compose with
 * other modules as Nest requires. A new folder must be placed in its list.
 *
 * The engine follows an alarm: adapters first, then the stages in the order an alarm meets them,
 * then the stores every stage uses.
 */
const ENGINE = [
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

/** The driver: a command in, the action run (hooks around a backend), its events out. */
const DRIVER = [
  'commands',
  'simulator-control',
  'actions',
  'events',
  'hooks',
  'action-store',
  'batching',
  'routing',
  'backends',
  'settings',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    const checked = !name.endsWith('.spec.ts') && !name.endsWith('.module.ts');
    return name.endsWith('.ts') && checked ? [path] : [];
  });
}

/**
 * `a -> b` for every relative import from folder a into another folder b; a root file (the
 * wiring) counts as folder `(root)`, above every layer.
 */
function edges(root: string): Array<{ from: string; to: string; file: string }> {
  const found: Array<{ from: string; to: string; file: string }> = [];
  for (const folder of folders(root)) {
    for (const file of sources(join(root, folder))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = relative(root, normalize(join(dirname(file), match[1])));
        if (target.startsWith('..')) continue;
        const to = target.includes(sep) ? target.split(sep)[0] : '(root)';
        if (to !== folder) found.push({ from: folder, to, file: relative(root, file) });
      }
    }
  }
  return found;
}

/** Every file's relative imports within the app, as resolved file paths (type-only imports too). */
function fileGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(root)) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) =>
      normalize(join(dirname(file), m[1])),
    );
    graph.set(
      relative(root, file),
      targets.flatMap((t) => [relative(root, `${t}.ts`), relative(root, join(t, 'index.ts'))]),
    );
  }
  return graph;
}

/** The import cycles among files, each as the files around it (one per strongly tied group). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue; // the other spelling of the import, or not a source here
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const folders = (root: string): string[] =>
  readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory());

for (const [app, layers, sample] of [
  ['engine', ENGINE, { from: 'planning', to: 'execution' }],
  ['driver', DRIVER, { from: 'actions', to: 'events' }],
] as const) {
  const root = join(__dirname, app, 'src');
  const rank = (folder: string): number =>
    folder === '(root)' ? -1 : (layers as readonly string[]).indexOf(folder);

  describe(`the ${app}'s folders read in one direction`, () => {
    it('places every folder in the layer list', () => {
      expect(folders(root).filter((f) => rank(f) < 0)).toEqual([]);
    });

    it('has no import that runs back up a layer', () => {
      const all = edges(root);
      // The check sees the imports it must judge: without them it would pass on nothing.
      expect(all.some((e) => e.from === sample.from && e.to === sample.to)).toBe(true);
      const upward = all
        .filter((e) => rank(e.to) <= rank(e.from))
        .map((e) => `${e.file} imports ${e.to}`);
      expect(upward).toEqual([]);
    });

    it('has no import cycle between its files', () => {
      const graph = fileGraph(root);
      expect(graph.size).toBeGreaterThan(20);
      // The check resolves imports to files: a made-up cycle is found.
      expect(
        cycles(
          new Map([
            ['a.ts', ['b.ts']],
            ['b.ts', ['a.ts']],
          ]),
        ),
      ).toEqual([['a.ts', 'b.ts', 'a.ts']]);
      expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
    });
  });
}

describe("the libraries' files import one another without a cycle", () => {
  const libs = join(__dirname, '..', 'libs');
  // TypeORM's relations name each other's entity (`() => PlanEntity`), resolved once both modules
  // have loaded: a pair of entities that refer to each other is the one cycle allowed.
  const allowed = (cycle: string[]) => cycle.every((file) => file.startsWith(`entities${sep}`));

  for (const lib of readdirSync(libs)) {
    it(`@reflex/${lib}`, () => {
      const graph = fileGraph(join(libs, lib, 'src'));
      expect(graph.size).toBeGreaterThan(0);
      const found = cycles(graph).filter((c) => !allowed(c));
      expect(found.map((c) => c.join(' -> '))).toEqual([]);
    });
  }
});
