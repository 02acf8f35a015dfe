/**
 * Imported first by the bench children, for its side effect: sets the
 * child's tracing up for its implementation (argv[2], or BENCH_TRACE_IMPL)
 * before core loads.
 * `core-off` turns core's tracing off (COURIER_TRACING=off, read when core
 * loads); `core-sdk` registers the OpenTelemetry SDK as an application would
 * (async-context manager, batch processor, every span sampled) with an
 * exporter that drops each batch, so what is measured is making, filling and
 * ending the spans, not exporting them.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

// inproc-core.ts (under valgrind) has other arguments: it is told by the environment.
const impl = process.env.BENCH_TRACE_IMPL ?? process.argv[2];
if (impl === 'core-off') process.env.COURIER_TRACING = 'off';
if (impl === 'core-sdk') {
  const dropAll: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] }),
  );
}
