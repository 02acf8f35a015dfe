import { fileURLToPath } from 'node:url';
import { type Client, createClient, DeadlineExceededError } from '@courier/core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playlist } from '../examples/playlist/service.js';
import { Fixture, type FixtureLine } from './transport/child-process.js';
import { waitFor } from './transport/helpers.js';

/**
 * The three-hop chain (caller → playlist → metadata → storage), each service
 * in its own process with the OpenTelemetry SDK, exporting its spans to this
 * test over stdout; the caller (this process) uses the SDK's in-memory
 * exporter. The spans of one call must form one trace, each hop the child of
 * the one before.
 */

const HOP = fileURLToPath(new URL('./fixtures/tracing/hop.ts', import.meta.url));

interface Exported {
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly status: SpanStatusCode;
  readonly attributes: Record<string, unknown>;
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const hops: Fixture[] = [];
let client: Client<typeof playlist>;

async function start(service: string, upstream?: string): Promise<string> {
  const hop = new Fixture(HOP, upstream === undefined ? [service] : [service, upstream]);
  hops.push(hop);
  const ready = await hop.line((l) => l.event === 'ready', `${service} to be ready`, 30_000);
  return ready.endpoint as string;
}

const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
  const storage = await start('storage');
  const metadata = await start('metadata', storage);
  const front = await start('playlist', metadata);
  client = createClient(playlist, { endpoints: [front], retry: false });
}, 90_000);

afterAll(async () => {
  await client?.$close();
  for (const hop of hops) await hop.stop();
  trace.disable();
  context.disable();
  await provider.shutdown();
});

/** Every span of `traceId`, from this process and the three others. */
function spansOf(traceId: string): Exported[] {
  const remote = hops.flatMap((h) =>
    h.lines.filter((l: FixtureLine) => l.event === 'span' && l.traceId === traceId),
  ) as unknown as Exported[];
  const local = exporter
    .getFinishedSpans()
    .filter((s) => s.spanContext().traceId === traceId)
    .map(
      (s): Exported => ({
        service: 'caller',
        name: s.name,
        kind: s.kind,
        traceId,
        spanId: s.spanContext().spanId,
        parentSpanId: s.parentSpanContext?.spanId,
        status: s.status.code,
        attributes: s.attributes,
      }),
    );
  return [...local, ...remote];
}

/** The one span in `all` that is `service`'s span of `kind` for `rpcMethod`, checked to be unique. */
function one(all: Exported[], service: string, kind: SpanKind, name: string): Exported {
  const found = all.filter((s) => s.service === service && s.kind === kind && s.name === name);
  expect(found, `${service} ${SpanKind[kind]} ${name}`).toHaveLength(1);
  return found[0]!;
}

/** Calls playlist.get inside a root span of its own, and returns that span's trace id. */
async function tracedCall(input: { id: string; latencyMs: number }, deadlineMs: number) {
  const root = trace.getTracer('test').startSpan('caller');
  const traceId = root.spanContext().traceId;
  const pending = context.with(trace.setSpan(context.active(), root), () =>
    client.get(input, { deadlineMs }),
  );
  const outcome = await pending.then(
    (v) => v,
    (e: unknown) => e,
  );
  root.end();
  return { traceId, rootId: root.spanContext().spanId, outcome };
}

describe('tracing across three processes', () => {
  it('makes one trace of caller → playlist → metadata → storage', { timeout: 60_000 }, async () => {
    const { traceId, rootId, outcome } = await tracedCall({ id: 'p1', latencyMs: 1 }, 10_000);
    expect(outcome).toMatchObject({ id: 'p1' });
    // p1 has three tracks: three storage reads. 1 root + 2 (caller→playlist) + 2 + 3×2 spans.
    await waitFor(() => spansOf(traceId).length >= 11, 'every span of the trace', 20_000).catch((err) => {
      throw new Error(`${err}: got ${JSON.stringify(spansOf(traceId).map((s) => [s.service, s.name]))}`);
    });
    const all = spansOf(traceId);
    expect(all).toHaveLength(11);

    const callerClient = one(all, 'caller', SpanKind.CLIENT, 'playlist/get');
    expect(callerClient.parentSpanId).toBe(rootId);
    const playlistServer = one(all, 'playlist', SpanKind.SERVER, 'playlist/get');
    expect(playlistServer.parentSpanId).toBe(callerClient.spanId);
    const toMetadata = one(all, 'playlist', SpanKind.CLIENT, 'metadata/tracks');
    expect(toMetadata.parentSpanId).toBe(playlistServer.spanId);
    expect(toMetadata.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'network.transport': 'tcp',
    });
    const metadataServer = one(all, 'metadata', SpanKind.SERVER, 'metadata/tracks');
    expect(metadataServer.parentSpanId).toBe(toMetadata.spanId);
    const reads = all.filter((s) => s.service === 'metadata' && s.kind === SpanKind.CLIENT);
    const stored = all.filter((s) => s.service === 'storage' && s.kind === SpanKind.SERVER);
    expect(reads).toHaveLength(3);
    expect(stored).toHaveLength(3);
    for (const r of reads) expect(r.parentSpanId).toBe(metadataServer.spanId);
    expect(stored.map((s) => s.parentSpanId).sort()).toEqual(reads.map((r) => r.spanId).sort());
    for (const s of all) expect(s.status, `${s.service} ${s.name}`).toBe(SpanStatusCode.UNSET);
  });

  it('marks the hop whose deadline ran out as an error, in the same trace', { timeout: 60_000 }, async () => {
    // Storage takes 5 s per read; the caller allows 300 ms for the whole chain.
    const { traceId, outcome } = await tracedCall({ id: 'p2', latencyMs: 5000 }, 300);
    expect(outcome).toBeInstanceOf(DeadlineExceededError);
    // p2 has two tracks. Every hop ends by its deadline, so every span is exported.
    await waitFor(() => spansOf(traceId).length >= 9, 'every span of the trace', 20_000);
    const all = spansOf(traceId);
    const stored = all.filter((s) => s.service === 'storage' && s.kind === SpanKind.SERVER);
    expect(stored).toHaveLength(2);
    for (const s of stored) {
      expect(s.status).toBe(SpanStatusCode.ERROR);
      expect(s.attributes['rpc.response.status_code']).toBe('DEADLINE_EXCEEDED');
    }
    const callerClient = one(all, 'caller', SpanKind.CLIENT, 'playlist/get');
    expect(callerClient.status).toBe(SpanStatusCode.ERROR);
    expect(callerClient.attributes['rpc.response.status_code']).toBe('DEADLINE_EXCEEDED');
    const metadataServer = one(all, 'metadata', SpanKind.SERVER, 'metadata/tracks');
    expect(metadataServer.status).toBe(SpanStatusCode.ERROR);
    expect(new Set(all.map((s) => s.traceId))).toEqual(new Set([traceId]));
  });
});
