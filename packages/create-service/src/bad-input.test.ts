import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.js';

/** Bad input: one line on stderr, exit code 1, and nothing created or changed. */
describe('create-service with bad input', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'courier-create-bad-'));
    await mkdir(join(cwd, 'taken'));
    await writeFile(join(cwd, 'taken', 'keep.txt'), 'mine');
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  async function listing(): Promise<string[]> {
    return (await readdir(cwd, { recursive: true })).sort();
  }

  it.each([
    ['an existing, non-empty directory', ['taken'], /exists and is not empty/],
    ['a bad name', ['My_Service'], /invalid service name "My_Service"/],
    ['a bad --name', ['ok-dir', '--name', '9lives'], /invalid service name "9lives"/],
    ['a --scope without @', ['svc', '--scope', 'acme'], /invalid scope "acme"/],
    ['a --scope with a slash', ['svc', '--scope', '@acme/x'], /invalid scope "@acme\/x"/],
    ['an upper-case --scope', ['svc', '--scope', '@Acme'], /invalid scope "@Acme"/],
  ])('%s', async (_what, argv, message) => {
    const before = await listing();
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, cwd);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]!.trim().split('\n')).toHaveLength(1);
    expect(await listing()).toEqual(before);
  });

  it('accepts a valid scope', async () => {
    const out: string[] = [];
    const code = await main(['svc', '--scope', '@acme'], { out: (s) => out.push(s), err: () => {} }, cwd);
    expect(code).toBe(0);
    expect(out[0]).toContain('Created svc');
  });
});
