import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Status } from '@courier/transport';
import { describe, expect, it } from 'vitest';
import * as core from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');

/** The table rows of the page as trimmed cells, keyed by their first cell (e.g. `` `NOT_FOUND` ``). */
const rows = new Map(
  doc
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .map((cells) => [cells[0]!, cells] as const),
);

/** Every `ERR_COURIER_*` code used as a string literal in the packages' sources. */
function codesInSources(): string[] {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.test(-d)?\.ts$/.test(entry.name)) {
        for (const m of readFileSync(path, 'utf8').matchAll(/'(ERR_COURIER_[A-Z0-9_]+)'/g)) codes.add(m[1]!);
      }
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    try {
      walk(src);
    } catch {
      // a package without src/
    }
  }
  return [...codes].sort();
}

describe('docs/errors.md', () => {
  const errorCodes = Object.keys(Status).filter((c) => c !== 'OK') as core.ErrorCode[];

  it.each(errorCodes)('documents %s with its status, class and retryability', (code) => {
    const row = rows.get(`\`${code}\``);
    expect(row, `no row for ${code}`).toBeDefined();
    const [, status, cls, , retryable] = row!;
    const err = core.errorFromStatus(Status[code], 'x', undefined);
    expect(status).toBe(String(Status[code]));
    expect(cls).toBe(`\`${err.name}\``);
    expect(retryable).toBe(err.retryable ? 'yes' : 'no');
  });

  it('documents every ERR_COURIER_ code used in the sources', () => {
    const codes = codesInSources();
    expect(codes.length).toBeGreaterThan(0);
    const missing = codes.filter((code) => !rows.has(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
