/**
 * The service the I/O benchmark serves: `wait` stands for an I/O-bound
 * method (it awaits a 10 ms timer, as a call to a database or another
 * service would), `echo` does the same work without the wait. Both take and
 * return the same small object, so the only difference between them is the
 * await.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineService, method } from '@courier/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** How long `wait` waits, in ms: the latency of the simulated I/O. */
export const IO_WAIT_MS = 10;

export interface Job {
  id: number;
}

export interface Done {
  id: number;
  done: true;
}

/**
 * A pass-through schema: the benchmark measures how Courier schedules many
 * waiting calls, so validation work is kept out of both methods alike.
 */
const job: StandardSchemaV1<Job, Job> = {
  '~standard': { version: 1, vendor: 'courier-bench', validate: (value) => ({ value: value as Job }) },
};

/** Calls handled in this process, so per-window figures can be divided per call (one increment: free). */
export const handled = { count: 0 };

/** `wait`: I/O-bound (a 10 ms timer); `echo`: the same call answered at once. */
export const ioBench = defineService({
  name: 'io-bench',
  version: 1,
  methods: {
    wait: method({
      input: job,
      handler: async ({ id }): Promise<Done> => {
        handled.count++;
        await sleep(IO_WAIT_MS);
        return { id, done: true };
      },
    }),
    echo: method({
      input: job,
      handler: ({ id }): Done => {
        handled.count++;
        return { id, done: true };
      },
    }),
  },
});

/** The methods the benchmark drives. */
export type IoMethod = keyof typeof ioBench.methods;
