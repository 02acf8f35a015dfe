import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Diagnostics channels published by @courier/core. Observers such as
 * @courier/metrics subscribe from outside; with no subscriber a publish costs
 * one property check, so the hot path carries no metrics code. The names and
 * payloads are public API.
 *
 * Method labels are bounded: `method` is a name from the service definition,
 * or `unknown` for anything else, so callers cannot create label values.
 */
export const CoreChannels = {
  /** A server started or stopped. Payload: ServerLifecycle. Observers poll `stats()` at scrape time. */
  serverLifecycle: 'courier:server:lifecycle',
  /** A request finished on the server (replied, whatever the status). Payload: ServerRequestEnd. */
  serverRequestEnd: 'courier:server:request-end',
  /** A client call finished. Payload: ClientCallEnd. */
  clientCallEnd: 'courier:client:call-end',
  /** A client retried a call. Payload: ClientRetry. */
  clientRetry: 'courier:client:retry',
  /** A client's endpoint changed state. Payload: ClientEndpointState. */
  clientEndpoint: 'courier:client:endpoint',
  /** A worker-pool task finished. Payload: PoolTaskEnd. */
  poolTaskEnd: 'courier:pool:task-end',
} as const;

/** What a server reports about itself, read by observers at scrape time. */
export interface ServerStats {
  readonly service: string;
  readonly draining: boolean;
  readonly methods: ReadonlyArray<{
    readonly method: string;
    readonly inflight: number;
    readonly queued: number;
  }>;
  /** Worker pool state, when the service has compute methods. */
  readonly pool?: { readonly threads: number; readonly busy: number; readonly queued: number };
}

export interface ServerLifecycle {
  readonly event: 'started' | 'draining' | 'stopped';
  readonly service: string;
  /** Reads the server's state; the same function in every event of one server. */
  readonly stats: () => ServerStats;
}

export interface ServerRequestEnd {
  readonly service: string;
  readonly method: string;
  /** Status name, e.g. OK, BAD_REQUEST, OVERLOADED. */
  readonly status: string;
  /** From arrival to reply, in seconds. */
  readonly durationSeconds: number;
  /** True when the request was refused before running: shed (OVERLOADED) or expired while queued. */
  readonly refused: boolean;
}

export interface ClientCallEnd {
  readonly service: string;
  readonly method: string;
  readonly status: string;
  readonly durationSeconds: number;
  readonly attempts: number;
  // Optional in the type only, for publishers other than Courier's client
  // (tests, older versions); Courier's client always sets all three.
  /** This process's id of the call (as `callInfo(err).callId`). */
  readonly callId?: number;
  /** The endpoint of the last attempt; undefined when none was tried. */
  readonly endpoint?: string | undefined;
  /** The outcome was decided by the client, not sent by a server. */
  readonly local?: boolean;
}

export interface ClientRetry {
  readonly service: string;
  readonly method: string;
  /** The status of the attempt that failed, e.g. UNAVAILABLE. */
  readonly reason: string;
  // Optional in the type only, as in ClientCallEnd.
  /** The call's id, as in its call-end event. */
  readonly callId?: number;
  /** The endpoint of the attempt that failed, so an observer can tell which instance a call left. */
  readonly endpoint?: string;
}

export interface ClientEndpointState {
  readonly service: string;
  readonly endpoint: string;
  /**
   * connecting, alive, draining, dead (the transport's view); ejected (circuit
   * open), half-open (one probe allowed); removed (gone from discovery);
   * closed (the client closed).
   */
  readonly state: string;
}

export interface PoolTaskEnd {
  readonly service: string;
  readonly method: string;
  readonly status: string;
  readonly durationSeconds: number;
}

export const serverLifecycleChannel = diagnosticsChannel.channel(CoreChannels.serverLifecycle);
export const serverRequestEndChannel = diagnosticsChannel.channel(CoreChannels.serverRequestEnd);
export const clientCallEndChannel = diagnosticsChannel.channel(CoreChannels.clientCallEnd);
export const clientRetryChannel = diagnosticsChannel.channel(CoreChannels.clientRetry);
export const clientEndpointChannel = diagnosticsChannel.channel(CoreChannels.clientEndpoint);
export const poolTaskEndChannel = diagnosticsChannel.channel(CoreChannels.poolTaskEnd);
