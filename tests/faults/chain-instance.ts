/**
 * One process of the fault suite's three-hop chain.
 * Usage: chain-instance.ts <a|b|c> <bind> <label> [next hop endpoints, comma-separated]
 *
 * `a` and `b` relay every call to the next hop through `ctx.client()`, so
 * the deadline and a cancel travel with it; `c` does the work (see
 * lastHop). Writes `ready` on stdout once serving.
 */
import { type Context, createClient, serve } from '@courier/core';
import { pino } from 'pino';
import { type HopInput, hopB, hopC, hopService, lastHop } from './chain-service.js';
import { HEARTBEAT, TRANSPORT } from './settings.js';

const [role, bind, label, next = ''] = process.argv.slice(2);
if (bind === undefined || label === undefined || !['a', 'b', 'c'].includes(role ?? '')) {
  throw new Error('usage: chain-instance.ts <a|b|c> <bind> <label> [next endpoints]');
}

function relay(name: string, nextHop: typeof hopB | typeof hopC) {
  const client = createClient(nextHop, { endpoints: next.split(','), transport: TRANSPORT, caller: name });
  return hopService(name, (input: HopInput, ctx: Context) => ctx.client(client).call(input));
}

const service = role === 'c' ? lastHop(label) : role === 'b' ? relay('hop-b', hopC) : relay('hop-a', hopB);
const server = await serve(service, {
  bind,
  logger: pino({ level: 'warn' }, process.stderr),
  ...HEARTBEAT,
});
process.stdout.write(
  `${JSON.stringify({ event: 'ready', endpoint: server.endpoints[0], pid: process.pid })}\n`,
);
