import type { BenchProgress, BenchResult } from './runner.js';

const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtRate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(3)} ms`;
}

/** The report printed at the end of `courier bench`. */
export function formatReport(r: BenchResult): string {
  const l = r.latencyMs;
  const errorTotal = r.completed - r.ok;
  const lines = [
    `courier bench ${r.endpoint} ${r.method}: ${r.concurrency} in flight for ${r.durationSeconds.toFixed(1)} s`,
    '',
    `  calls       ${fmtInt.format(r.completed)} (${fmtInt.format(r.ok)} ok, ${fmtInt.format(errorTotal)} failed)`,
    `  throughput  ${fmtRate.format(r.throughput)} calls/s`,
  ];
  if (errorTotal > 0) {
    const byStatus = Object.entries(r.errors)
      .sort(([, a], [, b]) => b - a)
      .map(([name, n]) => `${name} ${fmtInt.format(n)}`)
      .join(', ');
    lines.push(`  errors      ${byStatus}`);
  }
  lines.push(
    '',
    '  latency',
    `    p50    ${ms(l.p50)}`,
    `    p90    ${ms(l.p90)}`,
    `    p99    ${ms(l.p99)}`,
    `    p99.9  ${ms(l.p999)}`,
    `    max    ${ms(l.max)}`,
    `    mean   ${ms(l.mean)}`,
  );
  if (r.distribution.length > 0) {
    lines.push('', '  distribution (calls that took at most)');
    const peak = Math.max(...r.distribution.map((b) => b.count));
    for (const b of r.distribution) {
      const bar = '█'.repeat(Math.max(1, Math.round((b.count / peak) * 40)));
      const share = ((b.count / r.completed) * 100).toFixed(1).padStart(5);
      lines.push(`    ${ms(b.le).padStart(10)}  ${share}%  ${bar}`);
    }
  }
  return lines.join('\n');
}

/** The live line shown while a benchmark runs (TTY only). */
export function formatProgress(p: BenchProgress): string {
  const width = 24;
  const done = Math.min(width, Math.round((p.elapsedMs / p.durationMs) * width));
  const bar = `${'█'.repeat(done)}${'░'.repeat(width - done)}`;
  return `  ${bar} ${(p.elapsedMs / 1000).toFixed(1)}s  ${fmtRate.format(p.rate)} calls/s  ${fmtInt.format(p.completed)} done  ${fmtInt.format(p.errors)} errors`;
}
