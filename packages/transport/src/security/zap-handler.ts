import * as zmq from 'zeromq';
import { SecurityError } from './errors.js';
import { z85Encode } from './z85.js';

/** ZAP (RFC 27): where libzmq sends its authentication requests, on its context. */
export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
const ZAP_VERSION = '1.0';

/** What one secure socket answers for its ZAP domain: a user id, or undefined to refuse. */
export type ZapPolicy = (key: string, address: string) => string | undefined;

interface ZapState {
  readonly sock: zmq.Router;
  readonly domains: Map<string, ZapPolicy>;
  /** Settles once the ROUTER is bound: no secure socket may bind before. */
  ready: Promise<void>;
  refused: number;
}

// One handler per process, found through a global so duplicate installs of
// this package share it (a second bind of the ZAP endpoint would fail).
const kZap = Symbol.for('courier.zap-handler');
type Holder = {
  state: ZapState | undefined;
  nextDomain: number;
  /** The last handler's unbind: libzmq frees the endpoint only then, so a new bind waits for it. */
  stopping?: Promise<void>;
};
const holder: Holder = ((globalThis as Record<symbol, unknown>)[kZap] as Holder | undefined) ?? {
  state: undefined,
  nextDomain: 1,
};
(globalThis as Record<symbol, unknown>)[kZap] = holder;

/**
 * Registers a ZAP domain and its policy with the process-wide handler,
 * starting the handler first if this is the first secure socket. The
 * returned function unregisters it; the last one out stops the handler.
 *
 * Every socket gets its own non-empty domain, and sets zapEnforceDomain:
 * with an empty domain, or no handler bound, libzmq lets any client that
 * knows the server key in (it fails open). Requests for a domain nobody
 * registered are refused.
 */
export async function registerZapDomain(policy: ZapPolicy): Promise<{ domain: string; release: () => void }> {
  const domain = `courier-${process.pid}-${holder.nextDomain++}`;
  const state = holder.state ?? startHandler();
  await state.ready;
  state.domains.set(domain, policy);
  let released = false;
  return {
    domain,
    release: () => {
      if (released) return;
      released = true;
      state.domains.delete(domain);
      if (state.domains.size === 0 && holder.state === state) {
        holder.state = undefined;
        // close() alone frees the inproc name only when libzmq reaps the socket, later:
        // a secure socket opened right after would fail to start its handler.
        const stopping = state.sock
          .unbind(ZAP_ENDPOINT)
          .catch(() => {})
          .then(() => state.sock.close());
        holder.stopping = stopping;
        void stopping.then(() => {
          if (holder.stopping === stopping) holder.stopping = undefined;
        });
      }
    },
  };
}

/** Handshakes the handler has refused since it started (for tests and diagnostics). */
export function zapRefusedCount(): number {
  return holder.state?.refused ?? 0;
}

function startHandler(): ZapState {
  // Concurrent first registrations share this one bind: the holder is set
  // synchronously, and each of them awaits `ready`.
  const sock = new zmq.Router({ linger: 0 });
  const state: ZapState = { sock, domains: new Map(), ready: Promise.resolve(), refused: 0 };
  holder.state = state;
  state.ready = (holder.stopping ?? Promise.resolve())
    .then(() => sock.bind(ZAP_ENDPOINT))
    .then(
      () => {
        void serveZap(state);
      },
      (cause: unknown) => {
        if (holder.state === state) holder.state = undefined;
        sock.close();
        throw new SecurityError(
          'ERR_COURIER_ZAP_UNAVAILABLE',
          `cannot start the ZAP handler at ${ZAP_ENDPOINT}: ${(cause as Error).message}`,
          { cause },
        );
      },
    );
  return state;
}

async function serveZap(state: ZapState): Promise<void> {
  for (;;) {
    let msg: Buffer[];
    try {
      msg = await state.sock.receive();
    } catch {
      return; // closed
    }
    const reply = answer(state, msg);
    if (reply === undefined) continue;
    try {
      await state.sock.send(reply);
    } catch {
      return;
    }
  }
}

/**
 * One ZAP request: [route, "", version, request id, domain, address,
 * identity, mechanism, ...credentials]. Anything unexpected is refused.
 */
function answer(state: ZapState, msg: Buffer[]): (string | Buffer)[] | undefined {
  if (msg.length < 8 || msg[1]!.length !== 0) return undefined; // not ZAP: no reply possible
  const route = msg[0]!;
  const requestId = msg[3]!;
  const reply = (code: string, text: string, userId = ''): (string | Buffer)[] => [
    route,
    '',
    ZAP_VERSION,
    requestId,
    code,
    text,
    userId,
    '',
  ];
  if (msg[2]!.toString() !== ZAP_VERSION) {
    state.refused++;
    return reply('400', 'unsupported ZAP version');
  }
  const policy = state.domains.get(msg[4]!.toString());
  const mechanism = msg[7]!.toString();
  if (policy === undefined || mechanism !== 'CURVE' || msg.length !== 9 || msg[8]!.length !== 32) {
    state.refused++;
    return reply('400', 'not allowed');
  }
  let userId: string | undefined;
  try {
    userId = policy(z85Encode(msg[8]!), msg[5]!.toString());
  } catch (err) {
    // A throwing allow function refuses (fail closed) and says why once per throw.
    process.emitWarning(err as Error);
    userId = undefined;
  }
  if (userId === undefined) {
    state.refused++;
    return reply('400', 'key not allowed');
  }
  return reply('200', 'OK', userId);
}
