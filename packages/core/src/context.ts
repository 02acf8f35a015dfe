import type { CallerIdentity, Metadata } from '@courier/transport';
import type { Logger } from 'pino';
import type { Criticality } from './criticality.js';

/** Per-call options; every field is optional. */
export interface CallOptions {
  /** How long to wait for the reply, in ms. @default the client's default (5000) */
  deadlineMs?: number;
  /**
   * An absolute deadline as a `performance.now()` timestamp (e.g. a handler's
   * `ctx.deadline`); when `deadlineMs` is given too, the earlier one wins.
   */
  deadline?: number;
  /** Aborting cancels the call (the server's handler sees its signal abort). */
  signal?: AbortSignal;
  /** Extra metadata sent with the call (e.g. trace context). */
  meta?: Metadata;
  /**
   * How much the call matters to an overloaded server, which sheds
   * `sheddable` calls first and `critical` ones last; sent as the metadata
   * key `criticality`. A handler's `ctx.client()` passes its own request's
   * on. @default 'default'
   */
  criticality?: Criticality;
}

/**
 * Anything that can make calls on behalf of a request: a client, or a view of
 * one. `withDefaults` returns a view whose calls start from the given options
 * (a call's own options still win where stricter).
 */
export interface Scopable<TSelf> {
  withDefaults(defaults: CallOptions): TSelf;
}

/** What a handler gets besides its input. */
export interface Context {
  readonly service: string;
  readonly method: string;
  /** The request's deadline as a `performance.now()` timestamp. */
  readonly deadline: number;
  /** Milliseconds left before the deadline; 0 once it has passed. */
  remainingMs(): number;
  /** Aborts when the deadline passes, the caller cancels, or the caller is lost. */
  readonly signal: AbortSignal;
  /** The caller's metadata (trace context, caller identity, ...). */
  readonly meta: Readonly<Metadata>;
  /** W3C traceparent of this request (a new trace when the caller sent none). */
  readonly traceparent: string;
  /** The calling service's name, when the caller said (unauthenticated: see `identity`). */
  readonly caller: string | undefined;
  /**
   * Who the caller authenticated as on a server with `security`: its CURVE
   * public key and the user id `allow` mapped it to. Undefined in plaintext.
   */
  readonly identity: CallerIdentity | undefined;
  /** A pino child logger bound to this request (service, method, trace id). */
  readonly log: Logger;
  /**
   * A view of another service's client whose calls carry this request's
   * remaining deadline, its cancellation and its trace context.
   *
   * @example
   * const track = await ctx.client(metadata).get({ id });
   */
  client<TClient extends Scopable<TClient>>(client: TClient): TClient;
}
