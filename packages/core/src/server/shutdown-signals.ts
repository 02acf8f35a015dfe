/**
 * Calls `onSignal` on the first of `signals`, then stops listening, so a
 * second signal gets Node's default action (terminate) instead of waiting
 * for a shutdown that may be stuck. Returns a function that removes the
 * listeners (idempotent).
 */
export function onShutdownSignal(
  signals: readonly NodeJS.Signals[],
  onSignal: (signal: NodeJS.Signals) => void,
): () => void {
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const signal of signals) process.off(signal, listener);
  };
  const listener = (signal: NodeJS.Signals): void => {
    remove();
    onSignal(signal);
  };
  for (const signal of signals) process.on(signal, listener);
  return remove;
}
