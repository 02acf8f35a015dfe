/**
 * `npm run demo`: starts the example services as separate processes, makes
 * real calls among them, prints what happened, and keeps them running until
 * Ctrl-C (or exits after one round with --once).
 */
import { performance } from 'node:perf_hooks';
import { CancelledError, createClient, subscribe } from '@courier/core';
import { library } from '../events/service.js';
import { hello } from '../hello/service.js';
import { playlist } from '../playlist/service.js';
import { DIMS, recommend } from '../recommend/src/service.js';
import { ServiceProcesses } from './processes.js';

const once = process.argv.includes('--once');
const procs = new ServiceProcesses();
const closers: Array<() => Promise<void>> = [];
const log = (line: string) => console.log(line);
const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;

async function main(): Promise<void> {
  log('Courier demo: starting services (each in its own process)...');
  const [helloProc, metadataProc, libraryProc, recommendProc] = await Promise.all([
    procs.start('examples/hello/main.ts', ['hello']),
    procs.start('examples/metadata/main.ts', ['storage', 'metadata'], { STORAGE_BIND: 'tcp://127.0.0.1:*' }),
    procs.start('examples/events/main.ts', ['library', 'library-events'], {
      EVENTS_BIND: 'tcp://127.0.0.1:*',
      EVENTS_DEMO: '0',
    }),
    procs.start('examples/recommend/src/server.ts', ['recommend'], {
      RECOMMEND_BIND: 'tcp://127.0.0.1:*',
      RECOMMEND_ROWS: '50000',
    }),
  ]);
  const playlistProc = await procs.start('examples/playlist/main.ts', ['playlist'], {
    METADATA: metadataProc.endpoints.metadata!,
    METRICS_PORT: '0',
  });
  const endpoints = {
    ...helloProc.endpoints,
    ...metadataProc.endpoints,
    ...libraryProc.endpoints,
    ...playlistProc.endpoints,
    ...recommendProc.endpoints,
  };
  for (const [name, endpoint] of Object.entries(endpoints)) log(`  ${name.padEnd(15)} ${endpoint}`);
  log('');

  const helloClient = createClient(hello, { endpoints: [endpoints.hello!], caller: 'demo' });
  const playlistClient = createClient(playlist, { endpoints: [endpoints.playlist!], caller: 'demo' });
  const libraryClient = createClient(library, { endpoints: [endpoints.library!], caller: 'demo' });
  const recommendClient = createClient(recommend, { endpoints: [endpoints.recommend!], caller: 'demo' });
  closers.push(
    () => helloClient.$close(),
    () => playlistClient.$close(),
    () => libraryClient.$close(),
    () => recommendClient.$close(),
  );

  let t0 = performance.now();
  const greeting = await helloClient.greet({ name: 'Courier' });
  log(`hello.greet             → "${greeting.message}" (${ms(t0)})`);

  t0 = performance.now();
  const p1 = await playlistClient.get({ id: 'p1' }, { deadlineMs: 1500 });
  const d = p1.deadlines;
  log(
    `playlist.get p1         → "${p1.name}", ${p1.tracks.length} tracks via metadata and storage (${ms(t0)})`,
  );
  log(
    `  deadline 1500 ms, still left at each hop: playlist ${d.playlist} → metadata ${d.metadata} → storage ${d.storage} ms`,
  );

  const controller = new AbortController();
  t0 = performance.now();
  const slow = playlistClient.get(
    { id: 'p2', latencyMs: 10_000 },
    { deadlineMs: 20_000, signal: controller.signal },
  );
  setTimeout(() => controller.abort(), 100).unref();
  const outcome = await slow.then(
    () => 'answered (unexpected)',
    (err: unknown) => (err instanceof CancelledError ? 'CANCELLED' : String(err)),
  );
  log(
    `playlist.get p2      → ${outcome} after ${ms(t0)}: the caller gave up; metadata and storage stopped too`,
  );

  const received = new Promise<string>((resolve) => {
    const sub = subscribe(
      library,
      { endpoints: [endpoints['library-events']!] },
      { trackAdded: (e, { seq }) => resolve(`event #${seq} trackAdded ${e.trackId} → ${e.playlistId}`) },
    );
    closers.push(() => sub.close());
  });
  // At-most-once pub/sub: keep adding until the subscription has reached the publisher.
  for (let i = 0; i < 100; i++) {
    const { position } = await libraryClient.addTrack({ playlistId: 'p1', trackId: 't2' });
    const winner = await Promise.race([
      received,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 20)),
    ]);
    if (winner !== undefined) {
      log(`library.addTrack        → position ${position}; subscriber got ${winner}`);
      break;
    }
  }

  // Compute in the worker pool (TypeScript and C++), while an I/O method keeps answering.
  const query = Array.from({ length: DIMS }, (_, i) => Math.sin(i + 1));
  // One unmeasured round first: each worker loads the module and the addon on first use.
  await Promise.all([
    recommendClient.similar({ query, k: 3 }),
    recommendClient.similarNative({ query, k: 3 }),
  ]);
  t0 = performance.now();
  const [ts, native, popular] = await Promise.all([
    recommendClient.similar({ query, k: 3 }).then((r) => ({ r, t: ms(t0) })),
    recommendClient.similarNative({ query, k: 3 }).then((r) => ({ r, t: ms(t0) })),
    recommendClient.popular({ limit: 3 }).then((r) => ({ r, t: ms(t0) })),
  ]);
  log(
    `recommend.similar       → top 3 ${JSON.stringify(ts.r.ids)} in TypeScript in the worker pool (${ts.t})`,
  );
  log(`recommend.similarNative → the same ${JSON.stringify(native.r.ids)} from the C++ addon (${native.t})`);
  log(
    `recommend.popular       → ${JSON.stringify(popular.r.ids)} on the event loop meanwhile (${popular.t})`,
  );

  const metricsUrl = playlistProc.metricsUrl!;
  const exposition = await (await fetch(metricsUrl)).text();
  const served = exposition
    .split('\n')
    .filter((l) => l.startsWith('courier_server_requests_total{'))
    .map((l) => l.replace(/^courier_server_requests_total/, ''));
  log(`metrics                 → ${metricsUrl}`);
  for (const line of served) log(`  courier_server_requests_total${line}`);
}

async function shutdown(): Promise<void> {
  for (const close of closers) await close().catch(() => {});
  await procs.stopAll();
}

try {
  await main();
  if (!once) {
    log('\nServices are running; call them with `npx courier call <endpoint> <service.method> <json>`.');
    log('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log('\nstopping: every service drains its in-flight calls, then exits');
  }
} catch (err) {
  process.exitCode = 1;
  console.error(`demo failed: ${(err as Error).stack ?? err}`);
} finally {
  await shutdown();
}
