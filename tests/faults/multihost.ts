import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Fixture } from '../transport/child-process.js';
import { doubleExecutions, Instance } from './cluster.js';
import { DnsServer } from './dns-server.js';
import type { MultiHostSettings } from './multihost-client.js';
import { Network, namespacesUnavailable } from './netns.js';
import type { Figures } from './report.js';
import type { Report } from './report-extra.js';
import type { Scale } from './scenarios.js';

const CLIENT = fileURLToPath(new URL('./multihost-client.ts', import.meta.url));
const DOMAIN = 'faults.test';
const SRV = `_courier._tcp.${DOMAIN}`;
const PORT = 7001;
const HOSTS = ['dns', 'client', 'i0', 'i1', 'i2'] as const;
const INSTANCES = ['i0', 'i1', 'i2'] as const;

/** Why the multi-host scenario cannot run here (no namespaces, no dnsmasq), or undefined. */
export async function multiHostUnavailable(): Promise<string | undefined> {
  const why = await namespacesUnavailable();
  if (why !== undefined) return why;
  const found = await promisify(execFile)('dnsmasq', ['--version']).then(
    () => true,
    () => false,
  );
  if (!found) return 'dnsmasq is not installed (Debian: apt-get install dnsmasq-base; see the README set-up)';
  return undefined;
}

interface ClientReport {
  readonly figures: Figures;
  readonly partitionMs: number;
  readonly deadAfterMs: number | null;
  readonly backAfterMs: number | null;
  readonly recovered: boolean;
  readonly served: Record<string, number>;
}

/**
 * Several hosts on one machine: three instances, a DNS server and a client,
 * each in its own network namespace on one bridge. dnsmasq answers SRV
 * records for the instances, the client finds them through `dnsSrv` (its
 * resolv.conf points at dnsmasq), and under load one instance is cut off
 * the bridge (`ip link set ... down`) and healed. The suite's invariants
 * must hold, and after the heal the cut instance must serve calls again.
 */
export async function runMultiHost(scale: Scale): Promise<Report> {
  const net = new Network();
  const instances: Instance[] = [];
  let dns: DnsServer | undefined;
  let client: Fixture | undefined;
  try {
    await net.create(HOSTS);
    const targets = INSTANCES.map((host) => ({
      name: `${host}.${DOMAIN}`,
      address: net.address(host),
      port: PORT,
    }));
    dns = new DnsServer(net.exec('dns'), net.address('dns'), DOMAIN, SRV, targets);
    await net.resolver('client', net.address('dns'));
    for (const host of INSTANCES) {
      instances.push(new Instance(host, `tcp://${net.address(host)}:${PORT}`, { wrap: net.exec(host) }));
    }
    await Promise.all([dns.ready(), ...instances.map((i) => i.start())]);
    const settings: MultiHostSettings = {
      srv: SRV,
      instances: INSTANCES.length,
      victim: `tcp://${targets[0]!.name}:${PORT}`,
      cut: net.link('i0', 'down'),
      heal: net.link('i0', 'up'),
      inflight: scale.inflight,
      workMs: scale.workMs,
      beforeMs: Math.max(scale.durationMs / 3, 500),
      // Longer than the heartbeat window (500 ms), so the client must find the instance dead.
      partitionMs: Math.max(scale.durationMs / 3, 1000),
      recoverMs: 5000,
    };
    client = new Fixture(CLIENT, [JSON.stringify(settings)], net.exec('client'));
    const line = await client.line((l) => l.event === 'report', 'the multi-host client to report', 60_000);
    const r = line as unknown as ClientReport;
    for (const i of instances) i.collect();
    const f = r.figures;
    const twice = doubleExecutions(instances);
    if (twice.length > 0) f.violations.push(`writes executed twice: ${twice.slice(0, 5).join(', ')}`);
    if (!r.recovered) f.violations.push('the cut instance was not back 5 s after the heal');
    if ((r.served.i0 ?? 0) === 0)
      f.violations.push(`the cut instance served nothing after the heal (${JSON.stringify(r.served)})`);
    const ms = (n: number | null) => (n === null ? 'never' : `${n.toFixed(1)} ms`);
    return {
      figures: f,
      extra: [
        `hosts: ${HOSTS.length} network namespaces on bridge ${net.prefix}.0/24, dnsmasq SRV ${SRV}`,
        `partition of i0 for ${r.partitionMs.toFixed(0)} ms: declared dead after ${ms(r.deadAfterMs)}, alive again ${ms(r.backAfterMs)} after the heal`,
        `after the heal, 60 calls served by: ${Object.entries(r.served)
          .sort()
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
      ],
    };
  } finally {
    await client?.stop();
    await Promise.all(instances.map((i) => i.stop()));
    await dns?.stop();
    await net.teardown();
  }
}
