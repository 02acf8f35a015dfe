// packages/core/README.md, "Clients": options, per-call options, views and discovery.
// Type-checked only: it resolves a Kubernetes DNS name, so it is not meant to run here.
import {
  type Client,
  CourierError,
  createClient,
  createDynamicClient,
  DeadlineExceededError,
  dnsSrv,
  OverloadedError,
} from '@courier/core';
import { catalog } from './catalog.js';

export function kubernetesClient(): Client<typeof catalog> {
  return createClient(catalog, {
    // One SRV record per ready pod of the headless Service `catalog` (port name `courier`).
    discovery: dnsSrv('_courier._tcp.catalog.default.svc.cluster.local', { refreshMs: 5000 }),
    deadlineMs: 1000, // for calls that give no deadline of their own
    retry: { maxAttempts: 3, initialBackoffMs: 25, maxBackoffMs: 1000, budget: { ratio: 0.2 } },
    outlierDetection: { intervalMs: 1000, failureRate: 0.5, peerGap: 0.3, maxEjectionPercent: 50 },
    transport: { heartbeatIntervalMs: 1000, heartbeatLiveness: 3 },
    caller: 'playlist', // sent as meta.caller; the server sees it as ctx.caller
  });
}

export async function calls(client: Client<typeof catalog>): Promise<void> {
  // Per-call options: a relative deadline, a cancel signal, extra metadata.
  const controller = new AbortController();
  const track = await client.get({ id: 't1' }, { deadlineMs: 200, signal: controller.signal });
  console.log(track.title);

  // A view whose calls start from these options; a call's own options can only tighten them.
  const urgent = client.withDefaults({ deadlineMs: 100, meta: { priority: 'high' } });
  try {
    await urgent.get({ id: 't2' });
  } catch (err) {
    if (err instanceof DeadlineExceededError) console.log('too slow');
    else if (err instanceof OverloadedError) console.log('shed; retried and still overloaded');
    else if (err instanceof CourierError) console.log(err.code, err.status, err.details);
    else throw err;
  }

  console.log(client.$state, client.$endpoints()); // 'ready', [{ endpoint, state: 'alive', inflight: 0 }, ...]
  await client.$close();
}

export async function byName(): Promise<void> {
  // Without the definition: tools, scripts, callers of services written in other languages.
  await using catalogByName = createDynamicClient('catalog', { endpoints: ['tcp://127.0.0.1:7001'] });
  const description = await catalogByName.describe(); // methods with JSON Schemas, events
  console.log(Object.keys(description.methods), (await catalogByName.health()).status);
  console.log(await catalogByName.call('get', { id: 't1' }, { idempotent: true, deadlineMs: 500 }));
}
