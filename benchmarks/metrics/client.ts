/**
 * Child process: one Courier client per benchmark server (endpoints in
 * argv[2] = metrics off, argv[3] = metrics on). Runs one closed-loop round at
 * a time against the server the parent names, so both servers see the same
 * client, equally warm.
 */
import { createClient } from '@courier/core';
import { notifyReady, serveParent } from '../lib/child-process.js';
import { runEchoLoop } from '../lib/closed-loop.js';
import type { HistogramSnapshot } from '../lib/histogram.js';
import { benchEcho } from './echo-service.js';

const [off, on] = process.argv.slice(2);
if (off === undefined || on === undefined) throw new Error('usage: client.ts <off endpoint> <on endpoint>');
const clients = {
  off: createClient(benchEcho, { endpoints: [off], retry: false, circuitBreaker: false }),
  on: createClient(benchEcho, { endpoints: [on], retry: false, circuitBreaker: false }),
};

export interface RoundParams {
  target: 'on' | 'off';
  bodyBytes: number;
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export interface RoundResult {
  requests: number;
  durationMs: number;
  rps: number;
  latencyUs: HistogramSnapshot;
}

async function runRound(params: RoundParams): Promise<RoundResult> {
  const client = clients[params.target];
  const result = await runEchoLoop({
    bodyBytes: params.bodyBytes,
    inflight: params.inflight,
    warmupMs: params.warmupMs,
    durationMs: params.durationMs,
    echo: (body) => client.echo(body),
  });
  return {
    requests: result.requests,
    durationMs: result.durationMs,
    rps: result.rps,
    latencyUs: result.latencyUs.toJSON(),
  };
}

const handlers = {
  runRound,
  shutdown: async () => {
    await Promise.all([clients.off.$close(), clients.on.$close()]);
  },
};
export type ClientHandlers = typeof handlers;

// Ready once a round trip to each server worked.
await clients.off.echo(Buffer.alloc(1));
await clients.on.echo(Buffer.alloc(1));
serveParent(handlers);
notifyReady();
