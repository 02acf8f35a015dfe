import { parseArgs } from 'node:util';
import { parseDuration } from '../args.js';
import { cliClient } from '../client.js';
import { normalizeEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { describeError, toJson } from '../output.js';
import { SECURITY_OPTIONS, securityFrom } from '../security-flags.js';

export const healthUsage = `courier health <endpoint> [--json] [--deadline 3s]

Asks the service for its health. Exits 0 when it is serving, 1 when it is
draining or cannot be reached.`;

export async function health(argv: string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      deadline: { type: 'string', default: '3s' },
      ...SECURITY_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError(healthUsage);
  const endpoint = normalizeEndpoint(positionals[0]!);
  const deadlineMs = parseDuration(values.deadline);
  await using client = cliClient(endpoint, securityFrom(values));
  try {
    const h = await client.health({ deadlineMs });
    io.out(
      values.json
        ? toJson(h)
        : `${h.service} v${h.version}: ${h.status} (up ${Math.round(h.uptimeSeconds)} s, ${h.inflight} in flight)`,
    );
    return h.status === 'ok' ? 0 : 1;
  } catch (err) {
    io.err(describeError(err, endpoint));
    return 1;
  }
}
