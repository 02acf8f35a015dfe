import { isKey, keyBytes } from './curve25519.js';

/** A client key allowed in, and the user id it maps to (what `ctx.identity.userId` shows). */
export interface AllowedKey {
  readonly key: string;
  readonly userId?: string;
}

/**
 * Decides, per handshake, whether a client key may connect. Return `true`,
 * or a user id string to allow it under that name; `false` refuses it.
 * Runs on the handshake path of every new connection: answer from memory.
 */
export type AllowFunction = (key: string, address: string) => boolean | string;

/**
 * A mutable set of allowed client keys, for rotation without a restart:
 * add the new key, roll the clients over, remove the old one. A removed key
 * is refused on its next handshake; connections already open stay open
 * until they drop (see docs/security.md, "Rotating keys").
 */
export class KeyAllowlist {
  readonly #keys = new Map<string, string | undefined>();

  constructor(keys: Iterable<string | AllowedKey> = []) {
    for (const entry of keys) {
      if (typeof entry === 'string') this.add(entry);
      else this.add(entry.key, entry.userId);
    }
  }

  /** Allows `key`; throws SecurityError ERR_COURIER_INVALID_KEY if it is not a Z85 key. */
  add(key: string, userId?: string): this {
    keyBytes(key, 'an allowed key');
    this.#keys.set(key, userId);
    return this;
  }

  remove(key: string): boolean {
    return this.#keys.delete(key);
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** The user id of an allowed key (the key itself when none was given); undefined if not allowed. */
  userIdOf(key: string): string | undefined {
    if (!this.#keys.has(key)) return undefined;
    return this.#keys.get(key) ?? key;
  }

  get size(): number {
    return this.#keys.size;
  }

  keys(): IterableIterator<string> {
    return this.#keys.keys();
  }
}

export type AllowOption = readonly (string | AllowedKey)[] | KeyAllowlist | AllowFunction;

/** The allow option as one lookup: key and address to user id, or undefined when refused. */
export function allowLookup(allow: AllowOption): (key: string, address: string) => string | undefined {
  if (typeof allow === 'function') {
    return (key, address) => {
      const verdict = allow(key, address);
      if (verdict === true) return key;
      return typeof verdict === 'string' && verdict.length > 0 ? verdict : undefined;
    };
  }
  const list = allow instanceof KeyAllowlist ? allow : new KeyAllowlist(allow);
  return (key) => list.userIdOf(key);
}

export { isKey };
