/**
 * What a package's tarball carries for its registry page: LICENSE, a
 * `repository` pointing at its directory, a homepage, and README links that
 * work outside the repository (absolute, or anchors within the page).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = readdirSync(join(ROOT, 'packages')).sort();
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

describe.each(PACKAGES)('packages/%s', (dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));

  it('names its repository directory, homepage and license', () => {
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/courier-rpc/courier.git',
      directory: `packages/${dir}`,
    });
    expect(pkg.homepage).toBe(`https://github.com/courier-rpc/courier/tree/main/packages/${dir}#readme`);
    expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8')).toBe(LICENSE);
  });

  it('packs LICENSE, README and package.json', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(ROOT, 'packages', dir),
      encoding: 'utf8',
    });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files.some((f) => f.startsWith('dist/'))).toBe(true);
  });

  it("README links work on the registry's page", () => {
    const readme = readFileSync(join(ROOT, 'packages', dir, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^(https?:|mailto:|#)/.test(href));
    expect(relative).toEqual([]);
  });
});
