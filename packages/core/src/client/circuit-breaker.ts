import { atLeast } from './check-option.js';
/** Ejects an endpoint that keeps failing, and probes it before taking it back. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failures that eject the endpoint: INTERNAL, DEADLINE_EXCEEDED,
   * and UNAVAILABLE when the client decided it (the endpoint died with the
   * call in flight), not when the server sent it (it is draining). @default 5
   */
  failureThreshold?: number;
  /** How long the first ejection lasts, in ms; each failed probe doubles it. @default 1000 */
  cooldownMs?: number;
  /** The longest an ejection lasts, in ms. @default 30000 */
  maxCooldownMs?: number;
}

/** closed: calls flow; open: ejected until the cooldown ends; half-open: one probe call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** What an attempt's outcome says about the endpoint's health. */
export type Verdict = 'success' | 'failure' | 'neutral';

/**
 * A per-endpoint circuit breaker. Time is read from `now` (lazily, when the
 * balancer asks), so the breaker needs no timers and tests can drive it.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #baseCooldownMs: number;
  readonly #maxCooldownMs: number;
  readonly #now: () => number;
  readonly #onChange: (state: BreakerState) => void;
  #state: BreakerState = 'closed';
  #failures = 0;
  #cooldownMs: number;
  #openUntil = 0;
  #probing = false;

  constructor(options: CircuitBreakerOptions, now: () => number, onChange: (state: BreakerState) => void) {
    this.#threshold = atLeast('circuit breaker', 'failureThreshold', options.failureThreshold ?? 5, 1);
    this.#baseCooldownMs = atLeast('circuit breaker', 'cooldownMs', options.cooldownMs ?? 1000, 0);
    this.#maxCooldownMs = atLeast(
      'circuit breaker',
      'maxCooldownMs',
      options.maxCooldownMs ?? 30_000,
      this.#baseCooldownMs,
    );
    this.#cooldownMs = this.#baseCooldownMs;
    this.#now = now;
    this.#onChange = onChange;
  }

  /** The current state; an open breaker whose cooldown has passed turns half-open here. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() >= this.#openUntil) this.#set('half-open');
    return this.#state;
  }

  /** Whether a call may be sent now: always when closed, never when open, one probe when half-open. */
  get allows(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.#probing);
  }

  /**
   * Records that a call is being sent; returns whether it is the half-open
   * probe, whose outcome alone decides the breaker's next state.
   */
  begin(): boolean {
    if (this.state !== 'half-open' || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** Records a call's outcome. Late outcomes of calls sent before an ejection are ignored. */
  end(verdict: Verdict, probe: boolean): void {
    if (probe) {
      this.#probing = false;
      if (verdict === 'success') this.#close();
      else if (verdict === 'failure') {
        this.#cooldownMs = Math.min(this.#maxCooldownMs, this.#cooldownMs * 2);
        this.#open();
      }
      return;
    }
    if (this.#state !== 'closed') return;
    if (verdict === 'success') this.#failures = 0;
    else if (verdict === 'failure' && ++this.#failures >= this.#threshold) this.#open();
  }

  #open(): void {
    this.#openUntil = this.#now() + this.#cooldownMs;
    this.#set('open');
  }

  #close(): void {
    this.#failures = 0;
    this.#cooldownMs = this.#baseCooldownMs;
    this.#set('closed');
  }

  #set(state: BreakerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onChange(state);
  }
}
