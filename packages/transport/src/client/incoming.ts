import { performance } from 'node:perf_hooks';
import { droppedChannel } from '../diagnostics.js';
import { Command, MESSAGE_LEVEL_ID, Status } from '../protocol/constants.js';
import type { DecodeError } from '../protocol/decode-error.js';
import type { ReplyPacket } from '../protocol/envelope.js';
import { WarningThrottle } from '../warning-throttle.js';
import type { PendingTable } from './pending.js';
import { localReply } from './request-reply.js';

/** At most one warning per this long about message-level errors from the server. */
const REJECTED_WARNING_INTERVAL_MS = 10_000;

/**
 * What the server sends back for requests: a REPLY settles its pending
 * call; an unreadable one still does when its id is known.
 */
export class IncomingReplies {
  readonly #endpoint: string;
  readonly #pending: PendingTable;
  readonly #rejectedWarnings = new WarningThrottle(REJECTED_WARNING_INTERVAL_MS);

  constructor(endpoint: string, pending: PendingTable) {
    this.#endpoint = endpoint;
    this.#pending = pending;
  }

  /** A client never answers bad input: it counts it and drops it. */
  onDecodeError(error: DecodeError): void {
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'client', reason: error.code });
    // A REPLY we cannot read but whose id we can is still that request's one
    // answer: waiting for the deadline would only hide the failure. Other
    // commands are never the answer (an unknown one may be a newer revision's
    // message about a request still running).
    if (error.command === Command.REPLY && error.id !== MESSAGE_LEVEL_ID) {
      this.#pending.settle(error.id, {
        ...localReply(Status.INTERNAL, `malformed reply from server: ${error.code}`),
        details: { code: error.code },
      });
    }
  }

  onReply(packet: ReplyPacket): void {
    if (packet.id === MESSAGE_LEVEL_ID) {
      // A message-level error from the server: our own bug or a version
      // mismatch. Nothing to settle; make it visible, but not once per
      // message, or a misbehaving server floods the log.
      if (droppedChannel.hasSubscribers)
        droppedChannel.publish({ side: 'client', reason: 'SERVER_REJECTED' });
      const suppressed = this.#rejectedWarnings.take(performance.now());
      if (suppressed !== undefined) {
        const more = suppressed > 0 ? ` (${suppressed} more such errors since the last warning)` : '';
        process.emitWarning(
          `Courier server ${this.#endpoint} rejected a message: ${packet.status} ${packet.message ?? ''}${more}`,
        );
      }
      return;
    }
    this.#pending.settle(packet.id, {
      status: packet.status,
      message: packet.message,
      details: packet.details,
      meta: packet.meta,
      contentType: packet.contentType,
      body: packet.body,
      local: false,
    });
  }
}
