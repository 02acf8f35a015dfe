import { Command, encodeMessage } from '@courier/transport';
import fc from 'fast-check';
import * as zmq from 'zeromq';
import { garbageArb, validMessageArb } from '../../tests/transport/arbitraries.js';
import { siblingScript, startChild } from '../lib/child-process.js';

/**
 * Native memory under junk traffic (issue #12, finding 7): the same stream
 * of mutated, random and valid Courier messages, from dealers that come and
 * go, sent to a Courier TransportServer and to a plain zeromq.js echo ROUTER,
 * each in its own child process. Prints RSS while the traffic runs, after an
 * idle pause and after a forced GC.
 *
 * RSS_SECONDS (default 30), RSS_DEALERS (8), RSS_CHURN_MS (500: each dealer is
 * replaced by a new connection this often), RSS_MODES (zmq,courier), RSS_RCVHWM
 * (the servers' receiveHighWaterMark; unset: each one's default).
 */
const seconds = Number(process.env.RSS_SECONDS ?? 30);
const dealers = Number(process.env.RSS_DEALERS ?? 8);
const churnMs = Number(process.env.RSS_CHURN_MS ?? 500);
const messages = [
  ...fc.sample(garbageArb, { numRuns: 3000, seed: 12 }),
  ...fc.sample(validMessageArb, { numRuns: 1000, seed: 13 }),
  // Larger bodies, as a busy service gets.
  ...Array.from({ length: 50 }, (_, i) =>
    encodeMessage([
      {
        cmd: Command.REQUEST,
        id: i + 1,
        method: 'junk.big',
        deadlineMs: 10_000,
        meta: undefined,
        contentType: undefined,
        body: [Buffer.alloc(64 * 1024 + i)],
      },
    ]),
  ),
];

type Memory = { rss: number; heap: number; external: number };

async function measure(mode: 'courier' | 'zmq') {
  const { child, ready } = await startChild<{ memory: () => Memory; gc: () => Memory }, { endpoint: string }>(
    {
      name: `junk-${mode}`,
      script: siblingScript(import.meta.url, 'junk-server'),
      args: [mode],
      execArgv: ['--expose-gc'],
    },
  );
  const { endpoint } = ready;
  const start = await child.call('memory', {});
  const samples: number[] = [];
  const end = Date.now() + seconds * 1000;
  let sent = 0;
  const worker = async (w: number) => {
    let n = w * 997;
    while (Date.now() < end) {
      const sock = new zmq.Dealer({ linger: 0, sendHighWaterMark: 1000 });
      sock.connect(endpoint);
      const drain = (async () => {
        for await (const _ of sock);
      })().catch(() => {});
      const until = Math.min(end, Date.now() + churnMs);
      while (Date.now() < until) {
        await sock.send(messages[n++ % messages.length]!).catch(() => {});
        sent++;
        if (n % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      sock.close();
      await drain;
    }
  };
  const sampler = setInterval(async () => samples.push((await child.call('memory', {})).rss), 1000);
  await Promise.all(Array.from({ length: dealers }, (_, w) => worker(w)));
  clearInterval(sampler);
  const loaded = await child.call('memory', {});
  await new Promise((r) => setTimeout(r, 5000));
  const idle = await child.call('memory', {});
  const collected = await child.call('gc', {});
  await child.stop();
  return { mode, sent, start, peakRss: Math.max(...samples, loaded.rss), loaded, idle, collected };
}

const modes = (process.env.RSS_MODES ?? 'zmq,courier').split(',') as ('zmq' | 'courier')[];
for (const mode of modes) {
  const r = await measure(mode);
  console.log(
    `${r.mode.padEnd(7)} sent=${r.sent} rss start=${r.start.rss} peak=${r.peakRss} end=${r.loaded.rss} ` +
      `idle5s=${r.idle.rss} afterGC=${r.collected.rss} MB (heap ${r.loaded.heap}->${r.collected.heap}, ` +
      `external ${r.loaded.external}->${r.collected.external})`,
  );
}
