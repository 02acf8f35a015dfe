import { CodedError, type ErrorCodeInfo } from '@courier/errors';

/** Stable codes of UsageError; listed in docs/errors.md and never reused. */
export type UsageErrorCode =
  /** The command line is wrong: a missing or extra argument, a bad endpoint, duration, number or JSON. */
  'ERR_COURIER_CLI_USAGE';

/** Bad command-line usage: printed as one line with a hint, exit code 2. The one error class the CLI throws. */
export class UsageError extends CodedError<UsageErrorCode> {
  static override readonly family = 'UsageError';

  constructor(message: string) {
    super('ERR_COURIER_CLI_USAGE', message);
  }
}

/** Every code this package throws (see the registry in @courier/core's errors.ts). */
export const errorCodes = {
  ERR_COURIER_CLI_USAGE: { class: 'UsageError' },
} as const satisfies Record<UsageErrorCode, ErrorCodeInfo>;
