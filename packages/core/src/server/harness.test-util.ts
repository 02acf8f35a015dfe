// Test support for the server's tests (not part of the package's API): a
// served definition, a raw TransportClient (so tests see statuses, details
// and local-vs-remote outcomes exactly), captured logs and request-end events.
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  type AbortReason,
  type IncomingRequest,
  type Metadata,
  msgpack,
  type OutgoingReply,
  type Reply,
  statusName,
  TransportClient,
} from '@courier/transport';
import { pino } from 'pino';
import type { AnyService } from '../definition.js';
import { CoreChannels, type ServerRequestEnd } from '../diagnostics.js';
import type { ServeOptions } from './options.js';
import { serve } from './serve.js';
import type { Server } from './server.js';

export interface Outcome {
  readonly status: string;
  readonly message: string | undefined;
  readonly details: unknown;
  readonly value: unknown;
  /** Decided by the client (its deadline, cancel), not sent by the server. */
  readonly local: boolean;
}

export interface CallOpts {
  deadlineMs?: number;
  signal?: AbortSignal;
  meta?: Record<string, string>;
  /** Raw body frames instead of the MessagePack of `input`. */
  body?: Buffer[];
  contentType?: string;
}

export interface Harness<TService extends AnyService> extends AsyncDisposable {
  readonly server: Server<TService>;
  readonly client: TransportClient;
  /** Log records the server wrote (parsed pino JSON lines). */
  readonly logs: Array<Record<string, unknown>>;
  /** serverRequestEnd events of this server. */
  readonly ends: ServerRequestEnd[];
  call(method: string, input?: unknown, opts?: CallOpts): Promise<Outcome>;
}

export async function startHarness<TService extends AnyService>(
  definition: TService,
  options: Partial<ServeOptions<TService>> = {},
): Promise<Harness<TService>> {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const ends: ServerRequestEnd[] = [];
  const onEnd = (message: unknown): void => {
    const end = message as ServerRequestEnd;
    if (end.service === definition.name) ends.push(end);
  };
  diagnosticsChannel.subscribe(CoreChannels.serverRequestEnd, onEnd);
  const server = await serve(definition, {
    bind: `inproc://courier-server-test-${randomBytes(6).toString('hex')}`,
    logger,
    // Short heartbeats keep teardown quick; a generous liveness keeps a
    // loaded test machine from declaring peers dead mid-test.
    heartbeatIntervalMs: 50,
    heartbeatLiveness: 20,
    ...options,
    gracefulShutdown: { signals: false, graceMs: 0, ...options.gracefulShutdown },
  } as ServeOptions<TService>);
  const client = new TransportClient({
    connect: server.endpoints[0]!,
    heartbeatIntervalMs: 50,
    heartbeatLiveness: 20,
  });
  return {
    server,
    client,
    logs,
    ends,
    async call(method, input, opts = {}) {
      const reply = await client.request({
        method: `${definition.name}.${method}`,
        body: opts.body ?? (input === undefined ? [] : [msgpack.pack(input)]),
        contentType: opts.contentType,
        deadlineMs: opts.deadlineMs ?? 5000,
        signal: opts.signal,
        meta: opts.meta,
      });
      return outcome(reply);
    },
    async [Symbol.asyncDispose]() {
      try {
        await client.close();
        await server.close();
      } finally {
        diagnosticsChannel.unsubscribe(CoreChannels.serverRequestEnd, onEnd);
      }
    },
  };
}

export function outcome(reply: Reply): Outcome {
  return {
    status: statusName(reply.status) ?? String(reply.status),
    message: reply.message,
    details: reply.details,
    value: reply.body.length > 0 ? msgpack.unpack(reply.body[0]!) : undefined,
    local: reply.local,
  };
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** An IncomingRequest as the transport makes it, counting replies. */
export class FakeRequest implements IncomingRequest {
  readonly id: number;
  readonly method: string;
  readonly deadlineMs: number;
  readonly meta: Metadata | undefined = undefined;
  readonly contentType: string | undefined = undefined;
  body: Buffer[];
  readonly receivedAt = performance.now();
  readonly peer = 'fa4e';
  abortReason: AbortReason | undefined;
  replies: OutgoingReply[] = [];
  #controller: AbortController | undefined;

  constructor(id: number, method: string, input: unknown, deadlineMs = 0) {
    this.id = id;
    this.method = method;
    this.deadlineMs = deadlineMs;
    this.body = [msgpack.pack(input)];
  }

  get replied(): boolean {
    return this.replies.length > 0;
  }

  /** Whether anyone asked for `signal` (it costs an AbortController in the real transport). */
  get signalCreated(): boolean {
    return this.#controller !== undefined;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  takeBody(): Buffer[] {
    const body = this.body;
    this.body = [];
    return body;
  }

  reply(reply: OutgoingReply): boolean {
    this.replies.push(reply);
    return this.replies.length === 1 && this.abortReason === undefined;
  }

  abort(reason: AbortReason): void {
    if (this.abortReason !== undefined || this.replied) return;
    this.abortReason = reason;
    this.#controller?.abort(Object.assign(new Error(`aborted: ${reason}`), { name: 'AbortError', reason }));
  }
}
