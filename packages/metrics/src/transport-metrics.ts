import {
  type BytesTransferred,
  type DroppedMessage,
  type HeartbeatMissed,
  type PeerStateChange,
  TransportChannels,
} from '@courier/transport';
import { collectedCounter, collectedGauge } from './collected.js';
import type { GroupContext } from './context.js';
import { LabelGuard } from './label-guard.js';
import { MetricNames } from './names.js';
import { SeriesTable, Tally } from './series-table.js';
import type { Subscription } from './subscriptions.js';

const SIDES = ['server', 'client'] as const;

/** A peer counts as connected while it can carry requests (a draining server still answers). */
function isConnected(state: string): boolean {
  return state === 'alive' || state === 'draining';
}

/**
 * Transport metrics, per side (a process can be both a server and a client):
 * connected peers, missed heartbeats, dropped messages by reason, and bytes
 * received and sent.
 */
export class TransportMetrics {
  /** side → peer → how many sockets of this process hold a connection to it. */
  readonly #peers = new Map<string, Map<string, number>>();
  readonly #missed: Tally;
  readonly #dropped: SeriesTable<{ count: number }>;
  readonly #received: Tally;
  readonly #sent: Tally;

  constructor({ registry, maxLabelValues }: GroupContext) {
    const sideGuard = new LabelGuard(maxLabelValues);
    this.#missed = new Tally(sideGuard);
    this.#received = new Tally(sideGuard);
    this.#sent = new Tally(sideGuard);
    const dropped = new SeriesTable(() => ({ count: 0 }), maxLabelValues);
    this.#dropped = dropped;

    collectedGauge(
      registry,
      {
        name: MetricNames.transportPeers,
        help: 'Peers connected now: clients connected to this process\'s servers (side="server"), servers this process\'s clients are connected to (side="client").',
        labelNames: ['side'],
      },
      (emit) => {
        for (const side of SIDES) emit({ side }, 0);
        for (const [side, peers] of this.#peers) {
          let connected = 0;
          for (const sockets of peers.values()) connected += sockets;
          emit({ side: sideGuard.admit(side) }, connected);
        }
      },
    );
    const tallied = (tally: Tally) => (emit: (labels: { side: string }, value: number) => void) => {
      for (const side of SIDES) emit({ side }, 0);
      for (const [side, count] of tally) emit({ side }, count);
    };
    collectedCounter(
      registry,
      {
        name: MetricNames.transportHeartbeatsMissed,
        help: 'Heartbeat intervals that passed without any traffic from a peer.',
        labelNames: ['side'],
      },
      tallied(this.#missed),
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.transportDropped,
        help: 'Messages dropped or refused, by reason: a decode error code for malformed input (NOT_COURIER, MALFORMED_ENVELOPE, ...), DUPLICATE_ID, UNEXPECTED_COMMAND, SEND_FAILED, UNROUTABLE, SERVER_REJECTED (client: a REPLY with id 0), or INVALID_REPLY / REPLY_TOO_LARGE (server: a reply replaced by an error for breaking protocol limits).',
        labelNames: ['side', 'reason'],
      },
      (emit) => {
        for (const [side, reason, series] of dropped) emit({ side, reason }, series.count);
      },
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.transportReceivedBytes,
        help: 'Bytes received in Courier messages (all frames but the routing id).',
        labelNames: ['side'],
      },
      tallied(this.#received),
    );
    collectedCounter(
      registry,
      {
        name: MetricNames.transportSentBytes,
        help: 'Bytes sent in Courier messages (all frames but the routing id).',
        labelNames: ['side'],
      },
      tallied(this.#sent),
    );
  }

  readonly onBytes = (message: unknown): void => {
    const { side, direction, bytes } = message as BytesTransferred;
    if (!(bytes >= 0)) return;
    (direction === 'in' ? this.#received : this.#sent).add(side, bytes);
  };

  readonly onDropped = (message: unknown): void => {
    const { side, reason } = message as DroppedMessage;
    this.#dropped.get(side, reason).count++;
  };

  readonly onHeartbeatMissed = (message: unknown): void => {
    this.#missed.add((message as HeartbeatMissed).side);
  };

  readonly onPeer = (message: unknown): void => {
    const { side, peer, from, to } = message as PeerStateChange;
    const was = isConnected(from);
    const is = isConnected(to);
    if (was === is) return;
    let peers = this.#peers.get(side);
    if (peers === undefined) {
      peers = new Map();
      this.#peers.set(side, peers);
    }
    const sockets = peers.get(peer) ?? 0;
    if (is) peers.set(peer, sockets + 1);
    else if (sockets > 1) peers.set(peer, sockets - 1);
    // A peer that connected before we subscribed was never counted: nothing to take away.
    else peers.delete(peer);
  };

  get subscriptions(): Subscription[] {
    return [
      [TransportChannels.bytes, this.onBytes],
      [TransportChannels.dropped, this.onDropped],
      [TransportChannels.heartbeatMissed, this.onHeartbeatMissed],
      [TransportChannels.peer, this.onPeer],
    ];
  }
}
