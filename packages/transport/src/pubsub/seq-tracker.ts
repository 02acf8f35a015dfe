/**
 * Lost events seen by a subscriber: the publisher's sequence number jumped
 * past the next one expected on a topic.
 */
export interface EventGap {
  /** The endpoint the events came from (one endpoint = one publisher). */
  readonly endpoint: string;
  readonly topic: string;
  /** The sequence number that should have come next. */
  readonly expected: number;
  /** The sequence number that came instead. */
  readonly received: number;
  /** How many events were lost here (a lower bound when the publisher restarted). */
  readonly lost: number;
}

/**
 * Follows the sequence numbers of one publisher, per topic, and reports the
 * events that never arrived.
 *
 * Publishers number each topic 1, 2, 3, ... from their start. The first
 * event seen on a topic sets the baseline: what was published before we
 * subscribed was never ours to lose. A number at or below the last one seen
 * means the publisher restarted; the numbers before it in the new run were
 * published while we were reconnecting, so they count as lost.
 */
export class SeqTracker {
  readonly #endpoint: string;
  readonly #last = new Map<string, number>();

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  /** Records `seq` on `topic`; returns the gap it reveals, if any. */
  observe(topic: string, seq: number): EventGap | undefined {
    const last = this.#last.get(topic);
    this.#last.set(topic, seq);
    if (last === undefined || seq === last + 1) return undefined;
    const expected = seq > last ? last + 1 : 1;
    if (seq === expected) return undefined;
    return { endpoint: this.#endpoint, topic, expected, received: seq, lost: seq - expected };
  }

  /** Forgets a topic, so events missed while unsubscribed are not reported as lost. */
  forget(topic: string): void {
    this.#last.delete(topic);
  }
}
