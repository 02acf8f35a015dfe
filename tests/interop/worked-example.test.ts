import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Command,
  decodeMessage,
  encodeMessage,
  msgpack,
  type Packet,
  Status,
} from '../../packages/transport/src/index.js';
import { assertPythonPeerAvailable, runPeer } from './python.js';

/**
 * Keeps the worked example of docs/protocol.md (section 13) honest: its bytes must be
 * exactly what the reference codec writes, and both codecs must read them back.
 */

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The frames listed in the code block after `<!-- example:NAME -->`. */
function exampleFrames(name: string): Buffer[] {
  const start = doc.indexOf(`<!-- example:${name} -->`);
  if (start < 0) throw new Error(`docs/protocol.md has no <!-- example:${name} --> block`);
  const block = /```\n([\s\S]*?)```/.exec(doc.slice(start))?.[1] ?? '';
  return block
    .trim()
    .split('\n')
    .map((line, i) => {
      const m = /^frame (\d+) \((\d+) bytes\)\s+([0-9a-f ]+)$/.exec(line);
      if (m === null) throw new Error(`unexpected line in example ${name}: ${line}`);
      const frame = Buffer.from(m[3]!.replaceAll(' ', ''), 'hex');
      expect(Number(m[1])).toBe(i);
      expect(frame.length).toBe(Number(m[2]));
      return frame;
    });
}

const request: Packet = {
  cmd: Command.REQUEST,
  id: 1,
  method: 'greeter.hello',
  deadlineMs: 1500,
  meta: { caller: 'cli' },
  contentType: undefined,
  body: [msgpack.pack({ name: 'Ada' })],
};

const reply: Packet = {
  cmd: Command.REPLY,
  id: 1,
  status: Status.OK,
  message: undefined,
  details: undefined,
  meta: undefined,
  contentType: undefined,
  body: [msgpack.pack('Hello, Ada!')],
};

describe('the worked example in docs/protocol.md', () => {
  beforeAll(assertPythonPeerAvailable);

  it.each([
    ['request', request],
    ['reply', reply],
  ] as const)('%s: the bytes are what the reference codec writes and reads', (name, packet) => {
    const frames = exampleFrames(name);
    expect(frames).toEqual(encodeMessage([packet]));
    expect(decodeMessage(frames)).toEqual({ packets: [packet], errors: [] });
  });

  it('request: the Python peer reads the same packet', async () => {
    const out = JSON.parse(
      await runPeer(['decode', ...exampleFrames('request').map((f) => f.toString('hex'))]),
    );
    expect(out).toEqual({
      packets: [
        {
          cmd: 1,
          id: 1,
          method: 'greeter.hello',
          deadline_ms: 1500,
          meta: { caller: 'cli' },
          content_type: null,
          body: ['de0001a46e616d65a3416461'],
          value: { name: 'Ada' },
        },
      ],
      errors: [],
    });
  });

  it('reply: the Python peer reads the same packet', async () => {
    const out = JSON.parse(
      await runPeer(['decode', ...exampleFrames('reply').map((f) => f.toString('hex'))]),
    );
    expect(out).toEqual({
      packets: [
        {
          cmd: 2,
          id: 1,
          status: 200,
          message: null,
          details: null,
          meta: null,
          content_type: null,
          body: ['ab48656c6c6f2c2041646121'],
          value: 'Hello, Ada!',
        },
      ],
      errors: [],
    });
  });
});
