import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { ClientConfigError, callInfo, OverloadedError } from '../index.js';
import { testService } from '../testing.js';
import { AdaptiveThrottle, THROTTLED, Throttles } from './adaptive-throttle.js';

/** A clock the test moves, and a random source that always draws `draw`. */
function setup(options = {}, draw = 0.5) {
  let t = 0;
  const throttle = new AdaptiveThrottle(
    options,
    () => t,
    () => draw,
  );
  return {
    throttle,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('AdaptiveThrottle', () => {
  it('never rejects below minRequests in the window', () => {
    const { throttle } = setup({ minRequests: 10 });
    for (let i = 0; i < 9; i++) throttle.answered(false);
    expect(throttle.rejectProbability).toBe(0);
    throttle.answered(false);
    expect(throttle.rejectProbability).toBeCloseTo(10 / 11, 10);
  });

  it('never rejects while the server accepts', () => {
    const { throttle } = setup();
    for (let i = 0; i < 1000; i++) {
      expect(throttle.allow()).toBe(true);
      throttle.answered(true);
    }
    expect(throttle.rejectProbability).toBe(0);
  });

  it('rejects with probability max(0, (requests - k*accepts) / (requests + 1))', () => {
    const { throttle } = setup({ k: 2 });
    // 100 requests, 10 accepted: (100 - 20) / 101.
    for (let i = 0; i < 100; i++) throttle.answered(i % 10 === 0);
    expect(throttle.rejectProbability).toBeCloseTo(80 / 101, 10);
    // Calls in flight are not counted until answered; a local rejection counts at once.
    expect(throttle.allow()).toBe(false);
    expect(throttle.rejectProbability).toBeCloseTo(81 / 102, 10);
    // A draw of 0.5 under p ~0.79 is rejected; one above it is sent.
    expect(throttle.allow()).toBe(false);
    const high = setup({ k: 2 }, 0.9);
    for (let i = 0; i < 100; i++) high.throttle.answered(false);
    expect(high.throttle.rejectProbability).toBeCloseTo(100 / 101, 10);
    expect(high.throttle.allow()).toBe(false);
    const k3 = setup({ k: 3 });
    for (let i = 0; i < 100; i++) k3.throttle.answered(i % 10 === 0);
    expect(k3.throttle.rejectProbability).toBeCloseTo(70 / 101, 10);
  });

  it('forgets what left the sliding window', () => {
    const { throttle, advance } = setup({ windowMs: 2000 });
    for (let i = 0; i < 100; i++) throttle.answered(false);
    expect(throttle.rejectProbability).toBeGreaterThan(0.9);
    advance(1000);
    // Half a window later, the refusals still count.
    expect(throttle.rejectProbability).toBeGreaterThan(0.9);
    advance(1000);
    expect(throttle.rejectProbability).toBe(0);
  });

  it('refuses bad options with a typed error', () => {
    expect(() => setup({ k: 0.5 })).toThrow(ClientConfigError);
    expect(() => new Throttles({ windowMs: 1 }, () => 0, Math.random)).toThrow(ClientConfigError);
  });
});

describe('client throttling', () => {
  const busy = defineService({
    name: 'busy',
    version: 1,
    methods: {
      get: method({
        input: z.undefined(),
        handler: () => {
          throw new OverloadedError('busy');
        },
      }),
      other: method({ input: z.undefined(), handler: () => 'ok' }),
    },
  });

  it('fails calls locally once the server refuses most, per method, and retries no OVERLOADED', async () => {
    let served = 0;
    const counting = defineService({
      ...busy,
      methods: {
        ...busy.methods,
        get: method({
          input: z.undefined(),
          handler: () => {
            served++;
            throw new OverloadedError('busy');
          },
        }),
      },
    });
    // Draws of 0 are under any positive probability: every call the throttle may reject, it rejects.
    await using svc = await testService(counting, { client: { random: () => 0 } });
    // Below minRequests (10) in the window nothing is throttled, and refusals are retried (3 attempts each).
    const early = await svc.client.get().catch((e: unknown) => e);
    expect(callInfo(early)).toMatchObject({ local: false, attempts: 3 });
    const more = await svc.client.get().catch((e: unknown) => e);
    expect(callInfo(more)).toMatchObject({ local: false, attempts: 3 });
    expect(served).toBe(6);
    // Six refused: the next attempts are sent while under 10, then the throttle rejects
    // (p = (10 - 0) / 11), and the OVERLOADED of the 10th is not retried.
    const third = await svc.client.get().catch((e: unknown) => e);
    expect(callInfo(third)).toMatchObject({ local: false, attempts: 3 });
    const fourth = await svc.client.get().catch((e: unknown) => e);
    expect(callInfo(fourth)).toMatchObject({ local: false, attempts: 1 });
    expect(served).toBe(10);
    const throttled = await svc.client.get().catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(OverloadedError);
    expect((throttled as OverloadedError).details).toEqual({ code: THROTTLED });
    expect(callInfo(throttled)).toMatchObject({ local: true, attempts: 0 });
    expect(served).toBe(10);
    // Another method of the same client is not throttled.
    expect(await svc.client.other()).toBe('ok');
  });

  it('can be turned off', async () => {
    let served = 0;
    const counting = defineService({
      name: 'busy',
      version: 1,
      methods: {
        get: method({
          input: z.undefined(),
          handler: () => {
            served++;
            throw new OverloadedError('busy');
          },
        }),
      },
    });
    await using svc = await testService(counting, {
      client: { random: () => 0, throttle: false, retry: false },
    });
    for (let i = 0; i < 5; i++) await svc.client.get().catch(() => undefined);
    expect(served).toBe(5);
  });
});
