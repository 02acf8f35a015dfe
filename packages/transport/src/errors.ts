import { CodedError } from '@courier/errors';

/**
 * The transport's one error registry: every error it throws at its callers (never for bad
 * input from the network, which becomes a decode error or a reply status instead).
 * Codes are stable and documented in docs/errors.md.
 */
export type TransportErrorCode =
  | 'ERR_COURIER_SOCKET_CLOSED'
  | 'ERR_COURIER_BIND_FAILED'
  | 'ERR_COURIER_INVALID_ENDPOINT';

/** Branded by family (see @courier/errors), so instanceof holds across duplicate installs. */
export class TransportError extends CodedError<TransportErrorCode> {
  static override readonly family = 'TransportError';
}
