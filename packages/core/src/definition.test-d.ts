import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineService, type InputOf, method, type OutputOf } from './index.js';

const Track = z.object({ id: z.string(), title: z.string() });

describe('method()', () => {
  it('infers the handler input from the schema and the output from the handler', () => {
    const m = method({
      input: z.object({ id: z.string(), n: z.number().default(1) }),
      handler: async (input) => {
        expectTypeOf(input).toEqualTypeOf<{ id: string; n: number }>();
        return { ok: true as const };
      },
    });
    expectTypeOf<InputOf<typeof m>>().toEqualTypeOf<{ id: string; n?: number | undefined }>();
    expectTypeOf<OutputOf<typeof m>>().toEqualTypeOf<{ ok: true }>();
  });

  it('takes the output type from an output schema and checks the handler against it', () => {
    const m = method({
      input: z.object({ id: z.string() }),
      output: Track,
      handler: async ({ id }) => ({ id, title: 't' }),
    });
    expectTypeOf<OutputOf<typeof m>>().toEqualTypeOf<{ id: string; title: string }>();
    // @ts-expect-error the handler's reply lacks `title`
    method({
      input: z.object({ id: z.string() }),
      output: Track,
      handler: async ({ id }) => ({ id }),
    });
  });

  it('keeps method names and types in the service definition', () => {
    const svc = defineService({
      name: 'playlist',
      version: 1,
      methods: {
        get: method({
          input: z.object({ id: z.string() }),
          output: Track,
          handler: async ({ id }) => ({ id, title: '' }),
        }),
      },
      events: { created: Track },
    });
    expectTypeOf(svc.name).toEqualTypeOf<'playlist'>();
    expectTypeOf<keyof typeof svc.methods>().toEqualTypeOf<'get'>();
    expectTypeOf<keyof typeof svc.events>().toEqualTypeOf<'created'>();
  });
});
