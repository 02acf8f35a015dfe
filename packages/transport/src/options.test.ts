import { describe, expect, it } from 'vitest';
import { resolveSocketOptions } from './options.js';
import { DEFAULT_DECODE_LIMITS } from './protocol/framing.js';

describe('resolveSocketOptions', () => {
  it('fills every default', () => {
    expect(resolveSocketOptions()).toEqual({
      heartbeatIntervalMs: 1000,
      heartbeatLiveness: 3,
      maxPeerHeartbeatIntervalMs: 30_000,
      sendHighWaterMark: 10_000,
      receiveHighWaterMark: 10_000,
      maxFrameBytes: DEFAULT_DECODE_LIMITS.maxBodyBytes + 64 * 1024,
      limits: DEFAULT_DECODE_LIMITS,
      maxBatchPackets: 128,
      maxBatchBytes: 256 * 1024,
    });
  });

  it('merges partial limits and sizes the frame limit from the body limit', () => {
    const opts = resolveSocketOptions({ limits: { maxBodyBytes: 1000 } });
    expect(opts.limits).toEqual({ ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 1000 });
    expect(opts.maxFrameBytes).toBe(1000 + 64 * 1024);
  });

  it('rejects non-positive and non-finite numbers with a RangeError naming the option', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveSocketOptions({ heartbeatIntervalMs: bad })).toThrow(RangeError);
      expect(() => resolveSocketOptions({ maxBatchBytes: bad })).toThrow(/maxBatchBytes/);
    }
  });
});
