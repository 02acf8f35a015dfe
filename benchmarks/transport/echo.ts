/**
 * The two echo implementations the transport benchmark compares, behind one
 * small interface so the client and server processes treat them alike.
 */

/** `courier`: @courier/transport. `raw`: hand-written zeromq.js DEALER/ROUTER with batching. */
export type Impl = 'courier' | 'raw';
export const IMPLS: readonly Impl[] = ['courier', 'raw'];

export function parseImpl(value: string | undefined): Impl {
  if (value === 'courier' || value === 'raw') return value;
  throw new Error(`unknown implementation ${JSON.stringify(value)}; expected one of ${IMPLS.join(', ')}`);
}

/** A server that answers every request with its own body. */
export interface EchoServer {
  /** The bound endpoint, with the port libzmq chose. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A client with any number of echo requests in flight. */
export interface EchoClient {
  /** Sends `body`; resolves with the echoed body, rejects on an error reply. */
  echo(body: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}
