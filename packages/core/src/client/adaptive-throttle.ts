import { atLeast } from './check-option.js';

/** Client-side adaptive throttling (Google SRE, "Handling Overload"); see AdaptiveThrottle. */
export interface ThrottleOptions {
  /**
   * How many requests per accepted one the client still sends before it
   * starts rejecting locally; lower throttles sooner. @default 2
   */
  k?: number;
  /** The sliding window the counts cover, in ms. @default 2000 */
  windowMs?: number;
  /**
   * Requests the window must hold before it throttles at all, so a few
   * refusals (one busy instance, a quiet client) only lead to retries
   * elsewhere. @default 10
   */
  minRequests?: number;
}

/** Buckets per window: the window slides in steps of windowMs / BUCKETS. */
const BUCKETS = 20;

/**
 * Client-side adaptive throttling in the manner of Google SRE's "Handling
 * Overload": over a sliding window, the client counts the requests it
 * tried (locally rejected ones included) and the ones the server accepted
 * (any reply but an OVERLOADED refusal; outcomes decided locally, such as
 * a lost peer, count as neither), and rejects a new request locally
 * with probability max(0, (requests - k * accepts) / (requests + 1)).
 * While the server accepts, that is 0; when it refuses most calls, the
 * client sends about k times what it accepts and fails the rest at once,
 * without a round trip and without adding to the server's load.
 *
 * Below `minRequests` in the window it never rejects. The window is 2 s rather than the book's 2 minutes: counted rejections
 * keep the probability up until they leave the window, so a short window
 * is what lets a client serve at full rate soon after the load drops.
 */
export class AdaptiveThrottle {
  readonly #k: number;
  readonly #minRequests: number;
  readonly #bucketMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #requests = new Float64Array(BUCKETS);
  readonly #accepts = new Float64Array(BUCKETS);
  #requestSum = 0;
  #acceptSum = 0;
  /** The bucket index (time / bucketMs) last written. */
  #epoch: number;

  constructor(options: ThrottleOptions, now: () => number, random: () => number) {
    this.#k = atLeast('throttle', 'k', options.k ?? 2, 1);
    this.#minRequests = atLeast('throttle', 'minRequests', options.minRequests ?? 10, 0);
    this.#bucketMs = atLeast('throttle', 'windowMs', options.windowMs ?? 2000, BUCKETS) / BUCKETS;
    this.#now = now;
    this.#random = random;
    this.#epoch = Math.floor(now() / this.#bucketMs);
  }

  /** The chance a request is rejected locally now. */
  get rejectProbability(): number {
    this.#slide();
    if (this.#requestSum < this.#minRequests) return 0;
    return Math.max(0, (this.#requestSum - this.#k * this.#acceptSum) / (this.#requestSum + 1));
  }

  /**
   * Decides a request: true to send it, false to reject it locally (which
   * counts it as a request at once). A sent one is counted by `answered`
   * when its reply comes: counting it at send time would make a burst of
   * calls still in flight look like refusals.
   */
  allow(): boolean {
    const p = this.rejectProbability;
    if (p === 0 || this.#random() >= p) return true;
    this.#count(false);
    return false;
  }

  /** Counts a sent request the server answered: accepted, or refused with OVERLOADED. */
  answered(accepted: boolean): void {
    this.#slide();
    this.#count(accepted);
  }

  #count(accepted: boolean): void {
    const i = this.#epoch % BUCKETS;
    this.#requests[i]!++;
    this.#requestSum++;
    if (accepted) {
      this.#accepts[i]!++;
      this.#acceptSum++;
    }
  }

  /** Empties the buckets that fell out of the window since the last count. */
  #slide(): void {
    const epoch = Math.floor(this.#now() / this.#bucketMs);
    if (epoch === this.#epoch) return;
    const stale = Math.min(BUCKETS, epoch - this.#epoch);
    for (let n = 1; n <= stale; n++) {
      const i = (this.#epoch + n) % BUCKETS;
      this.#requestSum -= this.#requests[i]!;
      this.#acceptSum -= this.#accepts[i]!;
      this.#requests[i] = 0;
      this.#accepts[i] = 0;
    }
    // A clock that went backwards: start over rather than count into the future.
    if (epoch < this.#epoch) {
      this.#requests.fill(0);
      this.#accepts.fill(0);
      this.#requestSum = 0;
      this.#acceptSum = 0;
    }
    this.#epoch = epoch;
  }
}

/** Methods with a throttle each; past this many, the rest share one (a dynamic client may name any method). */
const MAX_THROTTLED_METHODS = 256;

/**
 * One throttle per method of a client: the server sheds per method (each
 * has its own limits), so one overloaded method must not throttle the rest.
 */
export class Throttles {
  readonly #byMethod = new Map<string, AdaptiveThrottle>();
  readonly #make: () => AdaptiveThrottle;
  #shared: AdaptiveThrottle | undefined;

  constructor(options: ThrottleOptions, now: () => number, random: () => number) {
    // Made now, so a bad option fails at createClient(), not at the first call.
    new AdaptiveThrottle(options, now, random);
    this.#make = () => new AdaptiveThrottle(options, now, random);
  }

  for(method: string): AdaptiveThrottle {
    let t = this.#byMethod.get(method);
    if (t === undefined) {
      if (this.#byMethod.size >= MAX_THROTTLED_METHODS) {
        this.#shared ??= this.#make();
        return this.#shared;
      }
      t = this.#make();
      this.#byMethod.set(method, t);
    }
    return t;
  }
}

/** The `details.code` of the local OVERLOADED a throttled call fails with. */
export const THROTTLED = 'ERR_COURIER_THROTTLED';
