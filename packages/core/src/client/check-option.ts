import { ClientConfigError } from '../errors.js';

/** Validates a numeric option at construction, so a bad value fails early and says where it came from. */
export function atLeast(what: string, name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new ClientConfigError(
      'ERR_COURIER_CLIENT_OPTIONS',
      `Courier ${what} option ${name} must be a number >= ${min}, got ${value}`,
    );
  }
  return value;
}
