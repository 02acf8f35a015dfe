/** One column of a text table. */
export interface Column<TRow> {
  header: string;
  /** Numbers read best right-aligned. @default 'right' */
  align?: 'left' | 'right';
  value: (row: TRow) => string;
}

/**
 * Formats rows as a Markdown table whose columns are padded to line up, so
 * the same text reads well in a terminal and pastes into RESULTS.md.
 *
 * @example
 * formatTable([{ header: 'n', value: (r) => String(r.n) }], [{ n: 1 }]);
 * // | n |
 * // |--:|
 * // | 1 |
 */
export function formatTable<TRow>(columns: readonly Column<TRow>[], rows: readonly TRow[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, 3, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) =>
    columns[i]!.align === 'left' ? text.padEnd(widths[i]!) : text.padStart(widths[i]!);
  const line = (texts: readonly string[]) => `| ${texts.map(pad).join(' | ')} |`;
  const rule = `|${columns
    .map((c, i) => (c.align === 'left' ? `:${'-'.repeat(widths[i]! + 1)}` : `${'-'.repeat(widths[i]! + 1)}:`))
    .join('|')}|`;
  return [line(columns.map((c) => c.header)), rule, ...cells.map(line)].join('\n');
}

/** `12345.6` → `"12,346"`. */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** Fixed decimals, or `n/a` for NaN/Infinity. */
export function formatFixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Microseconds with a precision that suits the magnitude: `8.41`, `84.1`, `841`. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : Math.round(us).toLocaleString('en-US');
}
