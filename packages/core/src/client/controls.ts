import type { CallOptions, Scopable } from '../context.js';
import { type CallScope, narrowScope } from './call-scope.js';
import type { EndpointInfo } from './endpoint.js';
import type { Invoker } from './invoker.js';

/**
 * - `connecting`: no endpoint usable yet, but discovery is pending or one is connecting.
 * - `ready`: at least one endpoint can take a call.
 * - `unavailable`: none can (all dead, draining or ejected, or none known); calls fail with UNAVAILABLE.
 * - `closed`: `$close()` was called.
 */
export type ClientState = 'connecting' | 'ready' | 'unavailable' | 'closed';

/**
 * What a client offers besides its service's methods. The names start with
 * `$` (or are a symbol) so they never collide with a method; `withDefaults`
 * is the exception the Scopable contract needs, so no method may take it.
 */
export interface ClientControls<TSelf> extends Scopable<TSelf>, AsyncDisposable {
  /** The service this client calls. */
  readonly $service: string;
  readonly $state: ClientState;
  /** A snapshot of the endpoints and their states. */
  $endpoints(): EndpointInfo[];
  /**
   * Closes every connection of the client, for all its views: calls in
   * flight settle with CANCELLED, later calls fail with UNAVAILABLE.
   */
  $close(): Promise<void>;
}

/**
 * Defines the control members on a client view, non-enumerable so that
 * `Object.keys(client)` lists just the methods. Returns the view as the
 * client type `TSelf` the caller vouches for.
 */
export function defineControls<TSelf>(
  view: object,
  invoker: Invoker,
  scope: CallScope,
  rebuild: (scope: CallScope) => TSelf,
): TSelf {
  const close = (): Promise<void> => invoker.close();
  const controls: ClientControls<TSelf> = {
    $service: invoker.service,
    get $state(): ClientState {
      const pool = invoker.pool;
      if (pool.closed) return 'closed';
      if (pool.hasUsable) return 'ready';
      return pool.worthWaiting ? 'connecting' : 'unavailable';
    },
    $endpoints: () => invoker.pool.infos(),
    $close: close,
    withDefaults: (defaults: CallOptions) => rebuild(narrowScope(scope, defaults)),
    [Symbol.asyncDispose]: close,
  };
  const descriptors = Object.getOwnPropertyDescriptors(controls);
  for (const key of Reflect.ownKeys(descriptors)) {
    (descriptors as Record<PropertyKey, PropertyDescriptor>)[key]!.enumerable = false;
  }
  return Object.defineProperties(view, descriptors) as TSelf;
}
