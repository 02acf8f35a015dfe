/**
 * Child process: one echo client (`courier` or `raw`, argv[2]) connected to
 * the endpoint in argv[3]. run.ts asks it to run one closed-loop cell at a time.
 */
import { notifyReady, serveParent } from '../lib/child-process.js';
import { runEchoLoop } from '../lib/closed-loop.js';
import type { HistogramSnapshot } from '../lib/histogram.js';
import { connectCourierEcho } from './courier-echo.js';
import { type EchoClient, parseImpl } from './echo.js';
import { RawEchoClient } from './raw-echo.js';

const impl = parseImpl(process.argv[2]);
const endpoint = process.argv[3];
if (endpoint === undefined) throw new Error('usage: echo-client.ts <impl> <endpoint>');
const client: EchoClient = impl === 'courier' ? connectCourierEcho(endpoint) : new RawEchoClient(endpoint);

export interface CellParams {
  bodyBytes: number;
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export interface CellResult {
  requests: number;
  totalRequests: number;
  durationMs: number;
  rps: number;
  latencyUs: HistogramSnapshot;
  cpuPercent: number;
}

async function runCell(params: CellParams): Promise<CellResult> {
  const result = await runEchoLoop({
    bodyBytes: params.bodyBytes,
    inflight: params.inflight,
    warmupMs: params.warmupMs,
    durationMs: params.durationMs,
    echo: (body) => client.echo(body),
  });
  return { ...result, latencyUs: result.latencyUs.toJSON() };
}

const handlers = { runCell, shutdown: () => client.close() };
export type ClientHandlers = typeof handlers;

// Ready once a round trip worked: the connection is up and both ends answer.
await client.echo(Buffer.alloc(1));
serveParent(handlers);
notifyReady();
