import { parseArgs } from 'node:util';
import type { ServiceDescription } from '@courier/core';
import { parseDuration } from '../args.js';
import { cliClient } from '../client.js';
import { normalizeEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { describeError, toJson } from '../output.js';
import { SECURITY_OPTIONS, securityFrom } from '../security-flags.js';

export const describeUsage = `courier describe <endpoint> [--json] [--deadline 3s]

Lists the service's methods (with their input and output JSON Schemas) and events.`;

export async function describe(argv: string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      deadline: { type: 'string', default: '3s' },
      ...SECURITY_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError(describeUsage);
  const endpoint = normalizeEndpoint(positionals[0]!);
  const deadlineMs = parseDuration(values.deadline);
  await using client = cliClient(endpoint, securityFrom(values));
  let d: ServiceDescription;
  try {
    d = await client.describe({ deadlineMs });
  } catch (err) {
    io.err(describeError(err, endpoint));
    return 1;
  }
  if (values.json) {
    io.out(toJson(d));
    return 0;
  }
  io.out(`${d.name} v${d.version}${d.description ? ` - ${d.description}` : ''}`);
  for (const [name, m] of Object.entries(d.methods)) {
    const flags = [m.idempotent ? 'idempotent' : '', m.compute ? 'compute' : ''].filter(Boolean).join(', ');
    io.out(
      `\n  ${d.name}.${name}${flags ? `  (${flags})` : ''}${m.description ? `\n    ${m.description}` : ''}`,
    );
    io.out(`    input:  ${JSON.stringify(m.input ?? null)}`);
    io.out(`    output: ${JSON.stringify(m.output ?? null)}`);
  }
  for (const [name, schema] of Object.entries(d.events ?? {})) {
    io.out(`\n  event ${d.name}.${name}\n    payload: ${JSON.stringify(schema ?? null)}`);
  }
  return 0;
}
