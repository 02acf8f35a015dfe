import { performance } from 'node:perf_hooks';
import type { BatchWriter } from '../batch-writer.js';
import { heartbeatMissedChannel } from '../diagnostics.js';
import { Liveness } from '../heartbeat.js';
import type { ResolvedSocketOptions } from '../options.js';
import { Command } from '../protocol/constants.js';
import { encodeEnvelope } from '../protocol/encode.js';

export interface HeartbeatOptions {
  readonly opts: ResolvedSocketOptions;
  readonly writer: BatchWriter;
  /** The server's endpoint, naming it in diagnostics. */
  readonly endpoint: string;
  /** Whether the server is already known to be dead (no second declaration). */
  readonly isDead: () => boolean;
  /** The server was silent past its liveness window. */
  readonly onDead: (message: string) => void;
}

/**
 * The client's side of heartbeat liveness (docs/protocol.md 9): when the
 * server was last heard, when we last sent, and the tick that heartbeats
 * after a quiet interval and declares a silent server dead.
 */
export class Heartbeats {
  readonly #o: HeartbeatOptions;
  readonly #liveness: Liveness;
  readonly #timer: NodeJS.Timeout;
  #lastSent = 0;

  /** Introduces us with the first HEARTBEAT (the server answers with its own) and starts ticking. */
  constructor(options: HeartbeatOptions) {
    this.#o = options;
    const { opts } = options;
    const now = performance.now();
    this.#liveness = new Liveness(
      now,
      opts.heartbeatIntervalMs,
      opts.heartbeatLiveness,
      opts.maxPeerHeartbeatIntervalMs,
    );
    this.#send(now);
    this.#timer = setInterval(this.#tick, opts.heartbeatIntervalMs);
    this.#timer.unref();
  }

  /** How long the server may stay silent, in ms. */
  get timeoutMs(): number {
    return this.#liveness.timeoutMs;
  }

  /** Traffic from the server at `now`. */
  seen(now: number): void {
    this.#liveness.seen(now);
  }

  /** The server's advertised heartbeat interval. */
  advertise(intervalMs: number): void {
    this.#liveness.advertise(intervalMs);
  }

  /** Something was sent at `now`: any traffic counts as a heartbeat. */
  sent(now: number): void {
    this.#lastSent = now;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #send(now: number): void {
    const { opts } = this.#o;
    this.#lastSent = now;
    this.#o.writer.enqueue(
      '',
      undefined,
      encodeEnvelope({
        cmd: Command.HEARTBEAT,
        intervalMs: opts.heartbeatIntervalMs,
        liveness: opts.heartbeatLiveness,
        draining: false,
      }),
    );
  }

  readonly #tick = (): void => {
    const now = performance.now();
    const { newlyMissed, dead } = this.#liveness.check(now);
    const { endpoint } = this.#o;
    if (newlyMissed > 0 && heartbeatMissedChannel.hasSubscribers) {
      for (let i = 0; i < newlyMissed; i++) {
        heartbeatMissedChannel.publish({ side: 'client', peer: endpoint });
      }
    }
    if (dead && !this.#o.isDead()) {
      this.#o.onDead(`${endpoint} stopped answering (no traffic for ${this.#liveness.timeoutMs} ms)`);
    }
    // Keep heartbeating while dead too: it is how a restarted server finds us.
    if (now - this.#lastSent >= this.#o.opts.heartbeatIntervalMs * 0.9) this.#send(now);
  };
}
