import { BuiltinMethod, type HealthReport, type ServiceDescription } from '../builtins.js';
import type { CallOptions } from '../context.js';
import { SERVICE_NAME } from '../definition.js';
import { ClientConfigError } from '../errors.js';
import { type CallScope, EMPTY_SCOPE } from './call-scope.js';
import { type ClientControls, defineControls } from './controls.js';
import { Invoker } from './invoker.js';
import type { ClientOptions } from './options.js';

/** Call options of a dynamic client, which cannot read idempotency from a definition. */
export interface DynamicCallOptions extends CallOptions {
  /** Whether the method may be retried after a lost endpoint (see MethodOptions.idempotent). @default false */
  idempotent?: boolean;
}

/** A client of a service known by name only (tools, the CLI, services in other languages). */
export interface DynamicClient extends ClientControls<DynamicClient> {
  /**
   * Calls `<service>.<method>` with any input; the output is whatever the
   * server sent. Without a service (`createDynamicClient(null, ...)`),
   * `method` is the full `service.method`.
   */
  call(method: string, input?: unknown, options?: DynamicCallOptions): Promise<unknown>;
  /** The service's own description of its methods and events (the built-in `_describe`). */
  describe(options?: CallOptions): Promise<ServiceDescription>;
  /** The service's health report (the built-in `_health`). */
  health(options?: CallOptions): Promise<HealthReport>;
}

/**
 * Creates a client that calls a service by name, without its definition.
 * It balances, retries and breaks circuits like a typed client; mark a call
 * `idempotent` to have it retried after a lost endpoint too.
 *
 * With `null` for the service it calls whatever serves its endpoints: `call`
 * takes `service.method`, and `describe()` and `health()` ask the built-ins
 * by their bare names, which every server answers (what `courier describe
 * <endpoint>` does).
 *
 * @example
 * const client = createDynamicClient('playlist', { endpoints: ['tcp://127.0.0.1:7001'] });
 * console.log(await client.describe());
 * const track = await client.call('get', { id: '42' }, { idempotent: true });
 */
export function createDynamicClient(service: string | null, options: ClientOptions): DynamicClient {
  if (service !== null && !SERVICE_NAME.test(service)) {
    throw new ClientConfigError(
      'ERR_COURIER_CLIENT_OPTIONS',
      `invalid service name ${JSON.stringify(service)}: use lower-case letters, digits and dashes, starting with a letter`,
    );
  }
  const invoker = new Invoker(service ?? '', options);
  const build = (scope: CallScope): DynamicClient => {
    const view = {
      call: (method: string, input?: unknown, callOptions?: DynamicCallOptions) =>
        invoker.call(method, callOptions?.idempotent === true, input, scope, callOptions),
      // The reply's shape is the server's promise; it is not validated here.
      describe: (callOptions?: CallOptions) =>
        invoker.call(
          BuiltinMethod.DESCRIBE,
          true,
          undefined,
          scope,
          callOptions,
        ) as Promise<ServiceDescription>,
      health: (callOptions?: CallOptions) =>
        invoker.call(BuiltinMethod.HEALTH, true, undefined, scope, callOptions) as Promise<HealthReport>,
    };
    return defineControls(view, invoker, scope, build);
  };
  return build(EMPTY_SCOPE);
}
