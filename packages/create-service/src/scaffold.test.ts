import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as courier } from '@courier/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { scaffold, TargetNotEmptyError } from './scaffold.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Child processes get a clean environment: no nested-vitest variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), status: () => {}, isTTY: false },
  };
}

describe('create-service', () => {
  let tmp: string;
  beforeAll(async () => {
    // Inside the repository, so the generated service resolves the workspace packages.
    await mkdir(join(repoRoot, '.tmp'), { recursive: true });
    tmp = await mkdtemp(join(repoRoot, '.tmp', 'scaffold-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('documents every option in --help', async () => {
    const c = collect();
    expect(await main(['--help'], c.io, tmp)).toBe(0);
    for (const option of ['--name', '--compute', '--port', '--scope', '--help'])
      expect(c.out.join()).toContain(option);
  });

  it('rejects an invalid name with a clear error and writes nothing', async () => {
    const c = collect();
    expect(await main(['x', '--name', 'My Service!'], c.io, tmp)).toBe(1);
    expect(c.err.join()).toMatch(/invalid service name "My Service!"/);
  });

  it('never overwrites a non-empty directory', async () => {
    const dir = join(tmp, 'occupied');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine');
    await expect(scaffold({ directory: dir })).rejects.toBeInstanceOf(TargetNotEmptyError);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('depends on the published packages when generated outside the repository', async () => {
    const outside = await mkdtemp('/tmp/courier-scaffold-');
    try {
      const result = await scaffold({ directory: join(outside, 'geo') });
      expect(result.workspaceRoot).toBeUndefined();
      const pkg = JSON.parse(await readFile(join(outside, 'geo', 'package.json'), 'utf8'));
      expect(pkg.dependencies['@courier/core']).toMatch(/^\^\d/);
      expect(pkg.scripts.start).toBe('node dist/main.js');
      expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
      // Nothing TypeScript is needed at run time.
      expect(Object.keys(pkg.dependencies).sort()).toEqual(['@courier/core', 'zod']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('generates a service that passes its own tests and type-check, starts, and answers calls', async () => {
    const c = collect();
    expect(await main(['hello-svc', '--compute'], c.io, tmp)).toBe(0);
    const dir = join(tmp, 'hello-svc');

    const test = await run('npm', ['test'], dir);
    expect(test.output).toMatch(/3 passed/);
    expect(test.code).toBe(0);
    const typecheck = await run('npm', ['run', 'typecheck'], dir);
    expect(typecheck.output).not.toMatch(/error TS/);
    expect(typecheck.code).toBe(0);

    const build = await run('npm', ['run', 'build'], dir);
    expect(build.output).not.toMatch(/error TS/);
    expect(build.code).toBe(0);
    // What `npm start` runs after its build, and what a container runs: plain node on dist/.
    const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: childEnv({ BIND: 'tcp://127.0.0.1:*' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let stdout = '';
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          stdout += d;
          const m = /listening on (tcp:\/\/\S+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`service exited early (${code}): ${stdout}`)));
      });
      const call = collect();
      expect(await courier(['call', endpoint, 'hello-svc.greet', '{"name":"Ada"}'], call.io)).toBe(0);
      expect(JSON.parse(call.out.join(''))).toEqual({ message: 'Hello, Ada!' });
      const primes = collect();
      expect(await courier(['call', endpoint, 'hello-svc.countPrimes', '{"below":1000}'], primes.io)).toBe(0);
      expect(JSON.parse(primes.out.join(''))).toEqual({ below: 1000, count: 168 });
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      // The generated service has no shutdown code: serve()'s default drains it and exits 0.
      expect(await exited).toEqual([0, null]);
    }
  }, 120_000);
});
