import { Histogram } from '../lib/histogram.js';
import { median } from '../lib/stats.js';
import type { Impl } from './echo.js';
import type { CellResult } from './echo-client.js';
import type { Cell } from './options.js';

/** One measured window of one implementation. */
export interface Segment {
  rps: number;
  p50Us: number;
}

/**
 * Everything measured for one implementation in one cell, over all rounds.
 * Throughput is the median of the rounds; latency percentiles come from the
 * merged histogram of every request of every round.
 */
export class Tally {
  readonly impl: Impl;
  readonly cell: Cell;
  readonly segments: Segment[] = [];
  readonly latencyUs = new Histogram();
  #requests = 0;
  #durationMs = 0;
  #clientCpuMs = 0;
  #serverCpuMs = 0;
  #serverRequests = 0;
  #serverWallMs = 0;

  constructor(impl: Impl, cell: Cell) {
    this.impl = impl;
    this.cell = cell;
  }

  /**
   * Adds one round: the client's result, and the server's CPU time and wall
   * time over the same segment (warm-up included, as are its requests).
   */
  add(result: CellResult, serverCpuMs: number, serverWallMs: number): Segment {
    const latency = Histogram.fromJSON(result.latencyUs);
    const segment = { rps: result.rps, p50Us: latency.percentile(50) };
    this.segments.push(segment);
    this.latencyUs.merge(latency);
    this.#requests += result.requests;
    this.#durationMs += result.durationMs;
    this.#clientCpuMs += (result.cpuPercent / 100) * result.durationMs;
    this.#serverCpuMs += serverCpuMs;
    this.#serverRequests += result.totalRequests;
    this.#serverWallMs += serverWallMs;
    return segment;
  }

  /** Replies counted in the measured windows of all rounds. */
  get requests(): number {
    return this.#requests;
  }

  /** Requests per second: the median over rounds. */
  get rps(): number {
    return median(this.segments.map((s) => s.rps));
  }

  percentile(q: number): number {
    return this.latencyUs.percentile(q);
  }

  /** Client CPU (% of one core) in the measured windows. */
  get clientCpuPercent(): number {
    return (this.#clientCpuMs / this.#durationMs) * 100;
  }

  /** Server CPU (% of one core) over whole segments. */
  get serverCpuPercent(): number {
    return (this.#serverCpuMs / this.#serverWallMs) * 100;
  }

  /**
   * Client CPU time per request in µs, ZeroMQ's I/O thread included. Unlike
   * req/s, it hardly moves when other processes compete for the cores.
   */
  get clientCpuUs(): number {
    return (this.#clientCpuMs * 1000) / this.#requests;
  }

  /** Server CPU time per request in µs, ZeroMQ's I/O thread included. */
  get serverCpuUs(): number {
    return (this.#serverCpuMs * 1000) / this.#serverRequests;
  }
}

/** Courier relative to raw in one cell; below 1 is faster for latency and CPU, slower for req/s. */
export interface Comparison {
  cell: Cell;
  /** Median over rounds of courier/raw req/s, each round's pair measured back to back. */
  rps: number;
  /** Median over rounds of courier/raw p50 latency. */
  p50: number;
  /** courier/raw p99 of the merged histograms. */
  p99: number;
  /** courier/raw CPU µs per request, client and server together. */
  cpu: number;
}

export function compare(courier: Tally, raw: Tally): Comparison {
  const pairs = courier.segments
    .map((c, i) => [c, raw.segments[i]] as const)
    .filter(([, r]) => r !== undefined);
  return {
    cell: courier.cell,
    rps: median(pairs.map(([c, r]) => c.rps / r!.rps)),
    p50: median(pairs.map(([c, r]) => c.p50Us / r!.p50Us)),
    p99: courier.percentile(99) / raw.percentile(99),
    cpu: (courier.clientCpuUs + courier.serverCpuUs) / (raw.clientCpuUs + raw.serverCpuUs),
  };
}
