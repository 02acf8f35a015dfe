import { ContentType, MetaKey } from '@courier/transport';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { CallOptions, Context, Scopable } from '../context.js';
import { defineService, method } from '../definition.js';
import { errorFromStatus, NotFoundError, OverloadedError, ServerConfigError } from '../errors.js';
import { testService } from '../testing.js';
import { startHarness } from './harness.test-util.js';

const Track = z.object({ id: z.string(), title: z.string() });

function circular(): object {
  const o: Record<string, unknown> = {};
  o.self = o;
  return o;
}

function playlistService(spy: (input: unknown) => void = () => {}) {
  return defineService({
    name: 'playlist',
    version: 2,
    methods: {
      get: method({
        input: z.object({ id: z.string().min(1) }),
        output: Track,
        handler: async ({ id }) => {
          spy(id);
          if (id === 'missing') throw new NotFoundError(`no track ${id}`, { details: { id } });
          if (id === 'busy') throw new OverloadedError('busy', { details: { retryAfterMs: 10 } });
          if (id === 'boom') throw new Error('db password is hunter2');
          if (id === 'odd-details')
            throw new NotFoundError('odd', { details: { f: () => 1, self: circular() } });
          if (id === 'bad-output') return { id } as unknown as z.infer<typeof Track>;
          return { id, title: `Track ${id}` };
        },
      }),
      count: method({ input: z.number().int().default(1), handler: (n) => n + 1 }),
      nothing: method({ input: z.undefined(), handler: () => undefined }),
      slowCheck: method({
        input: z.string().refine(async (s) => s.length > 2, 'too short'),
        handler: (s) => s.toUpperCase(),
      }),
    },
  });
}

describe('serve: dispatch', () => {
  it('runs a handler and replies with its MessagePack result', async () => {
    await using h = await startHarness(playlistService());
    expect(await h.call('get', { id: '7' })).toMatchObject({
      status: 'OK',
      value: { id: '7', title: 'Track 7' },
    });
    expect(await h.call('count', 41)).toMatchObject({ status: 'OK', value: 42 });
    // The schema's default applies to a missing body.
    expect(await h.call('count')).toMatchObject({ status: 'OK', value: 2 });
    expect(await h.call('nothing')).toMatchObject({ status: 'OK', value: undefined });
  });

  it('accepts JSON bodies', async () => {
    await using h = await startHarness(playlistService());
    const body = [Buffer.from(JSON.stringify({ id: 'j' }))];
    expect(await h.call('get', undefined, { body, contentType: ContentType.JSON })).toMatchObject({
      status: 'OK',
      value: { id: 'j', title: 'Track j' },
    });
  });

  it('refuses invalid input with BAD_REQUEST and its issues; the handler never runs', async () => {
    const spy = vi.fn();
    await using h = await startHarness(playlistService(spy));
    const out = await h.call('get', { id: 3, extra: true });
    expect(out.status).toBe('BAD_REQUEST');
    expect(out.details).toEqual({ issues: [{ message: expect.any(String), path: ['id'] }] });
    expect(await h.call('get', { id: '' })).toMatchObject({ status: 'BAD_REQUEST' });
    expect(spy).not.toHaveBeenCalled();
  });

  it('awaits asynchronous validation', async () => {
    await using h = await startHarness(playlistService());
    expect(await h.call('slowCheck', 'abc')).toMatchObject({ status: 'OK', value: 'ABC' });
    expect(await h.call('slowCheck', 'ab')).toMatchObject({
      status: 'BAD_REQUEST',
      details: { issues: [{ message: 'too short', path: [] }] },
    });
  });

  it('refuses an undecodable body with BAD_REQUEST', async () => {
    const spy = vi.fn();
    await using h = await startHarness(playlistService(spy));
    const out = await h.call('get', undefined, { body: [Buffer.from([0x82, 0xa1])] });
    expect(out).toMatchObject({
      status: 'BAD_REQUEST',
      message:
        'body is not valid application/msgpack: MessagePack container at byte 1 claims 4 values in 1 bytes',
      details: { reason: 'INVALID_BODY', code: 'TRUNCATED', offset: 1 },
    });
    expect(spy).not.toHaveBeenCalled();
  });

  it('answers an unknown method or service with NOT_FOUND listing the methods', async () => {
    await using h = await startHarness(playlistService());
    const methods = ['get', 'count', 'nothing', 'slowCheck', '_health', '_describe'];
    expect(await h.call('nope')).toMatchObject({
      status: 'NOT_FOUND',
      message: 'unknown method "nope" in service playlist',
      details: { service: 'playlist', methods },
    });
    const reply = await h.client.request({ method: 'other.get', body: [], deadlineMs: 1000 });
    expect(reply.message).toBe('unknown service "other": this server is playlist');
    expect(reply.details).toEqual({ service: 'playlist', methods });
    expect(h.ends.map((e) => [e.method, e.status])).toEqual([
      ['unknown', 'NOT_FOUND'],
      ['unknown', 'NOT_FOUND'],
    ]);
  });
});

