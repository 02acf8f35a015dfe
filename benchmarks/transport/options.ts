import { parseArgs } from 'node:util';
import { IMPLS, type Impl, parseImpl } from './echo.js';

/** One point of the benchmark grid. */
export interface Cell {
  bodyBytes: number;
  /** Requests kept in flight by the closed-loop client. */
  inflight: number;
}

export const BODY_SIZES = [64, 1024] as const;
export const INFLIGHT = [1, 16, 256] as const;

/** What the command line asked for, with defaults filled in. */
export interface BenchOptions {
  json: boolean;
  warmupMs: number;
  durationMs: number;
  rounds: number;
  /** Untimed load per client before the first cell, so every implementation starts JIT-warm. */
  primeMs: number;
  impls: readonly Impl[];
  cells: readonly Cell[];
  cpuProfDir: string | undefined;
}

export const USAGE = `Options:
  --quick              short windows, one round: a smoke run (about 10 s)
  --json               print one JSON document on stdout instead of tables
  --warmup-ms N        warm-up before each measured window (default 400)
  --duration-ms N      length of each measured window (default 1500)
  --rounds N           measured windows per cell and implementation (default 4)
  --impl courier,raw   implementations to run (default both; ratios need both)
  --cells 64x256,...   run only these cells (<body bytes>x<in flight>)
  --cpu-prof-dir DIR   profile the children: DIR/<impl>-<role>/CPU.*.<pid>.0.001.cpuprofile (main thread)`;

/** Parses `argv` (without node and script); throws on anything it does not know. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'warmup-ms': { type: 'string' },
      'duration-ms': { type: 'string' },
      rounds: { type: 'string' },
      impl: { type: 'string' },
      cells: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
  });
  const quick = values.quick;
  const wanted = values.cells?.split(',');
  const cells = BODY_SIZES.flatMap((bodyBytes) =>
    INFLIGHT.map((inflight) => ({ bodyBytes, inflight })),
  ).filter((cell) => wanted === undefined || wanted.includes(`${cell.bodyBytes}x${cell.inflight}`));
  if (cells.length === 0) throw new Error(`--cells ${values.cells} selects no cell\n${USAGE}`);
  return {
    json: values.json,
    warmupMs: positive('warmup-ms', values['warmup-ms'], quick ? 100 : 400),
    durationMs: positive('duration-ms', values['duration-ms'], quick ? 300 : 1500),
    rounds: Math.round(positive('rounds', values.rounds, quick ? 1 : 4)),
    primeMs: quick ? 300 : 1500,
    impls: values.impl === undefined ? IMPLS : values.impl.split(',').map(parseImpl),
    cells,
    cpuProfDir: values['cpu-prof-dir'],
  };
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, got ${raw}\n${USAGE}`);
  return n;
}
