import type * as zmq from 'zeromq';
import { type AllowOption, allowLookup } from './allowlist.js';
import { CallerVerifier } from './caller-id.js';
import { keyBytes } from './curve25519.js';
import { SecurityError } from './errors.js';
import { registerZapDomain } from './zap-handler.js';

/** The `security` option of a server or event publisher: CURVE on, and who may connect. */
export interface ServerSecurityOptions {
  /** This server's long-term secret key (Z85, 40 characters). */
  readonly secretKey: string;
  /**
   * The client public keys allowed to connect: a list (entries may carry a
   * user id), a KeyAllowlist (mutable, for rotation), or a function. There is
   * no "allow everyone": a server with security on refuses unknown keys.
   */
  readonly allow: AllowOption;
}

/** Who sent a request on a secure server. */
export interface CallerIdentity {
  /** The client's public key (Z85), as authenticated by the CURVE handshake. */
  readonly key: string;
  /** What `allow` mapped the key to: its user id, or the key itself. */
  readonly userId: string;
}

/** Most keys remembered as having passed ZAP for an `allow` function. */
const MAX_REMEMBERED = 65_536;

/**
 * The security of one bound socket: its CURVE options, its ZAP domain in
 * the process-wide handler, and (for the RPC server) who each routing id is.
 */
export class ServerSecurity {
  readonly #lookup: (key: string, address: string) => string | undefined;
  readonly #dynamic: boolean;
  /** For an allow function: keys that passed ZAP, with the user id it gave. */
  readonly #passed = new Map<string, string>();
  readonly #verifier: CallerVerifier;
  readonly #secretKey: string;
  #release: (() => void) | undefined;

  constructor(options: ServerSecurityOptions) {
    if (options === null || typeof options !== 'object' || options.allow === undefined) {
      throw new SecurityError(
        'ERR_COURIER_INVALID_KEY',
        'security needs a secretKey and an allow list of client keys',
      );
    }
    keyBytes(options.secretKey, 'security.secretKey');
    this.#secretKey = options.secretKey;
    this.#lookup = allowLookup(options.allow);
    this.#dynamic = typeof options.allow === 'function';
    this.#verifier = new CallerVerifier(options.secretKey);
  }

  /**
   * Registers with the ZAP handler (starting it if needed) and sets CURVE on
   * `sock`; call before binding. Fails closed: the socket enforces its domain.
   */
  async apply(sock: zmq.Socket): Promise<void> {
    const { domain, release } = await registerZapDomain((key, address) => this.#authorize(key, address));
    this.#release = release;
    const s = sock as zmq.Socket & {
      curveServer: boolean;
      curveSecretKey: string | null;
      zapDomain: string | null;
      zapEnforceDomain: boolean;
    };
    s.curveServer = true;
    s.curveSecretKey = this.#secretKey;
    s.zapDomain = domain;
    s.zapEnforceDomain = true;
  }

  /** Unregisters the ZAP domain; the handler stops with its last socket. */
  release(): void {
    this.#release?.();
    this.#release = undefined;
  }

  /**
   * The caller behind a routing id, checked at a peer's first message: its
   * proof must hold and its key must be allowed now. Undefined: no service.
   */
  identify(route: Buffer): CallerIdentity | undefined {
    const key = this.#verifier.verify(route);
    if (key === undefined) return undefined;
    const userId = this.#dynamic ? this.#passed.get(key) : this.#lookup(key, '');
    return userId === undefined ? undefined : { key, userId };
  }

  #authorize(key: string, address: string): string | undefined {
    const userId = this.#lookup(key, address);
    if (this.#dynamic) {
      if (userId === undefined) this.#passed.delete(key);
      else {
        // Oldest first out, so a flood of distinct allowed keys stays bounded.
        this.#passed.delete(key);
        if (this.#passed.size >= MAX_REMEMBERED) this.#passed.delete(this.#passed.keys().next().value!);
        this.#passed.set(key, userId);
      }
    }
    return userId;
  }
}
