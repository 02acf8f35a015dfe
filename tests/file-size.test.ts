import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Small files named after one concept: no non-test source file in packages/ over this many lines. */
const MAX_LINES = 400;

/**
 * Files over the limit today that another branch is splitting; the test
 * fails once one is under it, so its entry is deleted with the split.
 */
const KNOWN_LONG: Readonly<Record<string, string>> = {};

const root = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'templates')
        sources(path, out);
    } else if (/\.ts$/.test(entry.name) && !/\.(test|test-d|test-util)\.ts$/.test(entry.name)) {
      out.push(relative(root, path));
    }
  }
  return out;
}

const lines = new Map(
  sources(join(root, 'packages')).map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length - 1]),
);

describe('source file sizes', () => {
  it(`has no non-test source file over ${MAX_LINES} lines`, () => {
    const long = [...lines].filter(([f, n]) => n > MAX_LINES && !Object.hasOwn(KNOWN_LONG, f));
    expect(long).toEqual([]);
  });

  it('lists only known long files that are still long', () => {
    const fixed = Object.keys(KNOWN_LONG).filter((f) => (lines.get(f) ?? 0) <= MAX_LINES);
    expect(fixed).toEqual([]);
  });
});
