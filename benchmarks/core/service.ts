/**
 * The service bench:core serves: the README's kind of service, a zod object
 * schema for input and output, one method that answers at once.
 */
import { defineService, method } from '@courier/core';
import { z } from 'zod';

const item = z.object({ id: z.number(), data: z.string() });

export const coreBench = defineService({
  name: 'core-bench',
  version: 1,
  methods: {
    echo: method({
      input: item,
      output: item,
      handler: ({ id, data }) => ({ id, data }),
    }),
  },
});

/**
 * `core`: serve/createClient as the README shows (the OpenTelemetry API
 * present, no SDK registered). `raw`: hand-batched zeromq.js. With
 * `--tracing`, also `core-off` (COURIER_TRACING=off: core never asks the
 * API) and `core-sdk` (an SDK registered in both processes, every span
 * sampled, exported to a no-op exporter).
 */
export type CoreImpl = 'core' | 'core-off' | 'core-sdk' | 'raw';

export function parseCoreImpl(value: string | undefined): CoreImpl {
  if (value === 'core' || value === 'core-off' || value === 'core-sdk' || value === 'raw') return value;
  throw new Error(
    `unknown implementation ${JSON.stringify(value)}; expected core, core-off, core-sdk or raw`,
  );
}
