import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@courier/core';
import type { ErrorCodeInfo } from '@courier/errors';
import { Status } from '@courier/transport';
import { describe, expect, it } from 'vitest';
import { errorCodes as cliCodes } from '../packages/cli/src/errors.js';
import { errorCodes as coreCodes } from '../packages/core/src/errors.js';
import { errorCodes as metricsCodes } from '../packages/metrics/src/errors.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');

/** The table rows of the page as trimmed cells, keyed by their first cell without backticks. */
const rows = new Map(
  doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .map((cells) => [cells[0]!.replaceAll('`', ''), cells] as const),
);

/** Each package's error registry (`errorCodes` in its src/errors.ts). */
const registries: Record<string, Readonly<Record<string, ErrorCodeInfo>>> = {
  core: coreCodes,
  metrics: metricsCodes,
  cli: cliCodes,
};
const registered = new Map(Object.values(registries).flatMap((r) => Object.entries(r)));

/**
 * `ERR_COURIER_*` codes used as string literals in a package that has no
 * registry of its own yet (transport), so its codes are checked too.
 */
function codesInSourcesWithoutRegistry(): string[] {
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
    if (Object.hasOwn(registries, pkg)) continue;
    try {
      walk(join(root, 'packages', pkg, 'src'));
    } catch {
      // a package without src/
    }
  }
  return [...codes].sort();
}

const retired = (cells: readonly string[]): boolean => cells.some((c) => /^retired\b/i.test(c));

describe('docs/errors.md', () => {
  const statusCodes = Object.keys(Status).filter((c) => c !== 'OK') as core.ErrorCode[];

  it.each(statusCodes)('documents %s with its status, class and retryability', (code) => {
    const row = rows.get(code);
    expect(row, `no row for ${code}`).toBeDefined();
    const [, status, cls, , retryable] = row!;
    const err = core.errorFromStatus(Status[code], 'x', undefined);
    expect(status).toBe(String(Status[code]));
    expect(cls).toBe(`\`${err.name}\``);
    expect(retryable).toBe(err.retryable ? 'yes' : 'no');
    expect(coreCodes[code]).toEqual({ class: err.name, status: Status[code] });
  });

  it.each([...registered])('documents %s with the class of its registry', (code, info) => {
    const row = rows.get(code);
    expect(row, `no row for ${code}`).toBeDefined();
    expect(retired(row!)).toBe(false);
    // Call errors have a status column before the class.
    if (info.status === undefined) expect(row![1]).toBe(`\`${info.class}\``);
    else expect(row!.slice(1, 3)).toEqual([String(info.status), `\`${info.class}\``]);
  });

  it('documents every code used in the sources of packages without a registry', () => {
    const missing = codesInSourcesWithoutRegistry().filter((code) => !rows.has(code));
    expect(missing).toEqual([]);
  });

  it('lists no dead code: every row is registered, used in the sources, or marked retired', () => {
    const live = new Set([...registered.keys(), ...codesInSourcesWithoutRegistry()]);
    const dead = [...rows].filter(([code, cells]) => !live.has(code) && !retired(cells)).map(([c]) => c);
    expect(dead).toEqual([]);
  });

  it('marks a retired code as retired and keeps it out of every registry', () => {
    for (const [code, cells] of rows) if (retired(cells)) expect(registered.has(code)).toBe(false);
  });
});
