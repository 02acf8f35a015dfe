/** Resolves in the next check phase, letting timers and I/O callbacks run first. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
