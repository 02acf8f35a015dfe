import type { CallOptions } from '../context.js';
import { type AnyService, type InputOf, type OutputOf, RESERVED_METHOD_NAMES } from '../definition.js';
import { DefinitionError } from '../errors.js';
import { type CallScope, EMPTY_SCOPE } from './call-scope.js';
import { type ClientControls, defineControls } from './controls.js';
import { Invoker } from './invoker.js';
import type { ClientOptions } from './options.js';

/**
 * One method as the caller sees it. The input may be left out when the
 * method's schema accepts `undefined`.
 */
export type ClientMethod<M> =
  undefined extends InputOf<M>
    ? (input?: InputOf<M>, options?: CallOptions) => Promise<OutputOf<M>>
    : (input: InputOf<M>, options?: CallOptions) => Promise<OutputOf<M>>;

/** The methods of a service, typed from its definition. */
export type ClientMethods<S extends AnyService> = {
  readonly [K in keyof S['methods']]: ClientMethod<S['methods'][K]>;
};

/** A typed client of service `S`: its methods, plus the `$`-prefixed controls and `withDefaults`. */
export type Client<S extends AnyService> = ClientMethods<S> & ClientControls<Client<S>>;

/**
 * Creates a typed client of a service from its definition: one method per
 * method of the service, checked at compile time.
 *
 * Each call encodes its input as MessagePack, goes to one endpoint chosen by
 * power of two choices on least outstanding calls (alive endpoints only, not
 * ejected by their circuit breaker), and resolves with the output or rejects
 * with the typed error of the reply's status (NotFoundError, ...), whose stack
 * is the caller's. A call the server refused without running it (OVERLOADED,
 * or UNAVAILABLE because it is draining) is retried, preferably on another
 * endpoint, whatever the method; a call whose endpoint died while it was in
 * flight (UNAVAILABLE decided by the client) is retried only if the method is
 * `idempotent`, since it may have run. Retries stay within the call's
 * deadline, `retry.maxAttempts` and the retry budget; nothing else is retried.
 * An endpoint that says it is draining gets no new calls from that moment,
 * and gets them again once it (or its restarted successor) heartbeats as
 * alive, so a rolling restart costs callers nothing.
 *
 * When no endpoint is usable, a call waits (within its deadline) only while
 * discovery has not answered yet or an endpoint is still connecting for the
 * first time; otherwise it fails at once with UnavailableError.
 *
 * @example
 * const playlist = createClient(playlistService, { endpoints: ['tcp://127.0.0.1:7001'] });
 * const track = await playlist.get({ id: '42' }, { deadlineMs: 200 });
 * await playlist.$close();
 */
export function createClient<const S extends AnyService>(definition: S, options: ClientOptions): Client<S> {
  const methods = Object.entries(definition.methods).map(([name, m]) => {
    // Method names the client API takes for itself: `withDefaults` (Scopable), and
    // `then`, which would make the client a thenable that `await` unwraps.
    // defineService refuses them with the same code; this guards hand-built definitions.
    if (RESERVED_METHOD_NAMES.has(name)) {
      throw new DefinitionError(
        'ERR_COURIER_MEMBER_NAME',
        `service ${definition.name} has a method named ${name}, which clients use for themselves; rename the method`,
      );
    }
    return { name, idempotent: m.idempotent === true };
  });
  const invoker = new Invoker(definition.name, options);
  const build = (scope: CallScope): Client<S> => {
    const view: Record<string, (input: unknown, options?: CallOptions) => Promise<unknown>> = {};
    for (const { name, idempotent } of methods) {
      // Not async: the caller awaits the Invoker's promise itself, which keeps its frames in async stack traces.
      view[name] = (input, callOptions) => invoker.call(name, idempotent, input, scope, callOptions);
    }
    return defineControls(view, invoker, scope, build);
  };
  return build(EMPTY_SCOPE);
}
