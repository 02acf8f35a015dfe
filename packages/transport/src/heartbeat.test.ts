import { describe, expect, it } from 'vitest';
import { Liveness } from './heartbeat.js';

describe('Liveness', () => {
  it('judges the peer by our own interval until the peer advertises its own', () => {
    const l = new Liveness(0, 100, 3);
    expect(l.peerIntervalMs).toBe(100);
    expect(l.timeoutMs).toBe(300);
    l.advertise(40);
    expect(l.peerIntervalMs).toBe(40);
    expect(l.timeoutMs).toBe(120);
  });

  it('declares the peer dead only once the silence exceeds liveness x interval', () => {
    const l = new Liveness(1000, 100, 3);
    expect(l.check(1000)).toEqual({ newlyMissed: 0, dead: false });
    expect(l.check(1300).dead).toBe(false);
    expect(l.check(1300.5).dead).toBe(true);
  });

  it('counts each missed interval once', () => {
    const l = new Liveness(0, 100, 5);
    expect(l.check(99).newlyMissed).toBe(0);
    expect(l.check(150).newlyMissed).toBe(1);
    expect(l.check(190).newlyMissed).toBe(0);
    expect(l.check(210).newlyMissed).toBe(1);
    // A late check (a busy event loop) reports every interval it skipped.
    expect(l.check(520)).toEqual({ newlyMissed: 3, dead: true });
  });

  it('starts over when the peer is seen', () => {
    const l = new Liveness(0, 100, 3);
    expect(l.check(250).newlyMissed).toBe(2);
    l.seen(250);
    expect(l.check(340)).toEqual({ newlyMissed: 0, dead: false });
    expect(l.check(360).newlyMissed).toBe(1);
    expect(l.check(551).dead).toBe(true);
    l.seen(551);
    expect(l.check(560)).toEqual({ newlyMissed: 0, dead: false });
  });

  it('applies an advertised interval to the silence already running', () => {
    const l = new Liveness(0, 1000, 3);
    expect(l.check(500)).toEqual({ newlyMissed: 0, dead: false });
    l.advertise(100);
    expect(l.check(500)).toEqual({ newlyMissed: 5, dead: true });
  });

  it('never reports a negative count after the peer slows down', () => {
    const l = new Liveness(0, 10, 100);
    expect(l.check(55).newlyMissed).toBe(5);
    l.advertise(100);
    expect(l.check(60).newlyMissed).toBe(0);
    expect(l.check(700).newlyMissed).toBe(2);
  });
});
