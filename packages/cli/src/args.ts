import { UsageError } from './errors.js';

/** Parses `10s`, `500ms`, `2m` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`not a duration: ${text} (try 10s, 500ms or 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
}

export function parsePositiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got ${text}`);
  return n;
}

/** Parses the JSON input argument; absent means `{}`. */
export function parseInput(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`input is not valid JSON: ${text}`);
  }
}

/** `service.method` → its parts. */
export function parseMethod(text: string): { service: string; method: string } {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) {
    throw new UsageError(`expected service.method, got ${text}`);
  }
  return { service: text.slice(0, dot), method: text.slice(dot + 1) };
}
