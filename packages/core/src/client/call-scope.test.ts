import { describe, expect, it } from 'vitest';
import { EMPTY_SCOPE, narrowScope, resolveCall } from './call-scope.js';

describe('resolveCall()', () => {
  const now = 1000;

  it('uses the client default when neither the call nor the scope gives a deadline', () => {
    expect(resolveCall(EMPTY_SCOPE, undefined, now, 5000, undefined).deadline).toBe(6000);
    expect(resolveCall(EMPTY_SCOPE, { deadlineMs: 20_000 }, now, 5000, undefined).deadline).toBe(21_000);
  });

  it("takes the stricter of the scope's and the call's, relative and absolute", () => {
    const scope = narrowScope(EMPTY_SCOPE, { deadlineMs: 300 });
    expect(resolveCall(scope, { deadlineMs: 9000 }, now, 5000, undefined).deadline).toBe(1300);
    expect(resolveCall(scope, { deadlineMs: 100 }, now, 5000, undefined).deadline).toBe(1100);
    expect(resolveCall(scope, { deadline: 1050 }, now, 5000, undefined).deadline).toBe(1050);
    const absolute = narrowScope(EMPTY_SCOPE, { deadline: 1200 });
    expect(resolveCall(absolute, undefined, now, 5000, undefined).deadline).toBe(1200);
    expect(
      resolveCall(narrowScope(absolute, { deadline: 1500 }), undefined, now, 5000, undefined).deadline,
    ).toBe(1200);
  });

  it('combines signals: either aborting aborts the call', () => {
    const a = new AbortController();
    const b = new AbortController();
    const call = resolveCall(
      narrowScope(EMPTY_SCOPE, { signal: a.signal }),
      { signal: b.signal },
      now,
      5000,
      undefined,
    );
    expect(call.signal!.aborted).toBe(false);
    a.abort();
    expect(call.signal!.aborted).toBe(true);
    expect(resolveCall(EMPTY_SCOPE, { signal: b.signal }, now, 5000, undefined).signal).toBe(b.signal);
    expect(resolveCall(EMPTY_SCOPE, undefined, now, 5000, undefined).signal).toBeUndefined();
  });

  it('merges metadata: client, then scope, then call', () => {
    const scope = narrowScope(EMPTY_SCOPE, { meta: { a: 'scope', b: 'scope' } });
    const call = resolveCall(scope, { meta: { b: 'call' } }, now, 5000, { caller: 'svc', a: 'client' });
    expect(call.meta).toEqual({ caller: 'svc', a: 'scope', b: 'call' });
    expect(resolveCall(EMPTY_SCOPE, undefined, now, 5000, undefined).meta).toBeUndefined();
  });
});
