import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './readme-blocks.js';

/**
 * What the registry shows and ships for each package: the packed tarball
 * (npm's own file list) carries LICENSE and README, package.json points
 * back to the repository, and no README link is relative (those break on
 * the registry's page).
 */

const PACKAGES = ['cli', 'core', 'create-service', 'errors', 'metrics', 'transport'];
const REPO = 'https://github.com/courier-rpc/courier';
const run = promisify(execFile);

interface Packed {
  name: string;
  files: { path: string }[];
}
let packed: Map<string, Packed>;

beforeAll(async () => {
  const workspaces = PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`]);
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', ...workspaces], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  packed = new Map((JSON.parse(stdout) as Packed[]).map((p) => [p.name, p]));
}, 60_000);

describe.each(PACKAGES)('packages/%s', (dir) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;

  it('packs LICENSE (MIT) and README.md', () => {
    const files = packed.get(manifest.name as string)?.files.map((f) => f.path) ?? [];
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
    );
  });

  it('names its repository (with directory) and homepage', () => {
    expect(manifest.repository).toEqual({
      type: 'git',
      url: `git+${REPO}.git`,
      directory: `packages/${dir}`,
    });
    expect(manifest.homepage).toBe(`${REPO}/tree/main/packages/${dir}#readme`);
  });

  it('has only absolute links in its README', () => {
    const readme = readFileSync(join(ROOT, 'packages', dir, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => !/^(https?:\/\/|mailto:|#)/.test(l))).toEqual([]);
  });
});
