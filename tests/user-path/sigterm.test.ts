/**
 * Every documented way of starting a service exits by itself on SIGTERM,
 * with code 0, after finishing the call it was serving: no shutdown code in
 * the service, nothing left (metrics listener, client, timers) to keep the
 * process up until SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDynamicClient } from '@courier/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeBlocks } from './readme-blocks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/metrics-service.ts', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout text matching `re`. */
  output(re: RegExp): Promise<RegExpMatchArray>;
  stderr(): string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(args: readonly string[], ipc = false, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters.splice(0)) w();
    });
  });
  const output = (re: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = out.match(re);
        if (m !== null) {
          resolve(m);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          reject(new Error(`child exited before printing ${re}: ${out}\n${err}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { proc, exited, output, stderr: () => err };
}

const TSX = ['--import', 'tsx'];

describe('SIGTERM', () => {
  it("the README's one-file example exits 0 (its client closes too)", async () => {
    const [block] = readmeBlocks(join(ROOT, 'README.md')).filter((b) =>
      b.code.includes('const server = await serve(playlist'),
    );
    expect(block).toBeDefined();
    // A free port instead of 7001, so parallel runs never collide; the rest runs as written.
    const dir = mkdtempSync(join(ROOT, 'tests/user-path/.tmp-'));
    dirs.push(dir);
    const file = join(dir, 'playlist.ts');
    writeFileSync(file, block!.code.replace('tcp://127.0.0.1:7001', 'tcp://127.0.0.1:*'));
    const child = start([...TSX, file]);
    await child.output(/Late night/);
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toEqual({ code: 0, signal: null });
  });

  for (const ipc of [false, true]) {
    it(`the metrics README's form finishes the call in flight and exits 0${ipc ? ' (forked with an IPC channel)' : ''}`, async () => {
      const child = start(['--conditions=courier-source', ...TSX, FIXTURE, '300'], ipc);
      const [, endpoint] = await child.output(/"endpoint":"([^"]+)"/);
      const client = createDynamicClient('sigterm-fixture', { endpoints: [endpoint!] });
      try {
        const call = client.call('slow', { n: 1 }, { deadlineMs: 10_000 });
        await child.output(/call-started/);
        child.proc.kill('SIGTERM');
        expect(await call).toEqual({ n: 2 });
        expect(await child.exited, child.stderr()).toEqual({ code: 0, signal: null });
      } finally {
        await client.$close();
      }
    });
  }

  it('the observability example exits 0 and prints a metrics URL that can be opened', async () => {
    const child = start(
      ['--conditions=courier-source', ...TSX, join(ROOT, 'examples/observability/demo.ts')],
      false,
      {
        METRICS_PORT: '0',
      },
    );
    const [, url] = await child.output(/metrics on (http:\/\/\S+\/metrics)/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(url!)).status).toBe(200);
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toEqual({ code: 0, signal: null });
  });

  it('examples/hello exits 0', async () => {
    const child = start(
      ['--conditions=courier-source', ...TSX, join(ROOT, 'examples/hello/main.ts')],
      false,
      {
        BIND: 'tcp://127.0.0.1:*',
      },
    );
    await child.output(/Hello, Courier/);
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toEqual({ code: 0, signal: null });
  });

  it('examples/kubernetes (metrics and probes) exits 0', async () => {
    const child = start(
      ['--conditions=courier-source', ...TSX, join(ROOT, 'examples/kubernetes/main.ts')],
      false,
      {
        BIND: 'tcp://127.0.0.1:*',
        METRICS_PORT: '0',
      },
    );
    await child.output(/metrics on http:\/\/127\.0\.0\.1:\d+/);
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toEqual({ code: 0, signal: null });
  });

  it('a second signal ends the process at once', async () => {
    // The call holds for a minute: only the second signal can end the process in time.
    const child = start(['--conditions=courier-source', ...TSX, FIXTURE, '60000']);
    const [, endpoint] = await child.output(/"endpoint":"([^"]+)"/);
    const client = createDynamicClient('sigterm-fixture', { endpoints: [endpoint!] });
    try {
      const call = client.call('slow', { n: 1 }, { deadlineMs: 60_000 }).catch((err: unknown) => err);
      await child.output(/call-started/);
      child.proc.kill('SIGTERM');
      await child.output(/draining/);
      child.proc.kill('SIGTERM');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
      await call;
    } finally {
      await client.$close();
    }
  });
});
