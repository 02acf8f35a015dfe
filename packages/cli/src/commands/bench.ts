import { parseArgs } from 'node:util';
import { parseDuration, parseInput, parseMethod, parsePositiveInt } from '../args.js';
import { formatProgress, formatReport } from '../bench/report.js';
import { runBench } from '../bench/runner.js';
import { normalizeEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { toJson } from '../output.js';
import { SECURITY_OPTIONS, securityFrom } from '../security-flags.js';

export const benchUsage = `courier bench <endpoint> <service.method> [json] [options]

Keeps --concurrency calls in flight for --duration and reports throughput,
errors by status and the latency distribution (p50/p90/p99/p99.9).

  -c, --concurrency N   calls in flight                 (default 16)
  -d, --duration T      how long to measure: 10s, 500ms (default 10s)
      --warmup T        unmeasured calls first          (default 1s)
      --deadline T      per-call deadline               (default 5s)
      --json            print the result as JSON`;

export async function bench(argv: string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      concurrency: { type: 'string', short: 'c', default: '16' },
      duration: { type: 'string', short: 'd', default: '10s' },
      warmup: { type: 'string', default: '1s' },
      deadline: { type: 'string', default: '5s' },
      json: { type: 'boolean', default: false },
      ...SECURITY_OPTIONS,
    },
  });
  const [endpointArg, methodArg, json, ...extra] = positionals;
  if (endpointArg === undefined || methodArg === undefined || extra.length > 0)
    throw new UsageError(benchUsage);
  parseMethod(methodArg);
  const live = io.isTTY && !values.json;
  const result = await runBench({
    endpoint: normalizeEndpoint(endpointArg),
    method: methodArg,
    input: parseInput(json),
    concurrency: parsePositiveInt(values.concurrency, '--concurrency'),
    durationMs: parseDuration(values.duration),
    warmupMs: parseDuration(values.warmup),
    deadlineMs: parseDuration(values.deadline),
    security: securityFrom(values),
    ...(live ? { onProgress: (p) => io.status(formatProgress(p)) } : {}),
  });
  if (live) io.status('');
  io.out(values.json ? toJson(result) : formatReport(result));
  // Every call failing (e.g. nothing listening) is a failed benchmark.
  return result.ok > 0 ? 0 : 1;
}
