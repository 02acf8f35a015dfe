import { TransportServer } from '@courier/transport';
import { createComputePool } from '../compute/pool.js';
import type { AnyService } from '../definition.js';
import { ServerConfigError } from '../errors.js';
import { AccessPolicy } from './access.js';
import { Dispatcher } from './dispatcher.js';
import { defaultLogger } from './logger.js';
import { DEFAULT_GRACE_MS, DEFAULT_SIGNALS, graceMs, resolveLimits, type ServeOptions } from './options.js';
import { CourierServer, type Server } from './server.js';

/**
 * Serves a service: binds its endpoints and runs its handlers on the event
 * loop, each method within its concurrency limits, each call within its
 * deadline. Resolves once the endpoints are bound.
 *
 * @example
 * const server = await serve(playlist, {
 *   bind: 'tcp://0.0.0.0:7001',
 *   security: serverSecurityFromEnv(), // CURVE; plaintext only on trusted networks
 * });
 * // SIGTERM or SIGINT close it gracefully; or:
 * await server.close();
 */
export async function serve<TService extends AnyService>(
  definition: TService,
  options: ServeOptions<TService>,
): Promise<Server<TService>> {
  const {
    bind,
    logger,
    overrides,
    gracefulShutdown = {},
    pool: poolOptions,
    authorize,
    describe,
    ...socketOptions
  } = options;
  if (definition?.kind !== 'service') {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      'serve() needs a service definition made by defineService()',
    );
  }
  const log = (logger ?? defaultLogger()).child({ service: definition.name });
  const limits = resolveLimits(definition, overrides);
  const grace = graceMs(gracefulShutdown.graceMs ?? DEFAULT_GRACE_MS);
  const signals = gracefulShutdown.signals === false ? [] : (gracefulShutdown.signals ?? DEFAULT_SIGNALS);
  // Started (and its modules checked) before binding: a service that cannot compute does not take calls.
  const hasCompute = Object.values(definition.methods).some((m) => m.compute !== undefined);
  const pool = hasCompute ? await createComputePool(definition, poolOptions) : undefined;
  try {
    const access =
      authorize === undefined && describe === undefined
        ? undefined
        : new AccessPolicy({ authorize, describe }, log);
    const dispatcher = new Dispatcher(definition, limits, log, pool, access);
    const transport = await TransportServer.listen({
      ...socketOptions,
      bind,
      onRequest: dispatcher.onRequest,
    });
    const server = new CourierServer<TService>({
      definition,
      transport,
      dispatcher,
      log,
      graceMs: grace,
      settleMs: transport.heartbeatIntervalMs,
      signals,
      exitOnSignal: gracefulShutdown.exit !== false,
      pool,
    });
    server.started();
    return server;
  } catch (err) {
    await pool?.close();
    throw err;
  }
}
