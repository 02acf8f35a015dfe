import { type CallerIdentity, type IncomingRequest, type OutgoingReply, Status } from '@courier/transport';
import type { Logger } from 'pino';
import { BuiltinMethod } from '../builtins.js';

/**
 * Decides whether `identity` may call `method` (the method's name in the
 * definition, or `_describe`). Runs before the call is admitted; `false`,
 * or a throw, refuses it with PERMISSION_DENIED and the handler never runs.
 * `identity` is undefined on a server without `security`.
 */
export type AuthorizeFunction = (identity: CallerIdentity | undefined, method: string) => boolean;

export interface AccessOptions {
  readonly authorize?: AuthorizeFunction;
  /**
   * Who may call `_describe` (the method list and schemas): `true` anyone
   * who reached the server, `'authorized'` only callers `authorize` allows
   * for `_describe`, `false` nobody (it answers NOT_FOUND, as if absent).
   * @default true
   */
  readonly describe?: boolean | 'authorized';
}

/** The per-method authorisation of one server; built-ins other than `_describe` are always answered. */
export class AccessPolicy {
  readonly #authorize: AuthorizeFunction | undefined;
  readonly #describe: boolean | 'authorized';
  readonly #log: Logger;

  constructor(options: AccessOptions, log: Logger) {
    if (options.authorize !== undefined && typeof options.authorize !== 'function') {
      throw new TypeError('Courier serve() option authorize must be a function');
    }
    this.#authorize = options.authorize;
    this.#describe = options.describe ?? true;
    this.#log = log;
  }

  /** Undefined when the call may go on; otherwise the refusal to send. */
  check(req: IncomingRequest, method: string, builtin: boolean): OutgoingReply | 'hidden' | undefined {
    if (builtin) {
      if (method !== BuiltinMethod.DESCRIBE) return undefined;
      if (this.#describe === false) return 'hidden';
      if (this.#describe === true) return undefined;
    }
    if (this.#authorize === undefined) return undefined;
    let allowed = false;
    try {
      allowed = this.#authorize(req.caller, method) === true;
    } catch (err) {
      // Fail closed: an authorisation bug refuses rather than lets through.
      this.#log.error({ err, method }, 'authorize threw; the call is refused');
    }
    if (allowed) return undefined;
    return {
      status: Status.PERMISSION_DENIED,
      message: `not allowed to call ${method}`,
      details: { method, ...(req.caller !== undefined && { userId: req.caller.userId }) },
    };
  }
}
