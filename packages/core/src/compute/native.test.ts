import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Teardown } from '../../../../tests/transport/helpers.js';
import { type ComputeSpec, defineService, method } from '../definition.js';
import { ComputeStartError } from '../errors.js';
import { nativeCompute } from './native.js';
import { createComputePool } from './pool.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const tasks = new URL('tasks.worker.ts', fixtures);
const absent = new URL('addon/build/Release/absent.node', fixtures);
const any = z.unknown();

function service(compute: ComputeSpec) {
  return defineService({
    name: 'natives',
    version: 1,
    methods: { run: method({ input: any, output: any, compute }) },
  });
}

async function startError(compute: ComputeSpec): Promise<ComputeStartError> {
  const err = await createComputePool(service(compute), { size: 1 }).then(
    async (pool) => {
      await pool.close();
      throw new Error('expected the pool to refuse to start');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ComputeStartError);
  return err as ComputeStartError;
}

describe('native compute hook', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('refuses to start when the addon is missing, naming it and the command that builds it', async () => {
    const err = await startError(nativeCompute({ addon: absent, export: 'topK' }));
    expect(err.code).toBe('ERR_COURIER_COMPUTE_LOAD');
    expect(err.message).toContain(fileURLToPath(absent));
    expect(err.message).toContain(`cd ${fileURLToPath(new URL('addon', fixtures))} && npx node-gyp rebuild`);
    expect(err.failures).toEqual([
      expect.objectContaining({ method: 'run', native: true, export: 'topK', path: fileURLToPath(absent) }),
    ]);
    expect(err.failures[0]!.reason).not.toContain('Require stack');
  });

  it('names the build command the author gave', async () => {
    const err = await startError(
      nativeCompute({ addon: absent, export: 'topK', build: 'npm run build:addon -w @acme/ranker' }),
    );
    expect(err.message).toContain('Build it with: npm run build:addon -w @acme/ranker');
  });

  it('refuses to start when the addon fails to load', async () => {
    const broken = new URL('not-an-addon.node', fixtures);
    const err = await startError(nativeCompute({ addon: broken, export: 'topK' }));
    expect(err.failures[0]).toMatchObject({ path: fileURLToPath(broken), native: true });
    // The dynamic loader's own words ("invalid ELF header", "file too short", ...).
    expect(err.failures[0]!.reason).toContain(fileURLToPath(broken));
    expect(err.failures[0]!.reason).not.toContain('Cannot find module');
  });

  it('treats a `.node` module in a plain compute spec as an addon', async () => {
    const err = await startError({ module: absent, export: 'topK' });
    expect(err.failures[0]).toMatchObject({ native: true });
  });

  it('uses the declared fallback when the addon cannot load, and says so once', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    teardown.add(onWarning, (fn) => process.off('warning', fn));
    const pool = await createComputePool(
      service(nativeCompute({ addon: absent, export: 'topK', fallback: { module: tasks, export: 'add' } })),
      { size: 1, shared: { scale: 2 } },
    );
    teardown.add(pool, (p) => p.close());
    expect(pool.implementations).toEqual({ run: 'fallback' });
    await expect(pool.run('run', { a: 1, b: 2 })).resolves.toBe(6);
    if (warnings.length === 0) await once(process, 'warning');
    expect(warnings).toHaveLength(1);
    expect((warnings[0] as Error & { code?: string }).code).toBe('COURIER_COMPUTE_FALLBACK');
    expect(warnings[0]!.message).toContain(fileURLToPath(absent));
  });

  it('refuses to start when both the addon and its fallback fail, listing both', async () => {
    const err = await startError(
      nativeCompute({ addon: absent, export: 'topK', fallback: { module: tasks, export: 'nope' } }),
    );
    expect(err.failures.map((f) => f.native)).toEqual([true, false]);
    expect(err.failures[1]!.reason).toContain('has no function export "nope"');
  });
});

describe('compute module checks at start', () => {
  it('refuses to start when a module throws while loading', async () => {
    const broken = new URL('broken.worker.ts', fixtures);
    const err = await startError({ module: broken, export: 'run' });
    expect(err.message).toContain(fileURLToPath(broken));
    expect(err.failures[0]!.reason).toContain('cannot load the model file');
  });

  it('refuses to start when the export is not a function', async () => {
    const err = await startError({ module: tasks, export: 'notAFunction' });
    expect(err.failures[0]!.reason).toContain('has no function export "notAFunction"');
  });

  it('refuses a module given as a relative path', async () => {
    const err = await startError({ module: './tasks.worker.js', export: 'add' });
    expect(err.code).toBe('ERR_COURIER_COMPUTE_SPEC');
    expect(err.message).toContain("new URL('./rank.worker.js', import.meta.url)");
  });
});
