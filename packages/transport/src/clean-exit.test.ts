import { afterEach, describe, expect, it } from 'vitest';
import { Fixture, fixture } from '../../../tests/transport/child-process.js';

/**
 * close() must leave nothing behind: no socket, timer or pending promise that
 * keeps Node's event loop alive. A child process proves it by exiting on its
 * own after closing everything (the fixture never calls process.exit).
 */
describe('clean close', () => {
  let child: Fixture | undefined;
  afterEach(async () => {
    await child?.stop();
  });

  it('lets a process that closed its servers and clients exit by itself', async () => {
    child = new Fixture(fixture('clean-exit.ts'));
    const exited = await Promise.race([
      child.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref()),
    ]);
    expect(exited, `the process did not exit; stderr:\n${child.stderr}`).not.toBe('hung');
    expect(exited).toEqual({ code: 0, signal: null });
    expect(child.stderr).toBe('');
    const done = child.lines.find((l) => l.event === 'done');
    const ok = Array(20).fill(200);
    expect(done?.results).toEqual({
      tcp: { echoes: ok, hanging: 499 },
      ipc: { echoes: ok, hanging: 499 },
      inproc: { echoes: ok, hanging: 499 },
      orphan: 499,
      survivor: 503,
    });
  });
});
