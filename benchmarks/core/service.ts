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

/** `core`: serve/createClient as the README shows. `raw`: hand-batched zeromq.js. */
export type CoreImpl = 'core' | 'raw';

export function parseCoreImpl(value: string | undefined): CoreImpl {
  if (value === 'core' || value === 'raw') return value;
  throw new Error(`unknown implementation ${JSON.stringify(value)}; expected core or raw`);
}
