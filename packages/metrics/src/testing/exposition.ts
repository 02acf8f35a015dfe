import { z } from 'zod';

/**
 * A small parser for the Prometheus text exposition format (version 0.0.4),
 * enough to assert on what `/metrics` serves: HELP and TYPE lines, samples
 * with escaped label values. Test support only.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const SampleSchema = z.object({
  name: z.string().regex(METRIC_NAME),
  labels: z.record(z.string().regex(LABEL_NAME), z.string()),
  // NaN and ±Inf are valid sample values (zod's number() refuses them).
  value: z.union([
    z.number(),
    z.nan(),
    z.literal(Number.POSITIVE_INFINITY),
    z.literal(Number.NEGATIVE_INFINITY),
  ]),
});
export type Sample = z.infer<typeof SampleSchema>;

export const FamilySchema = z.object({
  name: z.string().regex(METRIC_NAME),
  type: z.enum(['counter', 'gauge', 'histogram', 'summary', 'untyped']),
  help: z.string(),
});
export type Family = z.infer<typeof FamilySchema>;

/** A parsed exposition, with lookups for tests. */
export class Exposition {
  readonly families = new Map<string, Family>();
  readonly samples: Sample[] = [];

  /** Samples of one name (e.g. `x_total`, `x_bucket`) whose labels include `labels`. */
  series(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && matches(s.labels, labels));
  }

  /** The value of the one sample with exactly these labels; throws if there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples.find((s) => s.name === name && sameLabels(s.labels, labels));
    if (found === undefined) {
      throw new Error(`no sample ${name}${JSON.stringify(labels)}; have: ${this.describe(name)}`);
    }
    return found.value;
  }

  /** The value of the sample with exactly these labels, or `undefined`. */
  find(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.samples.find((s) => s.name === name && sameLabels(s.labels, labels))?.value;
  }

  /** Sum over samples of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.series(name, labels).reduce((acc, s) => acc + s.value, 0);
  }

  /** The distinct values `label` takes across samples of `name`. */
  labelValues(name: string, label: string): Set<string> {
    const values = new Set<string>();
    for (const s of this.samples) {
      const v = s.labels[label];
      if (s.name === name && v !== undefined) values.add(v);
    }
    return values;
  }

  describe(name: string): string {
    return this.samples
      .filter((s) => s.name === name)
      .map((s) => `${JSON.stringify(s.labels)}=${s.value}`)
      .join(' ');
  }
}

/** Parses exposition text; throws on any line it does not understand. */
export function parseExposition(text: string): Exposition {
  const out = new Exposition();
  const partial = new Map<string, { type?: string; help?: string }>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const at = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta === null) continue; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
      const family = partial.get(name) ?? {};
      if (kind === 'HELP') family.help = unescapeText(rest, false);
      else family.type = rest;
      partial.set(name, family);
      continue;
    }
    out.samples.push(parseSample(line, at));
  }
  for (const [name, family] of partial) {
    out.families.set(
      name,
      FamilySchema.parse({ name, type: family.type ?? 'untyped', help: family.help ?? '' }),
    );
  }
  return out;
}

function parseSample(line: string, at: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) throw new Error(`bad metric name at ${at}`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (labelMatch === null) throw new Error(`bad label at ${at}`);
      pos += labelMatch[0].length;
      let raw = '';
      while (line[pos] !== '"') {
        if (pos >= line.length) throw new Error(`unterminated label value at ${at}`);
        if (line[pos] === '\\') {
          raw += line.slice(pos, pos + 2);
          pos += 2;
        } else {
          raw += line[pos];
          pos++;
        }
      }
      pos++; // closing quote
      const labelName = labelMatch[1]!;
      if (labelName in labels) throw new Error(`duplicate label ${labelName} at ${at}`);
      labels[labelName] = unescapeText(raw, true);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new Error(`expected , or } at ${at}`);
    }
    pos++;
  }
  const fields = line.slice(pos).trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2) throw new Error(`expected a value (and a timestamp) at ${at}`);
  return SampleSchema.parse({ name, labels, value: parseValue(fields[0]!, at) });
}

function parseValue(text: string, at: string): number {
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case '+inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value ${JSON.stringify(text)} at ${at}`);
  return value;
}

/** Label values escape `\\`, `\"` and `\n`; HELP text escapes `\\` and `\n`. */
function unescapeText(raw: string, quotes: boolean): string {
  return raw.replace(/\\(.)/g, (whole, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\') return '\\';
    if (c === '"' && quotes) return '"';
    return whole;
  });
}

function matches(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

function sameLabels(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.keys(labels).length === Object.keys(want).length && matches(labels, want);
}
