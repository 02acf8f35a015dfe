/**
 * The deadline schemes side by side, to choose the one scheduler for the transport, the
 * core server and the compute pool (issue #11):
 *
 *   npm run bench:timers [-- --ops 400000]
 *
 *   heap       DeadlineHeap (packages/transport/src/scheduler), the one chosen
 *   wheel      a hashed timer wheel (./timer-wheel.ts), the other candidate
 *   list       DeadlineList: one linked list and timer per exact duration (the client, before)
 *   watch      DeadlineWatch: a young list swept every 50 ms, then a timer each (the server, before)
 *   timeout    a setTimeout/clearTimeout per entry (the compute pool, before)
 *
 * Part 1 (cost): `inflight` entries pending; each op completes the oldest (remove) and
 * starts a new one (add), as a closed-loop load does; nothing expires. Reported in ns per
 * add+remove, for deadlines of one duration and for deadlines spread over many values
 * (a chain of propagated deadlines: every request its own remaining budget). Part 2
 * (firing): 20,000 entries due over 1-200 ms, spread; reports how many fired and the
 * worst lateness. CPU-bound and single-threaded; on a shared machine expect ±10%.
 */

import { DeadlineHeap, type Scheduled } from '../../packages/transport/src/scheduler/deadline-heap.js';
import { type DeadlineEntry, DeadlineList } from './deadline-list.js';
import { DeadlineWatch, type Watched } from './deadline-watch.js';
import { TimerWheel, type WheelEntry } from './timer-wheel.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const OPS = arg('ops', 400_000);
const INFLIGHT = arg('inflight', 256);

interface Scheme {
  readonly name: string;
  add(e: Entry, expiresAt: number): void;
  remove(e: Entry): void;
  close(): void;
}

class Entry implements Scheduled, DeadlineEntry, WheelEntry, Watched {
  expiresAt = 0;
  heapIndex = -1;
  prev: never = undefined as never;
  next: never = undefined as never;
  list: DeadlineEntry['list'] = undefined;
  slot = -1;
  deadline = 0;
  watchTimer: NodeJS.Timeout | undefined = undefined;
  watchSlot = -1;
  watchGeneration = -1;
  timeout: NodeJS.Timeout | undefined = undefined;
  fired = 0;
  constructor(readonly onFire: (e: Entry) => void) {}
  expire(): void {
    this.onFire(this);
  }
}

function schemes(onFire: (e: Entry) => void): Scheme[] {
  const heap = new DeadlineHeap<Entry>(onFire, { ref: true });
  const wheel = new TimerWheel<Entry>(onFire);
  const list = new DeadlineList<Entry>(onFire);
  const watch = new DeadlineWatch();
  return [
    {
      name: 'heap',
      add: (e, at) => heap.add(e, at),
      remove: (e) => heap.remove(e),
      close: () => heap.clear(),
    },
    {
      name: 'wheel',
      add: (e, at) => wheel.add(e, at),
      remove: (e) => wheel.remove(e),
      close: () => wheel.clear(),
    },
    {
      name: 'list',
      add: (e, at) => {
        const now = performance.now();
        list.add(e, Math.max(0, Math.ceil(at - now)), now);
      },
      remove: (e) => list.remove(e),
      close: () => {},
    },
    {
      name: 'watch',
      add: (e, at) => {
        e.deadline = at;
        watch.watch(e);
      },
      remove: (e) => watch.unwatch(e),
      close: () => watch.close(),
    },
    {
      name: 'timeout',
      add: (e, at) => {
        e.timeout = setTimeout(onFire, at - performance.now(), e);
      },
      remove: (e) => clearTimeout(e.timeout),
      close: () => {},
    },
  ];
}

/** ns per add+remove with `inflight` pending, deadlines from `deadlineOf(i)` ms ahead. */
function cost(scheme: Scheme, deadlineOf: (i: number) => number): number {
  const ring: Entry[] = [];
  const unexpected = (e: Entry) => {
    e.fired++;
  };
  for (let i = 0; i < INFLIGHT; i++) {
    const e = new Entry(unexpected);
    ring.push(e);
    scheme.add(e, performance.now() + deadlineOf(i));
  }
  const run = (ops: number) => {
    for (let i = 0; i < ops; i++) {
      const e = ring[i % INFLIGHT]!;
      scheme.remove(e);
      scheme.add(e, performance.now() + deadlineOf(i));
    }
  };
  run(OPS / 4); // warm-up
  const start = process.hrtime.bigint();
  run(OPS);
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  for (const e of ring) scheme.remove(e);
  scheme.close();
  return ns;
}

async function firing(name: string): Promise<{ fired: number; worstLateMs: number }> {
  const N = 20_000;
  let fired = 0;
  let worst = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((r) => {
    done = r;
  });
  const onFire = (e: Entry) => {
    fired++;
    worst = Math.max(worst, performance.now() - e.expiresAt);
    if (fired === N) done();
  };
  const scheme = schemes(onFire).find((s) => s.name === name)!;
  const now = performance.now();
  for (let i = 0; i < N; i++) {
    const e = new Entry(onFire);
    const at = now + 1 + ((i * 7919) % 200) + (i % 10) / 10;
    e.expiresAt = at;
    scheme.add(e, at);
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 2000))]);
  scheme.close();
  return { fired, worstLateMs: worst };
}

const one = () => 5000;
// 4,000 distinct whole-millisecond budgets, as propagated deadlines give.
const spread = (i: number) => 1000 + ((i * 7919) % 4000);
// Fractional budgets (performance.now() arithmetic leaves fractions).
const fractional = (i: number) => 1000 + ((i * 7919) % 4000) + (i % 100) / 100;

console.log(
  `bench:timers  ops=${OPS} inflight=${INFLIGHT}  node ${process.version}  ${new Date().toISOString()}`,
);
console.log('scheme    one-duration ns/op   spread ns/op   fractional ns/op   fired/20000   worst late ms');
for (const { name } of schemes(() => {})) {
  const a = cost(schemes(() => {}).find((s) => s.name === name)!, one);
  const b = cost(schemes(() => {}).find((s) => s.name === name)!, spread);
  const c = cost(schemes(() => {}).find((s) => s.name === name)!, fractional);
  const f = await firing(name);
  console.log(
    `${name.padEnd(9)} ${a.toFixed(0).padStart(20)} ${b.toFixed(0).padStart(14)} ${c.toFixed(0).padStart(18)} ${String(f.fired).padStart(13)} ${f.worstLateMs.toFixed(1).padStart(15)}`,
  );
}
process.exit(0);
