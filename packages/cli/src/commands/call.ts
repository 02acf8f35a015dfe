import { parseArgs } from 'node:util';
import { parseDuration, parseInput, parseMethod } from '../args.js';
import { cliClient } from '../client.js';
import { normalizeEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { describeError, toJson } from '../output.js';
import { SECURITY_OPTIONS, securityFrom } from '../security-flags.js';

export const callUsage = `courier call <endpoint> <service.method> [json] [--deadline 5s]

Calls a method and prints its result as JSON. A failure prints the error code,
message and details on stderr and exits with 1.`;

export async function call(argv: string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { deadline: { type: 'string', default: '5s' }, ...SECURITY_OPTIONS },
  });
  const [endpointArg, methodArg, json, ...extra] = positionals;
  if (endpointArg === undefined || methodArg === undefined || extra.length > 0)
    throw new UsageError(callUsage);
  const endpoint = normalizeEndpoint(endpointArg);
  parseMethod(methodArg);
  const input = parseInput(json);
  const deadlineMs = parseDuration(values.deadline);
  await using client = cliClient(endpoint, securityFrom(values));
  try {
    io.out(toJson(await client.call(methodArg, input, { deadlineMs })) ?? 'null');
    return 0;
  } catch (err) {
    io.err(describeError(err, endpoint));
    return 1;
  }
}
