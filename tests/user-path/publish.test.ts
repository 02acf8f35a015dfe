import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reserveAddress, waitFor } from '../transport/helpers.js';
import { ROOT } from './readme-examples-blocks.js';

/**
 * The publish path, for real: a local npm registry (verdaccio, on
 * 127.0.0.1, no uplinks: only what we publish), every package published to
 * it, then, in a directory outside the repository, what a user does:
 * `npm create @courier/service`, `npm install`, `npm test`, `npm run build`,
 * `npm start` with plain node, `courier call`, and SIGTERM.
 * Third-party dependencies (zod, zeromq, ...) come from the usual registry;
 * only the @courier scope is pointed at the local one.
 */

const PACKAGES = ['errors', 'transport', 'core', 'metrics', 'cli', 'create-service'];
const run = promisify(execFile);
let work: string;
let registry: string;
let verdaccio: ChildProcess | undefined;
let service: ChildProcess | undefined;
let env: NodeJS.ProcessEnv;

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'courier-publish-'));
  const port = Number(new URL((await reserveAddress('tcp')).replace('tcp:', 'http:')).port);
  registry = `http://127.0.0.1:${port}/`;
  await writeFile(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(work, 'htpasswd')}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $all',
      'log: { type: stdout, format: json, level: warn }',
      '',
    ].join('\n'),
  );
  verdaccio = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/verdaccio/bin/verdaccio'),
      '--config',
      join(work, 'verdaccio.yaml'),
      '--listen',
      `127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    () =>
      fetch(`${registry}-/ping`).then(
        (r) => r.ok,
        () => false,
      ),
    'verdaccio to answer',
    30_000,
  );
  // A user for the registry (npm publish always sends a token); scope-only registry config.
  const user = await fetch(`${registry}-/user/org.couchdb.user:courier`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'courier', password: 'courier-test' }),
  });
  const { token } = (await user.json()) as { token: string };
  const npmrc = join(work, 'npmrc');
  const host = registry.replace(/^http:/, '');
  await writeFile(npmrc, `@courier:registry=${registry}\n${host}:_authToken=${token}\n`);
  env = { ...process.env, npm_config_userconfig: npmrc, npm_config_audit: 'false', npm_config_fund: 'false' };
  // Only npm's own variables from a parent `npm test` would leak through; drop them.
  for (const key of Object.keys(env))
    if (key.startsWith('npm_') && !key.startsWith('npm_config_')) delete env[key];
  delete env.npm_config_registry;
  for (const pkg of PACKAGES) {
    await npm(
      ['publish', '--ignore-scripts', '--registry', registry, '--workspace', `packages/${pkg}`],
      ROOT,
    );
  }
}, 120_000);

afterAll(async () => {
  for (const child of [service, verdaccio]) {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

it('npm create @courier/service, install, test, build, start with node, courier call, SIGTERM', {
  timeout: 240_000,
}, async () => {
  const port = Number(new URL((await reserveAddress('tcp')).replace('tcp:', 'http:')).port);
  await npm(['create', '@courier/service', 'my-svc', '--', '--port', String(port)], work);
  const dir = join(work, 'my-svc');
  await npm(['install'], dir);
  await npm(['test'], dir);
  await npm(['run', 'build'], dir);

  // `npm start` is plain node on dist/ (no tsx at run time). It is run here as
  // Kubernetes runs it, node itself as the process that gets SIGTERM (npm in
  // between would turn the exit into its own signal handling).
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  expect(manifest.scripts.start).toBe('node dist/main.js');
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service = child;
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(
    () => out.includes('listening on') || child.exitCode !== null,
    'the service to listen',
    30_000,
  );
  expect(out).toContain(`listening on tcp://127.0.0.1:${port}`);

  const call = await npm(
    ['exec', '--', 'courier', 'call', `tcp://127.0.0.1:${port}`, 'my-svc.greet', '{"name":"Ada"}'],
    dir,
  );
  expect(call).toContain('Ada');

  child.kill('SIGTERM');
  expect(await exited, out).toBe(0);
});
