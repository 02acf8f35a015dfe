import { setTimeout as delay } from 'node:timers/promises';
import { defineService, method } from '@courier/core';
import { z } from 'zod';

/**
 * `read` is idempotent; `write` is not, and reports each execution (see
 * instance.ts) so the suite can check none ran twice.
 */
export function faultsService(label: string) {
  return defineService({
    name: 'faults',
    version: 1,
    methods: {
      read: method({
        input: z.object({ ms: z.number().int().min(0).max(100) }),
        idempotent: true,
        handler: async ({ ms }) => {
          await delay(ms);
          return label;
        },
      }),
      // A method with small limits, for the overload scenario: 8 running and
      // at most 16 waiting per instance, fewer as the adaptive limiter sees
      // queueing; more are shed with OVERLOADED.
      limited: method({
        input: z.object({ ms: z.number().int().min(0).max(100) }),
        idempotent: true,
        concurrency: 8,
        maxQueue: 16,
        limiter: process.env.FAULTS_LIMITER === 'fixed' ? 'fixed' : 'adaptive',
        handler: async ({ ms }) => {
          await delay(ms);
          return label;
        },
      }),
      write: method({
        input: z.object({ id: z.string(), ms: z.number().int().min(0).max(100) }),
        handler: async ({ id, ms }) => {
          process.stdout.write(`${JSON.stringify({ event: 'exec', id, instance: label })}\n`);
          await delay(ms);
          return label;
        },
      }),
    },
  });
}

/** The definition as clients see it. */
export const faults = faultsService('client');
