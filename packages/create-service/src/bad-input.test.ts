import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.js';

/** Every file under `dir`, so a test can tell that nothing was created or changed. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('create-service bad input', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'courier-create-bad-'));
    await mkdir(join(cwd, 'taken'));
    await writeFile(join(cwd, 'taken', 'keep.txt'), 'mine\n');
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it.each([
    ['an existing non-empty directory', ['taken'], /taken exists and is not empty/],
    ['a bad name', ['My Service!'], /invalid service name "My Service!"/],
    ['a bad --name', ['ok-dir', '--name', '9lives'], /invalid service name "9lives"/],
    ['a --scope without @', ['ok-dir', '--scope', 'acme'], /invalid --scope "acme"/],
    ['a --scope with upper case', ['ok-dir', '--scope', '@Acme'], /invalid --scope "@Acme"/],
    ['a --scope with a slash', ['ok-dir', '--scope', '@acme/x'], /invalid --scope "@acme\/x"/],
    ['a bad --port', ['ok-dir', '--port', 'http'], /invalid port/],
  ])('%s: one line, exit 1, nothing changed', async (_, argv, message) => {
    const before = await tree(cwd);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, cwd);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toContain('\n');
    expect(await tree(cwd)).toEqual(before);
  });

  it('accepts a valid scope', async () => {
    const code = await main(['ok-dir', '--scope', '@acme-co'], { out: () => {}, err: () => {} }, cwd);
    expect(code).toBe(0);
    expect(await readdir(join(cwd, 'ok-dir'))).toContain('package.json');
  });
});
