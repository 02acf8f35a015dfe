import diagnosticsChannel from 'node:diagnostics_channel';
import { type BytesTransferred, TransportChannels } from '@courier/transport';

/** ZeroMQ messages a process received and sent over a window. */
export interface MessageCounts {
  messagesIn: number;
  messagesOut: number;
}

/**
 * Counts this process's transport messages between `start()` and `stop()`,
 * from the transport's `bytes` diagnostics channel (one event per ZeroMQ
 * message). Divided into the calls handled over the same window, it gives
 * how many requests and replies each message carried: how well batching
 * worked. Subscribed only while counting, so it costs nothing otherwise.
 *
 * @example
 * const counter = new MessageCounter();
 * counter.start();
 * await work();
 * counter.stop(); // { messagesIn, messagesOut }
 */
export class MessageCounter {
  #in = 0;
  #out = 0;
  #subscribed = false;

  readonly #onBytes = (message: unknown): void => {
    if ((message as BytesTransferred).direction === 'in') this.#in++;
    else this.#out++;
  };

  start(): void {
    this.#in = 0;
    this.#out = 0;
    if (!this.#subscribed) diagnosticsChannel.subscribe(TransportChannels.bytes, this.#onBytes);
    this.#subscribed = true;
  }

  stop(): MessageCounts {
    if (this.#subscribed) diagnosticsChannel.unsubscribe(TransportChannels.bytes, this.#onBytes);
    this.#subscribed = false;
    return { messagesIn: this.#in, messagesOut: this.#out };
  }
}
