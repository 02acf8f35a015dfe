/**
 * The longest delay a Node timer takes (2^31 - 1 ms, ~24.8 days); a longer
 * one fires at once, with a TimeoutOverflowWarning. So it caps every wait,
 * attempt and timeout in core, and is the longest timeout a method may have.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
