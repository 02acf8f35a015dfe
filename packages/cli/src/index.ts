export type { LatencyBucket, LatencySummary } from './bench/latency.js';
export { formatReport } from './bench/report.js';
export { type BenchOptions, type BenchProgress, type BenchResult, runBench } from './bench/runner.js';
export type { CliIO } from './io.js';
export { main } from './main.js';
