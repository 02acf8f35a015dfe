/**
 * Node flags for the pool's workers. Workers inherit the parent's flags
 * (so `--conditions` and a tsx loader given to the parent carry over); when
 * a worker must load TypeScript (the framework running from its sources, or
 * a `.ts` compute module) and the parent has no TypeScript loader, tsx is
 * added.
 *
 * @returns `undefined` to inherit the parent's flags unchanged.
 */
export function workerExecArgv(hrefs: readonly string[]): string[] | undefined {
  if (!hrefs.some((href) => /\.[cm]?tsx?$/i.test(href))) return undefined;
  const inherited = process.execArgv;
  if (inherited.some((arg) => /(^|[\\/=])tsx([\\/]|$)/.test(arg))) return undefined;
  return [...inherited, '--import', tsxLoader()];
}

/** tsx's loader as an absolute URL, so it resolves whatever the working directory. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}
