import { yieldToLoop } from './yield.js';

/** Anything that receives whole ZeroMQ messages (every zeromq.js readable socket). */
export interface Receiver {
  receive(): Promise<Buffer[]>;
}

/** Messages handled back to back before the loop lets timers and I/O run. */
const YIELD_EVERY = 64;

/**
 * Reads messages until `closed()` says stop, handing each to `onMessage`
 * (awaited when it returns a promise, so a slow consumer slows the reading).
 * Never throws: a failed receive is retried, and an exception from
 * `onMessage` becomes a process warning, because one bad message or one bug
 * must not stop the loop that serves every peer.
 */
export async function receiveLoop(
  sock: Receiver,
  closed: () => boolean,
  onMessage: (msg: Buffer[]) => void | Promise<void>,
): Promise<void> {
  let sinceYield = 0;
  while (!closed()) {
    let msg: Buffer[];
    try {
      msg = await sock.receive();
    } catch (err) {
      if (closed()) return;
      // EAGAIN and friends: nothing was received; keep going.
      if ((err as { code?: string }).code !== 'EAGAIN') await yieldToLoop();
      continue;
    }
    try {
      const pending = onMessage(msg);
      if (pending !== undefined) await pending;
    } catch (err) {
      process.emitWarning(err as Error);
    }
    // receive() resolves synchronously while messages are queued; yield now
    // and then so timers (heartbeats, deadlines) still run under a flood.
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
}
