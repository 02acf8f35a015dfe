import { UsageError } from './errors.js';

/**
 * Accepts what people type: `tcp://host:port`, `ipc://path`, `inproc://name`,
 * `host:port` or a bare port (meaning 127.0.0.1).
 */
export function normalizeEndpoint(input: string): string {
  if (/^(tcp|ipc|inproc):\/\//.test(input)) return input;
  if (/^\d+$/.test(input)) return `tcp://127.0.0.1:${input}`;
  if (/^[^/:]+:\d+$/.test(input) || /^\[[0-9a-fA-F:]+\]:\d+$/.test(input)) return `tcp://${input}`;
  throw new UsageError(`not an endpoint: ${input} (try tcp://127.0.0.1:7001, host:port or a port)`);
}
