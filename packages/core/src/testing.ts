import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { type Client, createClient } from './client/create-client.js';
import type { ClientOptions } from './client/options.js';
import type { AnyService } from './definition.js';
import type { ServeOptions } from './server/options.js';
import { serve } from './server/serve.js';
import type { Server } from './server/server.js';

export interface TestServiceOptions<TService extends AnyService> {
  /** Client options; `endpoints` is the test server's. */
  readonly client?: Omit<ClientOptions, 'endpoints' | 'discovery'>;
  /**
   * Server options; `bind` is a unique `inproc://` address. By default the
   * logger is silent, no signal listeners are installed, and the grace
   * period is 0 (calls still running at dispose are cancelled).
   */
  readonly server?: Omit<ServeOptions<TService>, 'bind'>;
}

/** A service running in this process, with a client connected to it. */
export interface TestService<TService extends AnyService> extends AsyncDisposable {
  readonly client: Client<TService>;
  readonly server: Server<TService>;
}

let counter = 0;

/**
 * Starts a service on a unique in-process address and connects a typed
 * client to it. Disposing closes both.
 *
 * @example
 * await using svc = await testService(playlist);
 * expect(await svc.client.get({ id: '1' })).toEqual({ id: '1', title: 'One' });
 */
export async function testService<const TService extends AnyService>(
  definition: TService,
  options: TestServiceOptions<TService> = {},
): Promise<TestService<TService>> {
  // inproc names are per ZeroMQ context; both ends use the default one here.
  const bind = `inproc://courier-test-${definition.name}-${process.pid}-${++counter}-${randomBytes(4).toString('hex')}`;
  const server = await serve(definition, {
    logger: pino({ level: 'silent' }),
    ...options.server,
    gracefulShutdown: { graceMs: 0, signals: false, ...options.server?.gracefulShutdown },
    bind,
  } as ServeOptions<TService>);
  const client = createClient(definition, { ...options.client, endpoints: server.endpoints });
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      try {
        await client.$close();
      } finally {
        await server.close();
      }
    },
  };
}
