import { z } from 'zod';

export const Primes = z.object({ below: z.number(), count: z.number() });
export type Primes = z.infer<typeof Primes>;
