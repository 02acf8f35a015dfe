import { decodeBody, encodeBody, errorFromStatus } from '@courier/core';
import { type ClientSecurityOptions, type Reply, Status, TransportClient } from '@courier/transport';

/** Heartbeats tuned for a command-line tool: an unreachable endpoint is reported within about a second. */
const CLI_HEARTBEAT_MS = 250;

/**
 * A connection to one endpoint, speaking the protocol directly: the CLI needs
 * no service definition, only `service.method` names.
 */
export class Connection {
  readonly endpoint: string;
  readonly #client: TransportClient;

  constructor(endpoint: string, security?: ClientSecurityOptions) {
    this.endpoint = endpoint;
    this.#client = new TransportClient({
      connect: endpoint,
      heartbeatIntervalMs: CLI_HEARTBEAT_MS,
      heartbeatLiveness: 3,
      reconnectMaxIntervalMs: 500,
      ...(security !== undefined && { security }),
    });
  }

  /** The transport client, for callers that encode bodies themselves (bench). */
  get transport(): TransportClient {
    return this.#client;
  }

  /** Calls a method and returns its decoded result; failures throw typed CourierErrors. */
  async call(method: string, input: unknown, deadlineMs: number): Promise<unknown> {
    const reply = await this.#client.request({ method, body: encodeBody(input), deadlineMs });
    return unwrap(reply);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The decoded body of an OK reply, or the typed error for any other status. */
export function unwrap(reply: Reply): unknown {
  if (reply.status === Status.OK) return decodeBody(reply.body, reply.contentType);
  throw errorFromStatus(reply.status, reply.message, reply.details);
}
