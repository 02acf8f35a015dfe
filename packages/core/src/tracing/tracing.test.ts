import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { DeadlineExceededError, NotFoundError, OverloadedError } from '../errors.js';
import { createPublisher } from '../events/publisher.js';
import { subscribe } from '../events/subscriber.js';
import { testService } from '../testing.js';
import { activeTracer } from './tracer.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});
afterEach(() => exporter.reset());

/** Spans end when replies are sent and received, which is not when the call's promise settles on both sides. */
async function spans(count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 500 && exporter.getFinishedSpans().length < count; i++) {
    await new Promise((r) => setImmediate(r));
  }
  return exporter.getFinishedSpans();
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

const storage = defineService({
  name: 'storage',
  version: 1,
  methods: {
    read: method({
      input: z.object({ id: z.string() }),
      idempotent: true,
      handler: ({ id }) => {
        if (id === 'missing') throw new NotFoundError('no such thing');
        return `data:${id}`;
      },
    }),
    slow: method({
      input: z.null(),
      handler: (_input, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        ),
    }),
  },
});

describe('tracing with an OpenTelemetry SDK registered', () => {
  it('records a CLIENT and a SERVER span per call, with RPC attributes, as parent and child', async () => {
    await using svc = await testService(storage);
    expect(await svc.client.read({ id: 'a' })).toBe('data:a');
    const all = await spans(2);
    const server = all.find((x) => x.kind === SpanKind.SERVER)!;
    const client = all.find((x) => x.kind === SpanKind.CLIENT)!;
    expect(client.name).toBe('storage/read');
    expect(client.attributes).toMatchObject({
      'rpc.system.name': 'courier',
      'rpc.method': 'storage/read',
      'rpc.response.status_code': 'OK',
      'courier.attempt': 1,
      'network.transport': 'inproc',
    });
    expect(client.attributes['server.address']).toMatch(/^courier-test-storage-/);
    expect(server.name).toBe('storage/read');
    expect(server.attributes).toMatchObject({
      'rpc.method': 'storage/read',
      'rpc.response.status_code': 'OK',
    });
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a caller error on the client only, and a deadline on both sides', async () => {
    await using svc = await testService(storage);
    await expect(svc.client.read({ id: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
    let all = await spans(2);
    const notFound = (kind: SpanKind) => all.find((s) => s.kind === kind)!;
    expect(notFound(SpanKind.CLIENT).status.code).toBe(SpanStatusCode.ERROR);
    expect(notFound(SpanKind.CLIENT).attributes['error.type']).toBe('NOT_FOUND');
    expect(notFound(SpanKind.SERVER).status.code).toBe(SpanStatusCode.UNSET);
    exporter.reset();

    await expect(svc.client.slow(null, { deadlineMs: 50 })).rejects.toBeInstanceOf(DeadlineExceededError);
    all = await spans(2);
    for (const s of all) {
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.attributes['rpc.response.status_code']).toBe('DEADLINE_EXCEEDED');
    }
  });

  it('shows each retry as its own CLIENT span under the caller', async () => {
    let calls = 0;
    const flaky = defineService({
      name: 'flaky',
      version: 1,
      methods: {
        get: method({
          input: z.null(),
          handler: () => {
            if (++calls === 1) throw new OverloadedError('busy');
            return 'ok';
          },
        }),
      },
    });
    await using svc = await testService(flaky, {
      client: { retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 } },
    });
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('caller', async (root) => {
      expect(await svc.client.get(null)).toBe('ok');
      root.end();
    });
    const all = await spans(5);
    const root = all.find((s) => s.name === 'caller')!;
    const attempts = all.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts.map((s) => s.attributes['courier.attempt'])).toEqual([1, 2]);
    expect(attempts.map((s) => s.attributes['rpc.response.status_code'])).toEqual(['OVERLOADED', 'OK']);
    for (const a of attempts) expect(parentOf(a)).toBe(root.spanContext().spanId);
    const servers = all.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map(parentOf).sort()).toEqual(attempts.map((a) => a.spanContext().spanId).sort());
  });

  it('makes a call from a handler (ctx.client) a child of the SERVER span, and ctx.traceparent names it', async () => {
    await using backend = await testService(storage);
    const seen: string[] = [];
    const front = defineService({
      name: 'front',
      version: 1,
      methods: {
        get: method({
          input: z.null(),
          handler: async (_input, ctx) => {
            seen.push(ctx.traceparent);
            return ctx.client(backend.client).read({ id: 'x' });
          },
        }),
      },
    });
    await using svc = await testService(front);
    expect(await svc.client.get(null)).toBe('data:x');
    const all = await spans(4);
    const byName = (name: string, kind: SpanKind) => all.find((s) => s.name === name && s.kind === kind)!;
    const frontServer = byName('front/get', SpanKind.SERVER);
    const downstream = byName('storage/read', SpanKind.CLIENT);
    expect(parentOf(byName('front/get', SpanKind.SERVER))).toBe(
      byName('front/get', SpanKind.CLIENT).spanContext().spanId,
    );
    expect(parentOf(downstream)).toBe(frontServer.spanContext().spanId);
    expect(parentOf(byName('storage/read', SpanKind.SERVER))).toBe(downstream.spanContext().spanId);
    expect(new Set(all.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(seen[0]).toBe(`00-${frontServer.spanContext().traceId}-${frontServer.spanContext().spanId}-01`);
  });

  it('carries the SERVER span into a compute task on a worker thread', async () => {
    const traced = defineService({
      name: 'traced',
      version: 1,
      methods: {
        where: method({
          input: z.null(),
          output: z.unknown(),
          compute: {
            module: new URL('../compute/fixtures/traced.worker.js', import.meta.url),
            export: 'activeSpan',
          },
        }),
      },
    });
    await using svc = await testService(traced, { server: { pool: { size: 1 } } });
    const inWorker = (await svc.client.where(null)) as { traceId: string; spanId: string };
    const all = await spans(3);
    const task = all.find((s) => s.name === 'compute traced/where')!;
    const server = all.find((s) => s.kind === SpanKind.SERVER)!;
    expect(task.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(task)).toBe(server.spanContext().spanId);
    expect(inWorker).toEqual({ traceId: task.spanContext().traceId, spanId: task.spanContext().spanId });
  });

  it('records events as PRODUCER and CONSUMER spans of one trace', async () => {
    const news = defineService({
      name: 'news',
      version: 1,
      methods: {},
      events: { posted: z.object({ id: z.string() }) },
    });
    const bind = `inproc://courier-trace-events-${process.pid}`;
    await using pub = await createPublisher(news, { bind });
    let resolve!: () => void;
    const got = new Promise<void>((r) => {
      resolve = r;
    });
    await using _sub = subscribe(news, { endpoints: [bind] }, { posted: () => resolve() });
    await pub.waitForSubscriber('posted');
    await pub.publish('posted', { id: '1' });
    await got;
    const all = await spans(2);
    const producer = all.find((s) => s.kind === SpanKind.PRODUCER)!;
    const consumer = all.find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(producer.name).toBe('send news.posted');
    expect(consumer.name).toBe('process news.posted');
    expect(consumer.attributes).toMatchObject({ 'messaging.destination.name': 'news.posted' });
    expect(parentOf(consumer)).toBe(producer.spanContext().spanId);
  });
});

describe('tracing with no SDK', () => {
  it('has no tracer, so the call path makes no span', async () => {
    trace.disable();
    try {
      expect(activeTracer()).toBeUndefined();
      await using svc = await testService(storage);
      expect(await svc.client.read({ id: 'a' })).toBe('data:a');
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      trace.setGlobalTracerProvider(provider);
    }
    expect(activeTracer()).toBeDefined();
  });
});
