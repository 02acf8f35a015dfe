/**
 * One instance of the fault suite's service, in its own process.
 * Usage: instance.ts <bind> <label>
 *
 * Reports on stdout, one JSON object per line: `ready` (with the endpoint)
 * and `exec` for every execution of the non-idempotent `write`, written at
 * once (stdout to a pipe is synchronous on Linux), so a SIGKILL loses none.
 */
import { serve } from '@courier/core';
import { pino } from 'pino';
import { faultsService } from './service.js';
import { HEARTBEAT } from './settings.js';

const [bind, label] = process.argv.slice(2);
if (bind === undefined || label === undefined) throw new Error('usage: instance.ts <bind> <label>');

const service = faultsService(label);

const server = await serve(service, {
  bind,
  logger: pino({ level: 'warn' }, process.stderr),
  ...HEARTBEAT,
});
process.stdout.write(
  `${JSON.stringify({ event: 'ready', endpoint: server.endpoints[0], pid: process.pid })}\n`,
);
