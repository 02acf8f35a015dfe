/**
 * Liveness of one peer, judged by the peer's own advertised heartbeat
 * interval (see docs/protocol.md, "Heartbeats"): any traffic counts, and the
 * peer is dead once `liveness` of its intervals pass in silence.
 */
export class Liveness {
  #lastSeen: number;
  #peerIntervalMs: number;
  #missed = 0;
  readonly #liveness: number;
  readonly #maxPeerIntervalMs: number;

  constructor(
    now: number,
    ownIntervalMs: number,
    liveness: number,
    maxPeerIntervalMs = Number.POSITIVE_INFINITY,
  ) {
    this.#lastSeen = now;
    // Never below our own interval: a peer using our default must stay alive.
    this.#maxPeerIntervalMs = Math.max(maxPeerIntervalMs, ownIntervalMs);
    // Until the peer's first HEARTBEAT says otherwise, assume it uses our interval.
    this.#peerIntervalMs = ownIntervalMs;
    this.#liveness = liveness;
  }

  get peerIntervalMs(): number {
    return this.#peerIntervalMs;
  }

  /** The longest silence tolerated before the peer is dead, in ms. */
  get timeoutMs(): number {
    return this.#liveness * this.#peerIntervalMs;
  }

  /** Records traffic from the peer. */
  seen(now: number): void {
    this.#lastSeen = now;
    this.#missed = 0;
  }

  /** Records the interval the peer advertised in a HEARTBEAT, clamped to the maximum. */
  advertise(intervalMs: number): void {
    this.#peerIntervalMs = Math.min(intervalMs, this.#maxPeerIntervalMs);
  }

  /**
   * Checks the silence so far. Returns how many intervals were newly missed
   * since the last check, and whether the peer is now dead.
   */
  check(now: number): { newlyMissed: number; dead: boolean } {
    const silence = now - this.#lastSeen;
    const missed = Math.floor(silence / this.#peerIntervalMs);
    const newlyMissed = Math.max(0, missed - this.#missed);
    this.#missed = Math.max(this.#missed, missed);
    return { newlyMissed, dead: silence > this.timeoutMs };
  }
}
