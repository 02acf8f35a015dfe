/**
 * One process, one echo server and client over `inproc://`, a fixed number
 * of requests with a fixed number in flight, then exit. Run by
 * instructions.ts under valgrind, where only the work done counts, not time.
 *
 *   inproc-echo.ts <courier|raw> <requests> <in flight> <body bytes>
 */
import { connectCourierEcho, listenCourierEcho } from './courier-echo.js';
import { parseImpl } from './echo.js';
import { RawEchoClient, RawEchoServer } from './raw-echo.js';

const impl = parseImpl(process.argv[2]);
const [requests, inflight, bodyBytes] = process.argv.slice(3, 6).map(Number);
if (!(requests! > 0 && inflight! > 0 && bodyBytes! >= 0)) {
  throw new Error('usage: inproc-echo.ts <courier|raw> <requests> <in flight> <body bytes>');
}

const endpoint = 'inproc://instructions';
const server = impl === 'courier' ? await listenCourierEcho(endpoint) : await RawEchoServer.listen(endpoint);
const client = impl === 'courier' ? connectCourierEcho(endpoint) : new RawEchoClient(endpoint);
const body = Buffer.alloc(bodyBytes!, 0x61);
let left = requests!;

async function slot(): Promise<void> {
  while (left-- > 0) {
    const echoed = await client.echo(body);
    if (echoed.length !== body.length) throw new Error(`echo returned ${echoed.length} bytes`);
  }
}

await Promise.all(Array.from({ length: inflight! }, slot));
await client.close();
await server.close();
