import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from './definition.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { testService } from './testing.js';

const Track = z.object({ id: z.string(), title: z.string() });
const tracks = new Map([['1', { id: '1', title: 'One' }]]);

const playlist = defineService({
  name: 'playlist',
  version: 1,
  methods: {
    get: method({
      input: z.object({ id: z.string() }),
      output: Track,
      idempotent: true,
      handler: async ({ id }) => {
        const track = tracks.get(id);
        if (track === undefined) throw new NotFoundError(`no track ${id}`, { details: { id } });
        return track;
      },
    }),
  },
});

describe('testService', () => {
  it('serves a definition in-process and gives a typed client', async () => {
    await using svc = await testService(playlist);
    expect(svc.server.endpoints[0]).toMatch(/^inproc:\/\/courier-test-playlist-/);
    expect(await svc.client.get({ id: '1' })).toEqual({ id: '1', title: 'One' });
  });

  it('brings typed errors and validation issues back to the caller', async () => {
    await using svc = await testService(playlist);
    const missing = await svc.client.get({ id: '2' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ message: 'no track 2', details: { id: '2' } });
    const invalid = await svc.client.get({ id: 2 as unknown as string }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect((invalid as BadRequestError).details).toEqual({
      issues: [{ message: expect.any(String), path: ['id'] }],
    });
  });

  it('lets a handler call another service through ctx.client, passing trace, caller and deadline on', async () => {
    const seen: Array<{ caller: string | undefined; traceparent: string; remainingMs: number }> = [];
    const backend = defineService({
      name: 'backend',
      version: 1,
      methods: {
        look: method({
          input: z.null(),
          handler: (_input, ctx) => {
            seen.push({ caller: ctx.caller, traceparent: ctx.traceparent, remainingMs: ctx.remainingMs() });
            return 'ok';
          },
        }),
      },
    });
    await using back = await testService(backend);
    const frontend = defineService({
      name: 'frontend',
      version: 1,
      methods: {
        go: method({
          input: z.null(),
          timeoutMs: 1000,
          handler: async (_input, ctx) => ({
            trace: ctx.traceparent,
            reply: await ctx.client(back.client).look(null),
          }),
        }),
      },
    });
    await using front = await testService(frontend);
    const out = await front.client.go(null);
    expect(out.reply).toBe('ok');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.caller).toBe('frontend');
    // Same trace, a new span.
    expect(seen[0]!.traceparent.slice(0, 35)).toBe(out.trace.slice(0, 35));
    expect(seen[0]!.traceparent).not.toBe(out.trace);
    expect(seen[0]!.remainingMs).toBeLessThanOrEqual(1000);
  });

  it('gives each service its own address, and closes both ends on dispose', async () => {
    const a = await testService(playlist);
    const b = await testService(playlist);
    expect(a.server.endpoints[0]).not.toBe(b.server.endpoints[0]);
    await a[Symbol.asyncDispose]();
    await b[Symbol.asyncDispose]();
    expect(a.client.$state).toBe('closed');
    expect(a.server.stats().draining).toBe(true);
  });
});
