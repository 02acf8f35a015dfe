import type { Primes } from './primes.js';

/**
 * Runs in a worker thread: a plain function of its (already validated) input.
 * Throwing a CourierError here reaches the caller as the same typed error.
 */
export function countPrimes({ below }: { below: number }): Primes {
  const sieve = new Uint8Array(below);
  let count = 0;
  for (let i = 2; i < below; i++) {
    if (sieve[i] === 1) continue;
    count++;
    for (let j = i * i; j < below; j += i) sieve[j] = 1;
  }
  return { below, count };
}
