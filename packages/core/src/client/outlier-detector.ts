import { ClientConfigError } from '../errors.js';
import { atLeast } from './check-option.js';
import type { Verdict } from './circuit-breaker.js';

/**
 * Outlier ejection in the style of Envoy's outlier detection: endpoints are
 * judged against each other, not one at a time, so a failure every endpoint
 * shares (a database down behind all of them, callers' tight deadlines) ejects
 * none, and the endpoint that fails far more than its peers is taken out.
 */
export interface OutlierDetectionOptions {
  /** The window over which each endpoint's failure rate is measured and compared, in ms. @default 1000 */
  intervalMs?: number;
  /** Calls an endpoint must have had in the window to be judged (and to count as a peer). @default 10 */
  minRequests?: number;
  /** The share of its calls that must have failed for an endpoint to be ejected. @default 0.5 */
  failureRate?: number;
  /** How far its failure rate must exceed its peers' mean for it to be ejected. @default 0.3 */
  peerGap?: number;
  /** How long an ejection lasts, in ms, times the number of ejections in a row. @default 1000 */
  baseEjectionMs?: number;
  /** The longest an ejection lasts, in ms. @default 30000 */
  maxEjectionMs?: number;
  /**
   * The most endpoints ejected at once, as a percentage of all (but one may
   * always be); at least one endpoint is always left in, so a single endpoint
   * is never ejected. @default 50
   */
  maxEjectionPercent?: number;
}

/** An endpoint's view of the detector. */
export interface Health {
  readonly ejected: boolean;
  record(verdict: Verdict): void;
}

interface Host extends Health {
  successes: number;
  failures: number;
  ejectedUntil: number;
  /** Ejections in a row; decays by one for each clean window. */
  multiplier: number;
}

export class OutlierDetector {
  readonly #intervalMs: number;
  readonly #minRequests: number;
  readonly #failureRate: number;
  readonly #peerGap: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxEjectionPercent: number;
  readonly #now: () => number;
  readonly #hosts = new Set<Host>();
  #windowEnd: number;

  constructor(options: OutlierDetectionOptions, now: () => number) {
    const name = 'outlier detection';
    this.#intervalMs = atLeast(name, 'intervalMs', options.intervalMs ?? 1000, 1);
    this.#minRequests = atLeast(name, 'minRequests', options.minRequests ?? 10, 1);
    this.#failureRate = between(name, 'failureRate', options.failureRate ?? 0.5);
    this.#peerGap = between(name, 'peerGap', options.peerGap ?? 0.3);
    this.#baseEjectionMs = atLeast(name, 'baseEjectionMs', options.baseEjectionMs ?? 1000, 0);
    this.#maxEjectionMs = atLeast(
      name,
      'maxEjectionMs',
      options.maxEjectionMs ?? 30_000,
      this.#baseEjectionMs,
    );
    this.#maxEjectionPercent = atLeast(name, 'maxEjectionPercent', options.maxEjectionPercent ?? 50, 0);
    this.#now = now;
    this.#windowEnd = now() + this.#intervalMs;
  }

  /** Starts judging an endpoint; `onChange` runs when it is ejected or let back in. */
  add(onChange: () => void): Health & { remove(): void } {
    const detector = this;
    let wasEjected = false;
    const host = {
      successes: 0,
      failures: 0,
      ejectedUntil: 0,
      multiplier: 0,
      get ejected(): boolean {
        detector.#evaluate();
        const ejected = host.ejectedUntil > detector.#now();
        if (ejected !== wasEjected) {
          wasEjected = ejected;
          // Let back in (found lazily, here): start from a clean slate.
          if (!ejected) {
            host.successes = 0;
            host.failures = 0;
          }
          queueMicrotask(onChange);
        }
        return ejected;
      },
      record(verdict: Verdict): void {
        detector.#evaluate();
        if (verdict === 'success') host.successes++;
        else if (verdict === 'failure') host.failures++;
      },
      remove(): void {
        detector.#hosts.delete(host);
      },
    };
    this.#hosts.add(host);
    return host;
  }

  /** At each window's end: eject the worst outliers, within the cap, and start a new window. */
  #evaluate(): void {
    const now = this.#now();
    if (now < this.#windowEnd) return;
    this.#windowEnd = now + this.#intervalMs;
    const hosts = [...this.#hosts];
    const judged = hosts.filter(
      (h) => h.ejectedUntil <= now && h.successes + h.failures >= this.#minRequests,
    );
    const rate = (h: Host) => h.failures / (h.successes + h.failures);
    let ejected = hosts.filter((h) => h.ejectedUntil > now).length;
    // Never every endpoint: with all of them out, calls would fail at once
    // while some of them could still serve (Envoy's panic threshold).
    const cap = Math.min(
      hosts.length - 1,
      Math.max(1, Math.floor((hosts.length * this.#maxEjectionPercent) / 100)),
    );
    const outliers: Host[] = [];
    if (judged.length >= 2) {
      const total = judged.reduce((sum, h) => sum + rate(h), 0);
      for (const h of judged) {
        const peers = (total - rate(h)) / (judged.length - 1);
        if (rate(h) >= this.#failureRate && rate(h) - peers >= this.#peerGap) outliers.push(h);
      }
    }
    outliers.sort((a, b) => rate(b) - rate(a));
    for (const h of outliers) {
      if (ejected >= cap) break;
      h.multiplier++;
      h.ejectedUntil = now + Math.min(this.#maxEjectionMs, this.#baseEjectionMs * h.multiplier);
      ejected++;
    }
    for (const h of hosts) {
      // A whole clean window back in rotation forgives one ejection.
      const clean = h.failures === 0 && h.ejectedUntil + this.#intervalMs <= now;
      if (!outliers.includes(h) && clean && h.multiplier > 0) {
        h.multiplier--;
      }
      h.successes = 0;
      h.failures = 0;
    }
  }
}

function between(name: string, option: string, value: number): number {
  const checked = atLeast(name, option, value, 0);
  if (checked > 1) {
    throw new ClientConfigError(
      'ERR_COURIER_CLIENT_OPTIONS',
      `Courier ${name} option ${option} must be a number in [0, 1], got ${value}`,
    );
  }
  return checked;
}
