import type * as zmq from 'zeromq';
import { TransportError } from './errors.js';

/**
 * Binds `sock` to every endpoint, in order, and returns them with wildcard
 * ports resolved (`tcp://host:*` becomes the port libzmq chose). On the first
 * failure the socket is closed and ERR_COURIER_BIND_FAILED thrown.
 */
export async function bindAll(sock: zmq.Socket, endpoints: readonly string[]): Promise<string[]> {
  const bound: string[] = [];
  for (const endpoint of endpoints) {
    try {
      await sock.bind(endpoint);
    } catch (cause) {
      sock.close();
      const message = `cannot bind ${endpoint}: ${(cause as Error).message}`;
      throw new TransportError('ERR_COURIER_BIND_FAILED', message, { cause });
    }
    bound.push(sock.lastEndpoint ?? endpoint);
  }
  return bound;
}
