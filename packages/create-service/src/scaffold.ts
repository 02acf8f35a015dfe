import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServiceNames, serviceNames } from './names.js';
import { render } from './render.js';

export interface ScaffoldOptions {
  /** Where to create the service; must not exist or be empty. */
  directory: string;
  /** The service name. @default the directory's base name */
  name?: string;
  /** Add a compute-bound method run in the worker pool. @default false */
  compute?: boolean;
  /** The port `npm start` listens on. @default 7001 */
  port?: number;
  /** npm scope for the package name, e.g. `@acme`. */
  scope?: string;
  /** Resolve `directory` from here. @default process.cwd() */
  cwd?: string;
}

export interface ScaffoldResult {
  directory: string;
  names: ServiceNames;
  /** Files written, relative to `directory`. */
  files: string[];
  /**
   * The Courier repository root when the service was created inside it: the
   * service then uses the workspace packages (no registry access needed).
   */
  workspaceRoot: string | undefined;
}

/** The target directory exists and has files in it; nothing was written. */
export class TargetNotEmptyError extends Error {
  override name = 'TargetNotEmptyError';
}

const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));

/** Versions of the Courier packages a service generated outside the repository depends on. */
async function courierVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The Courier monorepo containing `dir`, if any. */
function findWorkspaceRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    if (existsSync(manifest) && existsSync(join(d, 'packages', 'core', 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

async function listTemplates(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.tpl'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Creates a new service that builds, runs and passes its tests as generated. */
export async function scaffold(opts: ScaffoldOptions): Promise<ScaffoldResult> {
  const directory = resolve(opts.cwd ?? process.cwd(), opts.directory);
  const names = serviceNames(opts.name ?? basename(directory), opts.scope);
  const port = opts.port ?? 7001;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid port ${port}`);
  if (existsSync(directory) && (await readdir(directory)).length > 0) {
    throw new TargetNotEmptyError(`${directory} exists and is not empty; choose a new directory`);
  }
  const workspaceRoot = findWorkspaceRoot(dirname(directory));
  const compute = opts.compute ?? false;
  const values = { name: names.name, camel: names.camel, package: names.packageName, port: String(port) };
  const flags = { compute };

  const files = new Map<string, string>();
  for (const set of compute ? ['base', 'compute'] : ['base']) {
    const root = join(TEMPLATES, set);
    for (const file of await listTemplates(root)) {
      files.set(
        file.slice(0, -'.tpl'.length),
        render(await readFile(join(root, file), 'utf8'), values, flags),
      );
    }
  }
  const version = workspaceRoot === undefined ? `^${await courierVersion()}` : await courierVersion();
  files.set(
    'package.json',
    `${JSON.stringify(packageJson(names, version, workspaceRoot !== undefined), null, 2)}\n`,
  );
  files.set('tsconfig.json', `${JSON.stringify(tsconfig(workspaceRoot !== undefined), null, 2)}\n`);
  files.set('tsconfig.build.json', `${JSON.stringify(tsconfigBuild(), null, 2)}\n`);
  files.set('vitest.config.ts', vitestConfig(workspaceRoot !== undefined));
  files.set('.gitignore', 'node_modules/\ndist/\n*.cpuprofile\n');

  for (const [file, content] of files) {
    const path = join(directory, file);
    await mkdir(dirname(path), { recursive: true });
    // 'wx' never overwrites, even if something appeared since the check above.
    await writeFile(path, content, { flag: 'wx' });
  }
  return { directory, names, files: [...files.keys()].sort(), workspaceRoot };
}

/**
 * Inside the Courier repository the service runs the workspace packages from
 * their TypeScript sources (the `courier-source` export condition); outside,
 * it depends on the published packages.
 */
function packageJson(names: ServiceNames, version: string, inWorkspace: boolean) {
  const tsx = inWorkspace ? 'tsx --conditions=courier-source' : 'tsx';
  return {
    name: names.packageName,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: `${tsx} watch src/main.ts`,
      // Production runs the compiled dist/ with plain node: no tsx, no TypeScript at run time.
      build: 'tsc -p tsconfig.build.json',
      prestart: 'npm run build',
      start: 'node dist/main.js',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      bench: `${tsx} bench/bench.ts`,
    },
    dependencies: { '@courier/core': version, zod: '^4.1.0' },
    devDependencies: {
      '@courier/cli': version,
      tsx: '^4.23.0',
      '@types/node': '^20.19.0',
      typescript: '~5.9.3',
      vitest: '~4.1.12',
    },
    engines: { node: '>=20' },
  };
}

function tsconfig(inWorkspace: boolean) {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023', 'ESNext.Disposable'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      ...(inWorkspace ? { customConditions: ['courier-source'] } : {}),
    },
    include: ['src', 'bench', 'vitest.config.ts'],
  };
}

/**
 * Emits src/ (without tests) to dist/. It resolves the Courier packages by
 * their published entry points (dist/ and .d.ts), never the workspace
 * sources, which would otherwise be compiled into this service's output.
 */
function tsconfigBuild() {
  return {
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, outDir: 'dist', rootDir: 'src', customConditions: [] },
    include: ['src'],
    exclude: ['src/**/*.test.ts'],
  };
}

function vitestConfig(inWorkspace: boolean): string {
  // Test files run in vitest's SSR environment, which resolves with its own conditions:
  // both are needed for the workspace packages' sources to be found without a build.
  const conditions = inWorkspace
    ? `\n  resolve: { conditions: ['courier-source'] },\n  ssr: { resolve: { conditions: ['courier-source'] } },`
    : '';
  const execArgv = inWorkspace ? `['--conditions=courier-source', '--import', 'tsx']` : `['--import', 'tsx']`;
  return `import { defineConfig } from 'vitest/config';

export default defineConfig({${conditions}
  test: {
    // Worker threads (compute methods) run the TypeScript sources through tsx.
    execArgv: ${execArgv},
  },
});
`;
}
