import { availableParallelism, cpus } from 'node:os';
import { formatFixed, formatInt, formatMicros, formatTable } from '../lib/table.js';
import type { BenchOptions, Cell } from './options.js';
import type { Comparison, Tally } from './tally.js';

export const sizeLabel = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);

const sameCell = (a: Cell, b: Cell) => a.bodyBytes === b.bodyBytes && a.inflight === b.inflight;

/** The two headline ratios, NaN when a cell they need was not run. */
export function headline(comparisons: readonly Comparison[]): {
  throughput: number;
  latency: number;
  line: string;
} {
  const at = (bodyBytes: number, inflight: number) =>
    comparisons.find((c) => sameCell(c.cell, { bodyBytes, inflight }));
  const throughput = Math.min(at(64, 256)?.rps ?? Number.NaN, at(1024, 256)?.rps ?? Number.NaN);
  const latency = at(1024, 1)?.p50 ?? Number.NaN;
  const line = `transport_vs_raw_zmq=${formatFixed(throughput, 3)} p50_w1_vs_raw=${formatFixed(latency, 3)}`;
  return { throughput, latency, line };
}

/** Human-readable tables, ending with the headline line. */
export function textReport(
  options: BenchOptions,
  tallies: readonly Tally[],
  comparisons: readonly Comparison[],
): string {
  const out = [
    '',
    'Closed-loop echo over loopback TCP, client and server in separate processes; ' +
      `${options.rounds} rounds × ${options.durationMs} ms measured per row, each after ${options.warmupMs} ms warm-up.`,
    'courier = @courier/transport (defaults); raw = zeromq.js DEALER/ROUTER, batched per tick.',
    'req/s = median of the rounds; p50/p99 over all requests of all rounds. CPU = % of one core and',
    'CPU µs per request (whole process, ZeroMQ I/O thread included; client: measured windows, server:',
    'whole rounds incl. warm-up). CPU per request is the figure least moved by other load on the machine.',
    '',
    formatTable(
      [
        { header: 'body', value: (t: Tally) => sizeLabel(t.cell.bodyBytes) },
        { header: 'in flight', value: (t) => String(t.cell.inflight) },
        { header: 'impl', align: 'left', value: (t) => t.impl },
        { header: 'req/s', value: (t) => formatInt(t.rps) },
        { header: 'p50 µs', value: (t) => formatMicros(t.percentile(50)) },
        { header: 'p99 µs', value: (t) => formatMicros(t.percentile(99)) },
        { header: 'client CPU', value: (t) => `${formatInt(t.clientCpuPercent)}%` },
        { header: 'server CPU', value: (t) => `${formatInt(t.serverCpuPercent)}%` },
        { header: 'client µs/req', value: (t) => formatFixed(t.clientCpuUs, 2) },
        { header: 'server µs/req', value: (t) => formatFixed(t.serverCpuUs, 2) },
      ],
      tallies,
    ),
  ];
  if (comparisons.length > 0) {
    out.push(
      '',
      'courier/raw: req/s and p50 are medians of per-round ratios (each pair measured back to back).',
      '',
      formatTable(
        [
          { header: 'body', value: (c: Comparison) => sizeLabel(c.cell.bodyBytes) },
          { header: 'in flight', value: (c) => String(c.cell.inflight) },
          { header: 'req/s', value: (c) => formatFixed(c.rps, 3) },
          { header: 'p50', value: (c) => formatFixed(c.p50, 3) },
          { header: 'p99', value: (c) => formatFixed(c.p99, 3) },
          { header: 'CPU/req', value: (c) => formatFixed(c.cpu, 3) },
        ],
        comparisons,
      ),
      '',
      headline(comparisons).line,
    );
  }
  return `${out.join('\n')}\n`;
}

/** One JSON document with the configuration, the machine, every cell and the ratios. */
export function jsonReport(
  options: BenchOptions,
  tallies: readonly Tally[],
  comparisons: readonly Comparison[],
): string {
  const { throughput, latency, line } = headline(comparisons);
  const doc = {
    benchmark: 'transport',
    date: new Date().toISOString(),
    machine: { nproc: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
    options,
    results: tallies.map((t) => ({
      impl: t.impl,
      bodyBytes: t.cell.bodyBytes,
      inflight: t.cell.inflight,
      requests: t.requests,
      rps: t.rps,
      roundsRps: t.segments.map((s) => s.rps),
      latencyUs: {
        p50: t.percentile(50),
        p90: t.percentile(90),
        p99: t.percentile(99),
        max: t.latencyUs.max,
      },
      clientCpuPercent: t.clientCpuPercent,
      serverCpuPercent: t.serverCpuPercent,
      clientCpuUsPerRequest: t.clientCpuUs,
      serverCpuUsPerRequest: t.serverCpuUs,
    })),
    ratios: comparisons.map((c) => ({
      bodyBytes: c.cell.bodyBytes,
      inflight: c.cell.inflight,
      rps: c.rps,
      p50: c.p50,
      p99: c.p99,
      cpuPerRequest: c.cpu,
    })),
    transport_vs_raw_zmq: Number.isFinite(throughput) ? throughput : null,
    p50_w1_vs_raw: Number.isFinite(latency) ? latency : null,
    summary: line,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