describe('serve: errors', () => {
  it('sends a thrown CourierError with its status, message and details', async () => {
    await using h = await startHarness(playlistService());
    const out = await h.call('get', { id: 'missing' });
    expect(out).toMatchObject({
      status: 'NOT_FOUND',
      message: 'no track missing',
      details: { id: 'missing' },
    });
    const err = errorFromStatus(404, out.message, out.details);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(await h.call('get', { id: 'busy' })).toMatchObject({
      status: 'OVERLOADED',
      details: { retryAfterMs: 10 },
    });
  });

  it('answers INTERNAL, not OVERLOADED, when a call the handler made was refused and it let that escape', async () => {
    // A dependency that sheds every call: its own OVERLOADED says "not executed", truthfully.
    const shedding = defineService({
      name: 'dep',
      version: 1,
      methods: {
        get: method({
          input: z.undefined(),
          handler: () => {
            throw new OverloadedError('dep is busy');
          },
        }),
      },
    });
    await using dep = await testService(shedding, { client: { retry: false } });
    const front = defineService({
      name: 'front',
      version: 1,
      methods: {
        write: method({
          input: z.undefined(),
          // Whatever it did before the call has happened: the front did execute this call.
          handler: async (_, ctx) => ctx.client(dep.client).get(),
        }),
      },
    });
    await using h = await startHarness(front);
    expect(await h.call('write')).toMatchObject({
      status: 'INTERNAL',
      message: 'a call the handler made failed with OVERLOADED: dep is busy',
    });
    expect(h.logs.find((r) => r.msg === 'handler failed: a call it made was refused')).toMatchObject({
      level: 40,
      method: 'write',
    });
  });

  it('still answers when error details cannot be encoded, without them', async () => {
    await using h = await startHarness(playlistService());
    expect(await h.call('get', { id: 'odd-details' })).toMatchObject({
      status: 'NOT_FOUND',
      message: 'odd',
      details: undefined,
      local: false,
    });
    expect(h.logs.some((r) => r.msg === 'error details cannot be encoded; sent without them')).toBe(true);
  });

  it('turns an unexpected exception into INTERNAL without leaking it, and logs it', async () => {
    await using h = await startHarness(playlistService());
    const out = await h.call('get', { id: 'boom' }, { meta: { traceparent: TRACEPARENT } });
    expect(out).toEqual({
      status: 'INTERNAL',
      message: 'internal error',
      details: undefined,
      value: undefined,
      local: false,
    });
    expect(JSON.stringify(out)).not.toContain('hunter2');
    const record = h.logs.find((r) => r.msg === 'handler failed');
    expect(record).toMatchObject({
      level: 50,
      service: 'playlist',
      method: 'get',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      err: { message: 'db password is hunter2', stack: expect.stringContaining('Error') },
    });
    expect(record?.requestId).toEqual(expect.any(String));
  });

  it('treats a reply that fails the output schema as INTERNAL (the server is at fault) and logs it', async () => {
    await using h = await startHarness(playlistService());
    expect(await h.call('get', { id: 'bad-output' })).toMatchObject({
      status: 'INTERNAL',
      message: 'internal error',
    });
    expect(h.logs.find((r) => r.msg === 'reply failed output validation')).toMatchObject({
      level: 50,
      issues: [{ path: ['title'] }],
    });
  });
});

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('serve: context', () => {
  function contextService(seen: (ctx: Context) => unknown) {
    return defineService({
      name: 'ctx',
      version: 1,
      methods: { look: method({ input: z.unknown(), timeoutMs: 2000, handler: (_input, ctx) => seen(ctx) }) },
    });
  }

  it('propagates the caller trace, meta and name', async () => {
    await using h = await startHarness(
      contextService((ctx) => ({
        service: ctx.service,
        method: ctx.method,
        traceparent: ctx.traceparent,
        caller: ctx.caller,
        meta: ctx.meta,
        remaining: ctx.remainingMs(),
        aborted: ctx.signal.aborted,
      })),
    );
    const out = await h.call('look', null, {
      deadlineMs: 1000,
      meta: { traceparent: TRACEPARENT, caller: 'web' },
    });
    const value = out.value as Record<string, unknown>;
    expect(value).toMatchObject({
      service: 'ctx',
      method: 'look',
      traceparent: TRACEPARENT,
      caller: 'web',
      meta: { traceparent: TRACEPARENT, caller: 'web' },
      aborted: false,
    });
    // The caller's deadline (1000) is below the method's timeout (2000).
    expect(value.remaining).toBeGreaterThan(0);
    expect(value.remaining).toBeLessThanOrEqual(1000);
  });

  it('starts a new trace when the caller sent none or an invalid one', async () => {
    await using h = await startHarness(contextService((ctx) => ctx.traceparent));
    const a = (await h.call('look', null)).value as string;
    const b = (await h.call('look', null, { meta: { traceparent: 'garbage' } })).value as string;
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(b).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(a.slice(3, 35)).not.toBe(b.slice(3, 35));
  });

  it('scopes clients to the request: remaining deadline, signal, child span, caller', async () => {
    let seen: CallOptions | undefined;
    let signal: AbortSignal | undefined;
    let deadline: number | undefined;
    class FakeClient implements Scopable<FakeClient> {
      withDefaults(defaults: CallOptions): FakeClient {
        seen = defaults;
        return this;
      }
    }
    await using h = await startHarness(
      contextService((ctx) => {
        signal = ctx.signal;
        deadline = ctx.deadline;
        ctx.client(new FakeClient());
        return null;
      }),
    );
    await h.call('look', null, { deadlineMs: 1000, meta: { traceparent: TRACEPARENT, tracestate: 'k=v' } });
    expect(seen?.signal).toBe(signal);
    expect(seen?.deadline).toBe(deadline);
    const child = seen?.meta?.[MetaKey.TRACEPARENT];
    expect(child).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(child).not.toBe(TRACEPARENT);
    expect(seen?.meta).toMatchObject({ caller: 'ctx', tracestate: 'k=v' });
  });

  it('gives ctx.log bindings for service, method, request id and trace id', async () => {
    await using h = await startHarness(
      contextService((ctx) => {
        ctx.log.info({ step: 1 }, 'hello');
        return null;
      }),
    );
    await h.call('look', null, { meta: { traceparent: TRACEPARENT } });
    expect(h.logs.find((r) => r.msg === 'hello')).toMatchObject({
      service: 'ctx',
      method: 'look',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      requestId: expect.stringMatching(/^[0-9a-f]+\/\d+$/),
      step: 1,
    });
  });
});

describe('serve: options', () => {
  it('rejects invalid limits and overrides of methods that do not exist', async () => {
    const svc = playlistService();
    await expect(startHarness(svc, { overrides: { concurrency: 0 } })).rejects.toThrow(ServerConfigError);
    await expect(startHarness(svc, { overrides: { methods: { get: { maxQueue: -1 } } } })).rejects.toThrow(
      /get.maxQueue/,
    );
    await expect(
      startHarness(svc, { overrides: { methods: { nope: {} } as Record<string, object> } }),
    ).rejects.toThrow(/nope/);
  });
});
