import type { SrvRecord } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import type { Discovery } from './discovery.js';

export interface DnsSrvOptions {
  /** How often to resolve again, in ms (a Kubernetes DNS TTL is 30 s; pods come and go faster). @default 10000 */
  refreshMs?: number;
  /** The resolver to ask; e.g. a `new Resolver()` with `setServers([...])`. @default new Resolver() (the system's servers) */
  resolver?: Pick<Resolver, 'resolveSrv'>;
}

/**
 * Endpoints from DNS SRV records, as a Kubernetes headless Service publishes
 * them (`_<port-name>._<protocol>.<service>.<namespace>.svc.cluster.local`):
 * each record becomes `tcp://<target>:<port>`.
 *
 * Priority and weight are ignored: the client spreads calls by load over all
 * targets. A name that does not exist or has no SRV records (ENOTFOUND,
 * ENODATA, as when no pod is ready) resolves to no endpoints; any other
 * failure (timeout, refused, SERVFAIL) rejects, and the client keeps the
 * endpoints it had.
 *
 * @example
 * const client = createClient(playlist, {
 *   discovery: dnsSrv('_courier._tcp.playlist.default.svc.cluster.local', { refreshMs: 5000 }),
 * });
 */
export function dnsSrv(name: string, options: DnsSrvOptions = {}): Discovery {
  const resolver = options.resolver ?? new Resolver();
  return {
    refreshMs: options.refreshMs ?? 10_000,
    async resolve() {
      let records: SrvRecord[];
      try {
        records = await resolver.resolveSrv(name);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
        throw err;
      }
      // RFC 2782: a target of "." means the service is decidedly not available here.
      const targets = records.filter((r) => r.name !== '' && r.name !== '.');
      return [...new Set(targets.map((r) => `tcp://${r.name}:${r.port}`))].sort();
    },
  };
}
