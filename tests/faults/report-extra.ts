import { type Figures, format } from './report.js';

/** A scenario's figures plus the lines only it measures (cancel travel, partition detection, ...). */
export interface Report {
  readonly figures: Figures;
  readonly extra: readonly string[];
}

export function formatReport(r: Report): string {
  return [format(r.figures), ...r.extra.map((line) => `  ${line}`)].join('\n');
}

/** `p50 x ms, max y ms (n)`, or `none` for no samples. */
export function spread(samples: readonly number[]): string {
  if (samples.length === 0) return 'none';
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  return `p50 ${p50.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${sorted.length})`;
}
