/**
 * Child process: a client of the bench:core server at argv[3], `core`
 * (createClient, default options) or `raw` (argv[2]). Runs one closed-loop
 * cell at a time; every reply is checked, so a broken echo never passes as a
 * fast one.
 */
// First: it sets tracing up before core loads.
import './tracing-mode.js';
import { createClient } from '@courier/core';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { runClosedLoop } from '../lib/closed-loop.js';
import type { CellParams, CellResult } from '../transport/echo-client.js';
import { RawEchoClient } from '../transport/raw-echo.js';
import { coreBench, parseCoreImpl } from './service.js';

const impl = parseCoreImpl(process.argv[2]);
const endpoint = process.argv[3];
if (endpoint === undefined) throw new Error('usage: client.js <core|raw> <endpoint>');

/** One call with a `bytes`-long payload; rejects if the reply is not the echo. */
type Call = (bytes: number) => () => Promise<void>;

let close: () => Promise<void>;
let call: Call;
if (impl !== 'raw') {
  const client = createClient(coreBench, { endpoints: [endpoint] });
  close = () => client.$close();
  call = (bytes) => {
    const data = 'a'.repeat(bytes);
    let next = 0;
    return async () => {
      const id = next++;
      const reply = await client.echo({ id, data });
      if (reply.id !== id || reply.data.length !== bytes) throw new Error(`echo(${id}) answered wrongly`);
    };
  };
} else {
  const client = new RawEchoClient(endpoint);
  close = () => client.close();
  call = (bytes) => {
    const body = Buffer.alloc(bytes, 0x61);
    return async () => {
      const reply = await client.echo(body);
      if (reply.length !== bytes) throw new Error(`echo returned ${reply.length} bytes, sent ${bytes}`);
    };
  };
}

async function runCell(params: CellParams): Promise<CellResult> {
  const result = await runClosedLoop({
    inflight: params.inflight,
    warmupMs: params.warmupMs,
    durationMs: params.durationMs,
    call: call(params.bodyBytes),
  });
  return { ...result, latencyUs: result.latencyUs.toJSON() };
}

const handlers = { runCell, shutdown: () => close() };
export type CoreClientHandlers = typeof handlers;

// Ready once a round trip worked: the connection is up and both ends answer.
await call(1)();
serveParent(handlers);
notifyReady();
