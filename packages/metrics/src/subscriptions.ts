import diagnosticsChannel from 'node:diagnostics_channel';

/** A diagnostics-channel subscriber. */
export type ChannelHandler = (message: unknown) => void;

/** A channel name and what to do with each message published on it. */
export type Subscription = readonly [channel: string, handler: ChannelHandler];

/**
 * Subscribes every handler and returns a function that unsubscribes them all.
 *
 * Node rethrows a subscriber's exception as an uncaught exception, in the
 * publisher's process: a metrics bug (or a malformed payload) would take the
 * service down. So each handler is wrapped: an exception is swallowed and
 * reported once per channel as a process warning.
 */
export function subscribeAll(subscriptions: readonly Subscription[]): () => void {
  const active = subscriptions.map(([channel, handler]) => {
    let warned = false;
    const safe = (message: unknown): void => {
      try {
        handler(message);
      } catch (err) {
        if (warned) return;
        warned = true;
        process.emitWarning(
          `@courier/metrics: a message on ${channel} could not be recorded: ${(err as Error)?.message ?? err}`,
          { code: 'COURIER_METRICS_BAD_MESSAGE' },
        );
      }
    };
    diagnosticsChannel.subscribe(channel, safe);
    return [channel, safe] as const;
  });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const [channel, safe] of active) diagnosticsChannel.unsubscribe(channel, safe);
  };
}
