import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@courier/core';
import { reserveAddress } from '../transport/helpers.js';
import { ChainLoad } from './chain-load.js';
import { hopA, PROBE, wallClock } from './chain-service.js';
import { Instance } from './cluster.js';
import { figures } from './report.js';
import { type Report, spread } from './report-extra.js';
import type { Scale } from './scenarios.js';
import { DEADLINE_MS, LATE_MS, TRANSPORT } from './settings.js';

const CHAIN = fileURLToPath(new URL('./chain-instance.ts', import.meta.url));

async function hop(role: 'a' | 'b' | 'c', label: string, next: readonly Instance[] = []): Promise<Instance> {
  const bind = await reserveAddress('tcp');
  const args = [role, bind, label, next.map((i) => i.bind).join(',')];
  return new Instance(label, bind, { script: CHAIN, args });
}

/** The phases of a run, in ms: never shorter than a probe needs to expire. */
function phases(scale: Scale) {
  return {
    healthy: Math.max(scale.durationMs / 3, DEADLINE_MS + 400),
    killed: Math.max(scale.durationMs / 6, 300),
    stalled: Math.max(scale.durationMs / 6, 300),
    after: Math.max(scale.durationMs / 3, 500),
  };
}

/**
 * The three-hop deadline chain: client -> A -> B -> C (two instances of C),
 * each hop its own process, relaying with `ctx.client()`. While healthy,
 * probes that never finish by themselves are either cancelled by the
 * client or left to reach their deadline, and C reports when its signal
 * aborted: that is how long a cancel or a deadline takes to reach the third
 * hop. Then the third hop fails under load: kill -9 of one C, then SIGSTOP
 * of the other (the only one left) and SIGCONT. The suite's invariants must
 * hold at the client.
 */
export async function runChain(scale: Scale): Promise<Report> {
  const c = [await hop('c', 'c0'), await hop('c', 'c1')];
  const b = await hop('b', 'b', c);
  const a = await hop('a', 'a', [b]);
  const all = [...c, b, a];
  let client: ReturnType<typeof createClient<typeof hopA>> | undefined;
  try {
    // Last hop first: a client connecting to a port nobody listens on yet
    // would see its endpoint as dead.
    await Promise.all(c.map((i) => i.start()));
    await b.start();
    await a.start();
    client = createClient(hopA, { endpoints: [a.bind], transport: TRANSPORT });
    // One call through every hop, so the load starts on a connected chain.
    await client.call({ id: 'warm', ms: 0 }, { deadlineMs: 10_000 });
    const time = phases(scale);
    const load = new ChainLoad(client);
    let running = true;
    // Each call costs five processes' work (three servers, two relays):
    // the suite's full 200 in flight would only measure an overloaded chain.
    const inflight = Math.min(scale.inflight, 60);
    const workers = Array.from({ length: inflight }, async (_, w) => {
      for (let n = 0; running; n++) await load.call(`w${w}-${n}`, scale.workMs);
    });

    // Probes while healthy, each done before the fault.
    const cancelAt = new Map<string, number>();
    const deadlineAt = new Map<string, number>();
    const healthyUntil = performance.now() + time.healthy;
    const probesUntil = healthyUntil - DEADLINE_MS - 150;
    for (let n = 0; performance.now() < probesUntil; n++) {
      const id = `${PROBE}${n}`;
      if (n % 2 === 0) {
        const controller = new AbortController();
        void load.call(id, 60_000, controller.signal);
        setTimeout(
          () => {
            cancelAt.set(id, wallClock());
            controller.abort();
          },
          50 + ((n * 37) % 150),
        );
      } else {
        deadlineAt.set(id, wallClock() + DEADLINE_MS);
        void load.call(id, 60_000);
      }
      await delay(25);
    }
    await delay(Math.max(0, healthyUntil - performance.now()));

    const faultAt = performance.now();
    c[0]!.signal('SIGKILL');
    await c[0]!.exited();
    await delay(time.killed);
    c[1]!.signal('SIGSTOP');
    await delay(time.stalled);
    c[1]!.signal('SIGCONT');
    await delay(time.after);
    running = false;
    let hung: string | undefined;
    await Promise.race([Promise.all(workers), load.settled(DEADLINE_MS + LATE_MS + 2000)]).catch(
      (err: Error) => {
        hung = err.message;
      },
    );
    await load.settled(0).catch(() => undefined);

    const aborts = new Map<string, { at: number; reason: string }>();
    // Where each probe ran at hop 3; a probe on the killed c0 died with it.
    const arrived = new Map<string, string>();
    for (const i of c) {
      for (const line of i.fixture?.lines ?? []) {
        if (line.event === 'arrived') arrived.set(line.id as string, line.instance as string);
        if (line.event === 'abort')
          aborts.set(line.id as string, line as unknown as { at: number; reason: string });
      }
    }
    const travel = (sent: Map<string, number>, reason: string) => {
      const ms: number[] = [];
      let missing = 0;
      let otherReason = 0;
      let notThere = 0;
      for (const [id, at] of sent) {
        const seen = aborts.get(id);
        // Failed before reaching hop 3 (shed or timed out on the way): nothing to abort there.
        const at3 = arrived.get(id);
        if (at3 === undefined) notThere++;
        else if (seen === undefined) {
          if (at3 !== c[0]!.label) missing++;
        } else {
          ms.push(seen.at - at);
          if (seen.reason !== reason) otherReason++;
        }
      }
      return { ms, missing, otherReason, notThere };
    };
    const cancels = travel(cancelAt, 'CANCELLED');
    const deadlines = travel(deadlineAt, 'DEADLINE_EXCEEDED');
    const f = figures('three-hop chain', load.outcomes, faultAt, [], [], load.ends, hung);
    const missing = cancels.missing + deadlines.missing;
    // A probe running at hop 3 whose abort never came there is work left running.
    if (missing > 0)
      f.violations.push(`${missing} probes ran at hop 3 and never saw their cancel or deadline`);
    return {
      figures: f,
      extra: [
        `cancel reached hop 3 after ${spread(cancels.ms)}; ${cancels.otherReason} saw their deadline first`,
        `deadline reached hop 3 at ${spread(deadlines.ms)} relative to the client's deadline`,
        `${cancels.notThere + deadlines.notThere} probes failed before reaching hop 3; ${inflight} calls in flight`,
        `hop 3 faults: kill -9 of c0, ${time.killed} ms later SIGSTOP of c1 for ${time.stalled} ms`,
      ],
    };
  } finally {
    await client?.$close();
    await Promise.all(all.map((i) => i.stop()));
  }
}
