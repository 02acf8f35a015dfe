import { type Logger, pino } from 'pino';

/**
 * The logger a server uses when given none: pino to stdout at the level in
 * env COURIER_LOG_LEVEL (trace, debug, info, warn, error, fatal, silent), or
 * 'info'.
 */
export function defaultLogger(): Logger {
  return pino({ level: process.env.COURIER_LOG_LEVEL ?? 'info' });
}
