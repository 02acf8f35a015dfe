import { describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
import { RPC_SIGNATURE } from './protocol/constants.js';

const frame = (s: string) => Buffer.from(s);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A send() under the test's control: records every message and resolves (or rejects) on demand. */
class FakeSocket {
  readonly sent: Buffer[][] = [];
  outstanding = 0;
  maxOutstanding = 0;
  /** When set, sends wait for release(). */
  manual = false;
  #waiting: { resolve(): void; reject(err: Error): void }[] = [];
  failNext: Error | undefined;

  readonly send = (frames: Buffer[]): Promise<void> => {
    this.sent.push(frames);
    if (this.failNext !== undefined) {
      const err = this.failNext;
      this.failNext = undefined;
      return Promise.reject(err);
    }
    if (!this.manual) return Promise.resolve();
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    return new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.#waiting.length;
  }

  release(err?: Error): void {
    const w = this.#waiting.shift();
    if (w === undefined) throw new Error('no send is waiting');
    this.outstanding--;
    if (err === undefined) w.resolve();
    else w.reject(err);
  }

  /**
   * Each message's frames after route and signature, as strings: the
   * envelopes frame (the packets' first frames joined), then the body frames.
   */
  payloads(): string[][] {
    return this.sent.map((m) => m.slice(m.indexOf(RPC_SIGNATURE) + 1).map(String));
  }
}

function writer(socket: FakeSocket, options: Partial<BatchWriterOptions> = {}) {
  const errors: { err: unknown; key: string; tags: unknown[] }[] = [];
  const w = new BatchWriter({
    maxBatchPackets: 128,
    maxBatchBytes: 1 << 20,
    send: socket.send,
    onSendError: (err, key, tags) => errors.push({ err, key, tags }),
    ...options,
  });
  return { w, errors };
}

describe('BatchWriter', () => {
  it('coalesces packets queued in one turn into one message per destination, in order', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket);
    const routeA = frame('routeA');
    const routeB = frame('routeB');
    w.enqueue('a', routeA, frame('a1'), [frame('a1-body')]);
    w.enqueue('b', routeB, frame('b1'));
    w.enqueue('a', routeA, frame('a2'));
    w.enqueue('b', routeB, frame('b2'));
    expect(w.pending).toBe(4);
    expect(socket.sent).toEqual([]);
    await w.flushed();
    expect(w.pending).toBe(0);
    expect(socket.sent).toEqual([
      // [route, signature, envelopes, ...bodies]: each packet's first frame
      // (its envelope) goes into the one envelopes frame, its body frames follow.
      [routeA, RPC_SIGNATURE, frame('a1a2'), frame('a1-body')],
      [routeB, RPC_SIGNATURE, frame('b1b2')],
    ]);
  });

  it('rolls back an opened packet: its bytes leave the frame and nothing is queued', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket);
    w.enqueue('', undefined, frame('a1'));
    w.open('', undefined, 0).append(frame('dropped'));
    expect(w.openedBytes).toBe('dropped'.length);
    w.rollback();
    expect(w.openedBytes).toBe(0);
    expect(() => w.rollback()).toThrow(/without open/);
    w.enqueue('', undefined, frame('a2'));
    expect(w.pending).toBe(2);
    await w.flushed();
    expect(socket.sent).toEqual([[RPC_SIGNATURE, frame('a1a2')]]);
  });

  it('writes no route frame for a DEALER (route undefined)', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket);
    w.enqueue('', undefined, frame('x'));
    await w.flushed();
    expect(socket.sent).toEqual([[RPC_SIGNATURE, frame('x')]]);
  });

  it('sends a lone packet in the next check phase, without waiting for more', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket);
    w.enqueue('', undefined, frame('x'));
    await nextTurn();
    expect(socket.sent).toHaveLength(1);
  });

  it('sends a full batch at once, without waiting for the end of the loop turn', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket, { maxBatchPackets: 2 });
    w.enqueue('', undefined, frame('a'));
    await Promise.resolve();
    expect(socket.sent).toEqual([]);
    w.enqueue('', undefined, frame('b'));
    await Promise.resolve();
    expect(socket.payloads()).toEqual([['ab']]);
    w.enqueue('', undefined, frame('c'));
    await nextTurn();
    expect(socket.payloads()).toEqual([['ab'], ['c']]);
  });

  it('bounds a batch by packet count', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket, { maxBatchPackets: 3 });
    for (let i = 0; i < 7; i++) w.enqueue('', undefined, frame(`p${i}`));
    await w.flushed();
    expect(socket.payloads()).toEqual([['p0p1p2'], ['p3p4p5'], ['p6']]);
  });

  it('bounds a batch by bytes, and sends an oversized packet alone', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket, { maxBatchBytes: 10 });
    w.enqueue('', undefined, frame('aaaa'));
    w.enqueue('', undefined, frame('bb'), [frame('bb')]); // 4 + 4 = 8 <= 10
    w.enqueue('', undefined, frame('cccc')); // 12 > 10: new batch
    w.enqueue('', undefined, frame('dddddddddddd')); // larger than a batch on its own
    w.enqueue('', undefined, frame('e'));
    await w.flushed();
    expect(socket.payloads()).toEqual([['aaaabb', 'bb'], ['cccc'], ['dddddddddddd'], ['e']]);
  });

  it('keeps one send outstanding at a time and coalesces what queues behind it', async () => {
    const socket = new FakeSocket();
    socket.manual = true;
    const { w } = writer(socket, { maxBatchPackets: 2 });
    w.enqueue('', undefined, frame('1'));
    await nextTurn();
    expect(socket.waiting).toBe(1);
    for (let i = 2; i <= 6; i++) w.enqueue('', undefined, frame(String(i)));
    await nextTurn();
    await nextTurn();
    expect(socket.sent).toHaveLength(1);
    const done = w.flushed();
    while (socket.waiting > 0 || socket.sent.length < 4) {
      if (socket.waiting > 0) socket.release();
      await nextTurn();
    }
    await done;
    expect(socket.maxOutstanding).toBe(1);
    expect(socket.payloads()).toEqual([['1'], ['23'], ['45'], ['6']]);
  });

  it('hands onSendError the destination and the tags of exactly the failed message', async () => {
    const socket = new FakeSocket();
    socket.manual = true;
    const { w, errors } = writer(socket);
    w.enqueue('a', frame('routeA'), frame('1'), [], 1);
    await nextTurn();
    w.enqueue('b', frame('routeB'), frame('2'), [], 2);
    w.enqueue('b', frame('routeB'), frame('hb')); // untagged
    w.enqueue('b', frame('routeB'), frame('3'), [], 3);
    w.enqueue('c', frame('routeC'), frame('4'), [], 4);
    const done = w.flushed();
    socket.release();
    await nextTurn();
    const boom = Object.assign(new Error('EHOSTUNREACH'), { code: 'EHOSTUNREACH' });
    socket.release(boom);
    await nextTurn();
    socket.release();
    await done;
    expect(errors).toEqual([{ err: boom, key: 'b', tags: [2, 3] }]);
    expect(socket.sent).toHaveLength(3);
  });

  it('reports a send that throws synchronously like one that rejects', async () => {
    const socket = new FakeSocket();
    const { w, errors } = writer(socket, {
      send: () => {
        throw new Error('socket closed');
      },
    });
    w.enqueue('', undefined, frame('x'), [], 'tag');
    await w.flushed();
    expect(errors.map((e) => e.tags)).toEqual([['tag']]);
  });

  it('keeps going after a failed send', async () => {
    const socket = new FakeSocket();
    socket.failNext = new Error('EAGAIN');
    const { w, errors } = writer(socket, { maxBatchPackets: 1 });
    w.enqueue('', undefined, frame('1'), [], 1);
    w.enqueue('', undefined, frame('2'), [], 2);
    await w.flushed();
    expect(errors.map((e) => e.tags)).toEqual([[1]]);
    expect(socket.payloads()).toEqual([['1'], ['2']]);
  });

  it('asks beforeSend about tagged packets at send time and leaves out the refused ones', async () => {
    const socket = new FakeSocket();
    socket.manual = true;
    const withdrawn = new Set<number>();
    const asked: unknown[] = [];
    const { w } = writer(socket, {
      beforeSend: (tag) => {
        asked.push(tag);
        return !withdrawn.has(tag as number);
      },
    });
    w.enqueue('', undefined, frame('first'), [], 0);
    await nextTurn();
    w.enqueue('', undefined, frame('req1'), [frame('body1')], 1);
    w.enqueue('', undefined, frame('hb'));
    w.enqueue('', undefined, frame('req2'), [], 2);
    // Withdrawn after being queued, before its message leaves.
    withdrawn.add(1);
    const done = w.flushed();
    socket.release();
    await nextTurn();
    socket.release();
    await done;
    expect(asked).toEqual([0, 1, 2]);
    expect(socket.payloads()).toEqual([['first'], ['hbreq2']]);
  });

  it('sends nothing for a batch whose packets were all withdrawn', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket, { beforeSend: () => false });
    w.enqueue('', undefined, frame('1'), [], 1);
    w.enqueue('', undefined, frame('2'), [], 2);
    await w.flushed();
    expect(socket.sent).toEqual([]);
    expect(w.pending).toBe(0);
  });

  it('flushed() resolves at once when idle, and only after the last send otherwise', async () => {
    const socket = new FakeSocket();
    socket.manual = true;
    const { w } = writer(socket);
    await w.flushed();
    w.enqueue('', undefined, frame('1'));
    let resolved = false;
    const done = w.flushed().then(() => {
      resolved = true;
    });
    await nextTurn();
    await nextTurn();
    expect(resolved).toBe(false);
    w.enqueue('', undefined, frame('2'));
    socket.release();
    await nextTurn();
    expect(resolved).toBe(false);
    socket.release();
    await done;
    expect(socket.payloads()).toEqual([['1'], ['2']]);
  });

  it('clear() drops what is queued and returns its tags', async () => {
    const socket = new FakeSocket();
    const { w } = writer(socket);
    w.enqueue('a', frame('routeA'), frame('1'), [], 1);
    w.enqueue('b', frame('routeB'), frame('2'));
    w.enqueue('b', frame('routeB'), frame('3'), [], 3);
    expect(w.clear()).toEqual([1, 3]);
    expect(w.pending).toBe(0);
    await w.flushed();
    expect(socket.sent).toEqual([]);
  });

  it('never strands a packet enqueued while a finishing flush winds down', async () => {
    // The flush loop finds the queue empty a few microtasks before it marks
    // itself done; a packet enqueued in that window must still be sent.
    for (let delay = 0; delay < 8; delay++) {
      const socket = new FakeSocket();
      let armed = true;
      const w: BatchWriter = new BatchWriter({
        maxBatchPackets: 128,
        maxBatchBytes: 1 << 20,
        send: (frames) => {
          if (armed) {
            armed = false;
            let p = Promise.resolve();
            for (let i = 0; i < delay; i++) p = p.then(() => undefined);
            void p.then(() => w.enqueue('', undefined, frame('late')));
          }
          return socket.send(frames);
        },
        onSendError: () => {},
      });
      w.enqueue('', undefined, frame('first'));
      // Two turns: the first flush, then whatever it scheduled. No other enqueue happens.
      await nextTurn();
      await nextTurn();
      await nextTurn();
      expect(socket.payloads(), `late packet after ${delay} microtasks`).toEqual([['first'], ['late']]);
    }
  });
});
