import type { ServerLifecycle, ServerStats } from '@courier/core';

interface LiveServer {
  readonly service: string;
  readonly stats: () => ServerStats;
  /** Set by a `draining` event; `stats().draining` is also consulted. */
  draining: boolean;
}

/** Whether the process should receive traffic, and why not. */
export interface Readiness {
  readonly ready: boolean;
  /** `ready`, `no server started`, or `draining: <service>[, ...]`. */
  readonly reason: string;
}

/**
 * The servers in this process that announced themselves on the lifecycle
 * channel, so gauges (in flight, queued, pool) can be read from their
 * `stats()` at scrape time and probes can answer `/readyz`.
 *
 * A server is recognised across events by its `stats` callback, which core
 * passes unchanged in each of a server's events; if a server passed a fresh
 * one, the first server of the same service is taken instead.
 */
export class LiveServers {
  readonly #servers = new Map<() => ServerStats, LiveServer>();
  /** Called with each newly started server, e.g. to create its series up front. */
  readonly #onStarted: (server: ServerStats) => void;

  constructor(onStarted: (server: ServerStats) => void = () => {}) {
    this.#onStarted = onStarted;
  }

  readonly onLifecycle = (message: unknown): void => {
    const { event, service, stats } = message as ServerLifecycle;
    if (typeof stats !== 'function') return;
    switch (event) {
      case 'started': {
        // Two replicas of one service may run in one process: a start is always a new server.
        this.#servers.set(stats, { service, stats, draining: false });
        const snapshot = this.#poll(stats);
        if (snapshot !== undefined) this.#onStarted(snapshot);
        return;
      }
      case 'draining': {
        const known = this.#find(service, stats);
        // A server that started before we subscribed is learnt here.
        if (known === undefined) this.#servers.set(stats, { service, stats, draining: true });
        else known.draining = true;
        return;
      }
      case 'stopped': {
        const known = this.#find(service, stats);
        if (known !== undefined) this.#servers.delete(known.stats);
        return;
      }
    }
  };

  /** The current stats of every live server; a server whose `stats()` throws is skipped. */
  *stats(): IterableIterator<ServerStats> {
    for (const server of this.#servers.values()) {
      const snapshot = this.#poll(server.stats);
      if (snapshot !== undefined) yield snapshot;
    }
  }

  /** Ready while at least one server is started and none is draining. */
  readiness(): Readiness {
    if (this.#servers.size === 0) return { ready: false, reason: 'no server started' };
    const draining: string[] = [];
    for (const server of this.#servers.values()) {
      if (server.draining || this.#poll(server.stats)?.draining === true) draining.push(server.service);
    }
    return draining.length === 0
      ? { ready: true, reason: 'ready' }
      : { ready: false, reason: `draining: ${draining.join(', ')}` };
  }

  #find(service: string, stats: () => ServerStats): LiveServer | undefined {
    const exact = this.#servers.get(stats);
    if (exact !== undefined) return exact;
    for (const server of this.#servers.values()) if (server.service === service) return server;
    return undefined;
  }

  #poll(stats: () => ServerStats): ServerStats | undefined {
    try {
      return stats();
    } catch {
      return undefined;
    }
  }
}
