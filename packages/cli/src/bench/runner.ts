import { performance } from 'node:perf_hooks';
import { encodeBody } from '@courier/core';
import { type ClientSecurityOptions, Status, statusName, TransportClient } from '@courier/transport';
import { CLI_TRANSPORT } from '../client.js';
import { type LatencyBucket, LatencyRecorder, type LatencySummary } from './latency.js';

export interface BenchOptions {
  endpoint: string;
  /** `service.method` */
  method: string;
  input: unknown;
  /** Calls kept in flight (closed loop: each slot sends its next call when the last one settles). */
  concurrency: number;
  durationMs: number;
  /** Per-call deadline. @default 5000 */
  deadlineMs?: number;
  /** CURVE keys (`--server-key`, `--key-file` or the environment); omitted: plaintext. */
  security?: ClientSecurityOptions | undefined;
  /** Time spent calling before measuring, so connections and JIT are warm. @default 1000 (capped at a fifth of durationMs) */
  warmupMs?: number;
  /** Called about every 250 ms while measuring. */
  onProgress?: (progress: BenchProgress) => void;
}

export interface BenchProgress {
  elapsedMs: number;
  durationMs: number;
  completed: number;
  errors: number;
  /** Calls per second over the last progress interval. */
  rate: number;
}

export interface BenchResult {
  endpoint: string;
  method: string;
  concurrency: number;
  durationSeconds: number;
  completed: number;
  ok: number;
  /** Failed calls by status name. */
  errors: Record<string, number>;
  throughput: number;
  latencyMs: LatencySummary;
  distribution: LatencyBucket[];
}

/**
 * Drives a method at a fixed number of calls in flight for a fixed time and
 * measures throughput, errors and latency (of every call, successful or not).
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const deadlineMs = opts.deadlineMs ?? 5000;
  const warmupMs = Math.min(opts.warmupMs ?? 1000, opts.durationMs / 5);
  // Encode once: the benchmark measures the service, not our encoder.
  const body = encodeBody(opts.input);
  // The transport itself, not a Courier client: no retries or per-call encoding in the measurement.
  await using transport = new TransportClient({
    ...CLI_TRANSPORT,
    connect: opts.endpoint,
    ...(opts.security !== undefined && { security: opts.security }),
  });
  const latency = new LatencyRecorder();
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let measuring = false;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + opts.durationMs;

  const slot = async (): Promise<void> => {
    for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
      const reply = await transport.request({ method: opts.method, body, deadlineMs });
      if (!measuring) continue;
      latency.record(performance.now() - t0);
      if (reply.status === Status.OK) ok++;
      else {
        failed++;
        const name = statusName(reply.status) ?? String(reply.status);
        errors[name] = (errors[name] ?? 0) + 1;
      }
    }
  };

  const warmup = setTimeout(() => {
    measuring = true;
  }, warmupMs);
  let lastCount = 0;
  let lastAt = measureFrom;
  const progress =
    opts.onProgress &&
    setInterval(() => {
      if (!measuring) return;
      const now = performance.now();
      const done = ok + failed;
      opts.onProgress?.({
        elapsedMs: now - measureFrom,
        durationMs: opts.durationMs,
        completed: done,
        errors: failed,
        rate: ((done - lastCount) * 1000) / (now - lastAt),
      });
      lastCount = done;
      lastAt = now;
    }, 250);
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, slot));
  } finally {
    clearTimeout(warmup);
    clearInterval(progress);
  }
  const seconds = (Math.min(performance.now(), end) - measureFrom) / 1000;
  const completed = ok + failed;
  return {
    endpoint: opts.endpoint,
    method: opts.method,
    concurrency: opts.concurrency,
    durationSeconds: seconds,
    completed,
    ok,
    errors,
    throughput: seconds > 0 ? completed / seconds : 0,
    latencyMs: latency.summary(),
    distribution: latency.buckets(),
  };
}
