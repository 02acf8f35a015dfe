/**
 * npm run bench:codec: the strict MessagePack codec (packages/transport/src/msgpack)
 * against msgpackr (the baseline Courier does not control), in one run, on the
 * same values: a small request-like body, a medium record list, and a 64 KiB bin.
 * Prints ns per operation and the ratio strict / msgpackr (lower is faster).
 * `decode` is a kept MsgpackDecoder, as the sockets and core use (reused
 * reader, key cache); `decode1` is the free function, a fresh reader per call.
 */
import { Packr } from 'msgpackr';
import { decode, encode, MsgpackDecoder } from '../../packages/transport/src/msgpack/index.js';

const msgpackr = new Packr({
  useRecords: false,
  moreTypes: false,
  mapsAsObjects: true,
  int64AsType: 'number',
});

const small = { id: 'track-42', limit: 20, tags: ['a', 'b'], at: 1_764_000_000_123 };
const medium = Array.from({ length: 100 }, (_, i) => ({
  id: `user-${i}`,
  score: i * 1.5,
  count: i * 1000,
  active: i % 2 === 0,
  name: `Name ${i} with some text`,
}));
const bin = { data: Buffer.alloc(64 * 1024, 7) };

const decoder = new MsgpackDecoder();

function time(fn: () => unknown, minMs = 400): number {
  for (let i = 0; i < 1000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const min = BigInt(minMs) * 1_000_000n;
  while (elapsed < min) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / n;
}

console.log('value    op       bytes  strict ns/op  msgpackr ns/op  strict/msgpackr');
for (const [name, value] of [
  ['small', small],
  ['medium', medium],
  ['bin64k', bin],
] as const) {
  const bytes = msgpackr.pack(value);
  const ours = encode(value);
  const rows: [string, number, number][] = [
    ['encode', time(() => encode(value)), time(() => msgpackr.pack(value))],
    ['decode', time(() => decoder.decode(ours)), time(() => msgpackr.unpack(bytes))],
    ['decode1', time(() => decode(ours)), time(() => msgpackr.unpack(bytes))],
  ];
  for (const [op, a, b] of rows) {
    console.log(
      `${name.padEnd(8)} ${op.padEnd(7)} ${String(bytes.length).padStart(6)}  ${a.toFixed(0).padStart(12)}  ${b.toFixed(0).padStart(14)}  ${(a / b).toFixed(2).padStart(15)}`,
    );
  }
}
