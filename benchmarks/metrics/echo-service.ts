import { defineService, method } from '@courier/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A pass-through schema: the benchmark measures what metrics add to a call,
 * so the call itself is kept as cheap as Courier allows (no validation work
 * to hide the overhead behind).
 */
const bytes: StandardSchemaV1<Uint8Array, Uint8Array> = {
  '~standard': { version: 1, vendor: 'courier-bench', validate: (value) => ({ value: value as Uint8Array }) },
};

/** Calls handled in this process, so CPU time can be divided per request (one increment: free). */
export const handled = { count: 0 };

/** The service both benchmark servers run: `echo` returns its input. */
export const benchEcho = defineService({
  name: 'bench-echo',
  version: 1,
  methods: {
    echo: method({
      input: bytes,
      handler: (body) => {
        handled.count++;
        return body;
      },
    }),
  },
});
