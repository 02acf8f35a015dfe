import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * No import cycles in packages/: between source files, between the folders
 * of a package's src/ (client/ and server/ must not import each other), and
 * between packages. Type-only imports count: a cycle of types is still two
 * modules that cannot be read, moved or changed one without the other.
 *
 * A small resolver over the TypeScript sources, enough for how this repo
 * imports: relative specifiers ending in `.js` (resolved to `.ts`), and
 * `@courier/<package>`.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const packagesDir = join(root, 'packages');

/**
 * Cycles that exist today and are being removed on another branch; each
 * entry names the branch. Listed cycles are tolerated, and the test fails
 * once one of them is gone, so the entry is deleted with it.
 */
const KNOWN_CYCLES: ReadonlyArray<{ cycle: string; branch: string }> = [
  // The protocol codec's split by concept (issue #11, transport part) removes it.
  { cycle: 'transport:protocol/framing.ts <-> transport:protocol/read-packet.ts', branch: 'i11t' },
];

const isTestFile = (name: string): boolean =>
  /\.test(-d)?\.ts$/.test(name) || /\.test-util\.ts$/.test(name) || name.endsWith('.d.ts');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'fixtures' && entry.name !== 'testing') {
        sourceFiles(path, out);
      }
    } else if (entry.name.endsWith('.ts') && !isTestFile(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

interface Module {
  /** `core`, `transport`, ... */
  readonly pkg: string;
  /** Path inside the package's src/, with `/`. */
  readonly path: string;
  readonly imports: { file: string | undefined; pkg: string | undefined }[];
}

const packages = readdirSync(packagesDir).filter((p) => existsSync(join(packagesDir, p, 'src')));
const modules = new Map<string, Module>();
for (const pkg of packages) {
  const src = join(packagesDir, pkg, 'src');
  for (const file of sourceFiles(src)) {
    const imports = specifiers(readFileSync(file, 'utf8')).map((spec) => {
      if (spec.startsWith('.')) return { file: resolveRelative(file, spec), pkg: undefined };
      const m = /^@courier\/([^/]+)/.exec(spec);
      return { file: undefined, pkg: m?.[1] };
    });
    modules.set(file, { pkg, path: relative(src, file).split(sep).join('/'), imports });
  }
}

type Graph = Map<string, Set<string>>;

function addEdge(graph: Graph, from: string, to: string): void {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  graph.get(from)!.add(to);
}

/** The strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(graph: Graph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A file's folder: the first directory under src/, or the file itself at the top of src/. */
const folderOf = (m: Module): string =>
  `${m.pkg}:${m.path.includes('/') ? `${m.path.split('/')[0]}/` : m.path}`;

const fileGraph: Graph = new Map();
const folderGraph: Graph = new Map();
const packageGraph: Graph = new Map();
for (const [file, m] of modules) {
  const from = `${m.pkg}:${m.path}`;
  fileGraph.set(from, fileGraph.get(from) ?? new Set());
  for (const imp of m.imports) {
    if (imp.file !== undefined) {
      const target = modules.get(imp.file);
      if (target === undefined) continue; // a test fixture or helper outside the graph
      addEdge(fileGraph, from, `${target.pkg}:${target.path}`);
      if (folderOf(target) !== folderOf(m)) addEdge(folderGraph, folderOf(m), folderOf(target));
    } else if (imp.pkg !== undefined && imp.pkg !== m.pkg) {
      addEdge(packageGraph, m.pkg, imp.pkg);
    }
  }
  void file;
}

const allowed = new Set(KNOWN_CYCLES.map((k) => k.cycle));
const unexpected = (found: string[][]): string[] =>
  found.map((c) => c.join(' <-> ')).filter((c) => !allowed.has(c));

describe('import cycles in packages/*/src', () => {
  it('reads the sources it checks', () => {
    expect(modules.size).toBeGreaterThan(50);
    expect(fileGraph.get('core:client/invoker.ts')?.has('core:errors.ts')).toBe(true);
    expect(packageGraph.get('core')?.has('transport')).toBe(true);
  });

  it('finds a cycle when there is one', () => {
    const g: Graph = new Map();
    addEdge(g, 'a', 'b');
    addEdge(g, 'b', 'c');
    addEdge(g, 'c', 'a');
    addEdge(g, 'c', 'd');
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('has none between files', () => {
    expect(unexpected(cycles(fileGraph))).toEqual([]);
  });

  it('has none between the folders of a package', () => {
    expect(unexpected(cycles(folderGraph))).toEqual([]);
  });

  it('has none between packages', () => {
    expect(unexpected(cycles(packageGraph))).toEqual([]);
  });

  it('allows only known cycles that still exist', () => {
    const present = new Set(
      [cycles(fileGraph), cycles(folderGraph), cycles(packageGraph)].flat().map((c) => c.join(' <-> ')),
    );
    expect(KNOWN_CYCLES.filter((k) => !present.has(k.cycle))).toEqual([]);
  });
});
