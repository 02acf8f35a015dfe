import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyService, ComputeSpec } from '../definition.js';
import { ComputeStartError } from '../errors.js';
import { isNative, type NativeComputeSpec } from './native.js';
import type { Target } from './worker-protocol.js';

/** How one compute method is implemented: its target, and what to use if that fails to load. */
export interface MethodPlan {
  readonly method: string;
  readonly primary: Target;
  readonly fallback: Target | undefined;
  /** For an addon: the command that builds it, named when it fails to load. */
  readonly build: string | undefined;
}

/** The compute methods of a service, each resolved to loadable targets. */
export function planMethods(definition: AnyService): MethodPlan[] {
  const plans: MethodPlan[] = [];
  for (const [method, def] of Object.entries(definition.methods)) {
    const spec = def.compute;
    if (spec === undefined) continue;
    const primary = toTarget(definition.name, method, spec);
    const native = spec as Partial<NativeComputeSpec>;
    plans.push({
      method,
      primary,
      fallback:
        native.fallback === undefined ? undefined : toTarget(definition.name, method, native.fallback),
      build: primary.native ? (native.build ?? defaultBuildCommand(fileURLToPath(primary.href))) : undefined,
    });
  }
  return plans;
}

function toTarget(service: string, method: string, spec: ComputeSpec): Target {
  const href = toHref(service, method, spec.module);
  const native = isNative(spec);
  return { href: native ? href : sourceFor(href), export: spec.export ?? 'default', native };
}

/**
 * Authors write `new URL('./rank.worker.js', import.meta.url)`, as TypeScript
 * expects; when that runs from the sources the file is `rank.worker.ts`. Use
 * it, so the worker knows it needs a TypeScript loader.
 */
function sourceFor(href: string): string {
  const match = /\.([cm]?)js$/.exec(href);
  if (match === null || existsSync(fileURLToPath(href))) return href;
  const source = `${href.slice(0, -match[0].length)}.${match[1]}ts`;
  return existsSync(fileURLToPath(source)) ? source : href;
}

function toHref(service: string, method: string, module: URL | string): string {
  // Duck-typed: a URL from another realm (a test runner's) is still a URL.
  const text = typeof module === 'object' ? module.href : module;
  if (text.startsWith('file:')) return new URL(text).href;
  if (isAbsolute(text)) return pathToFileURL(text).href;
  throw new ComputeStartError(
    'ERR_COURIER_COMPUTE_SPEC',
    service,
    `${service}.${method}: compute module ${JSON.stringify(text)} must be a file URL or an absolute path, e.g. new URL('./rank.worker.js', import.meta.url)`,
  );
}

/** `npx node-gyp rebuild`, run where the addon's binding.gyp is. */
function defaultBuildCommand(addonPath: string): string {
  let dir = dirname(addonPath);
  while (!existsSync(join(dir, 'binding.gyp'))) {
    const parent = dirname(dir);
    if (parent === dir) return `npx node-gyp rebuild (in the directory holding the addon's binding.gyp)`;
    dir = parent;
  }
  return `cd ${dir} && npx node-gyp rebuild`;
}
