import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import {
  type BytesTransferred,
  Command,
  decodeMessage,
  type IncomingRequest,
  msgpack,
  type PeerState,
  RPC_SIGNATURE,
  Status,
  TransportChannels,
  TransportClient,
  TransportServer,
} from '../../packages/transport/src/index.js';
import {
  assertPythonPeerAvailable,
  killAllPeers,
  type PythonServer,
  pythonCall,
  runPeer,
  startPythonServer,
  waitFor,
} from './python.js';

/**
 * The contract test for docs/protocol.md: tests/interop/courier_peer.py was written from
 * the document alone, and here it talks to the reference implementation both ways.
 */

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
/**
 * Short heartbeats keep the liveness tests fast; a generous liveness keeps the tests that
 * are not about liveness from declaring a peer dead on a busy machine.
 */
const PY_HEARTBEAT = ['--interval-ms', '50'];
const PY_SERVER = [...PY_HEARTBEAT, '--liveness', '10'];

beforeAll(assertPythonPeerAvailable);
afterAll(killAllPeers);

describe('a Python client calling a TypeScript server', () => {
  let server: TransportServer;
  const seen: IncomingRequest[] = [];
  const endpoint = () => server.endpoints[0]!;

  beforeAll(async () => {
    server = await TransportServer.listen({
      bind: 'tcp://127.0.0.1:*',
      heartbeatIntervalMs: 50,
      onRequest: (req) => {
        seen.push(req);
        switch (req.method) {
          case 'ts.echo':
            req.reply({ status: Status.OK, body: req.body, meta: req.meta, contentType: req.contentType });
            return;
          case 'ts.status': {
            const { status, message, details } = msgpack.unpack(req.body[0]!) as {
              status: number;
              message?: string;
              details?: unknown;
            };
            req.reply({ status, message, details, meta: { 'x-from': 'ts' } });
            return;
          }
          default:
            req.reply({ status: Status.NOT_FOUND, message: `no method ${req.method}` });
        }
      },
    });
  });
  afterAll(() => server.close());

  it('round-trips a MessagePack body and metadata, and hears the server HEARTBEAT', async () => {
    const value = { name: 'Ada', list: [1, -2, 2.5, null, true, 'x'], nested: { k: 'v' }, big: 2 ** 40 };
    const [reply] = await pythonCall([
      endpoint(),
      'ts.echo',
      JSON.stringify(value),
      '--meta',
      'caller=py-round-trip',
      '--meta',
      `traceparent=${TRACEPARENT}`,
      '--deadline-ms',
      '4000',
    ]);
    expect(reply).toEqual({
      id: 1,
      status: 200,
      status_name: 'OK',
      message: null,
      details: null,
      meta: { caller: 'py-round-trip', traceparent: TRACEPARENT },
      content_type: null,
      body: value,
      local: false,
      server_heartbeat: { interval_ms: 50, liveness: 3, draining: false },
    });
    const req = seen.find((r) => r.meta?.caller === 'py-round-trip')!;
    expect(req).toMatchObject({ method: 'ts.echo', deadlineMs: 4000, contentType: undefined });
    expect(req.body).toHaveLength(1);
    expect(msgpack.unpack(req.body[0]!)).toEqual(value);
  });

  it('sends several requests in one message and matches the replies by id', async () => {
    const values = [1, 'two', { three: 3 }, [4, 4, 4, 4]];
    const replies = await pythonCall([endpoint(), 'ts.echo', ...values.map((v) => JSON.stringify(v))]);
    expect(replies.map((r) => [r.id, r.status, r.body])).toEqual(values.map((v, i) => [i + 1, 200, v]));
  });

  it('receives statuses, messages and details, and treats an unknown status as INTERNAL', async () => {
    const asked = [
      { status: 404, message: 'nothing here', details: { why: 'gone', tries: 2 } },
      { status: 429, message: 'busy' },
      { status: 503, message: 'draining' },
      { status: 504 },
      { status: 418, message: 'a teapot' },
    ];
    const replies = await pythonCall([endpoint(), 'ts.status', ...asked.map((a) => JSON.stringify(a))]);
    expect(replies.map((r) => [r.status, r.status_name, r.message, r.details])).toEqual([
      [404, 'NOT_FOUND', 'nothing here', { why: 'gone', tries: 2 }],
      [429, 'OVERLOADED', 'busy', null],
      [503, 'UNAVAILABLE', 'draining', null],
      [504, 'DEADLINE_EXCEEDED', null, null],
      [418, 'INTERNAL', 'a teapot', null],
    ]);
    for (const r of replies) expect(r).toMatchObject({ meta: { 'x-from': 'ts' }, local: false, body: null });
  });

  it('keeps a JSON body and its content type as they are', async () => {
    const [reply] = await pythonCall([
      endpoint(),
      'ts.echo',
      '{"a":[1,2],"b":"c"}',
      '--content-type',
      'application/json',
      '--meta',
      'caller=py-json',
    ]);
    expect(reply).toMatchObject({
      status: 200,
      content_type: 'application/json',
      body: { a: [1, 2], b: 'c' },
    });
    const req = seen.find((r) => r.meta?.caller === 'py-json')!;
    expect(req.contentType).toBe('application/json');
    expect(JSON.parse(req.body[0]!.toString('utf8'))).toEqual({ a: [1, 2], b: 'c' });
  });

  describe('the TypeScript server answers unusual input as documented (section 8)', () => {
    it.each([
      ['unknown-command', [{ id: 42, status: 501, details: { code: 'UNKNOWN_COMMAND' } }]],
      ['bad-version', [{ id: 0, status: 501, details: { code: 'UNSUPPORTED_VERSION' } }]],
      ['invalid-field', [{ id: 9, status: 400, details: { code: 'INVALID_FIELD' } }]],
      ['malformed', [{ id: 0, status: 400, details: { code: 'MALFORMED_ENVELOPE' } }]],
      ['too-large', [{ id: 31, status: 413, details: { code: 'TOO_LARGE' } }]],
      // NOT_COURIER is dropped silently: the first reply is the valid request's.
      ['not-courier', [{ id: 11, status: 200, body: 'after garbage' }]],
      ['future-fields', [{ id: 12, status: 200, body: 'hi' }]],
      [
        'mixed-batch',
        [
          { id: 21, status: 200, body: 'a' },
          { id: 22, status: 501, details: { code: 'UNKNOWN_COMMAND' } },
          { id: 23, status: 200, body: 'c' },
        ],
      ],
    ])('%s', async (probe, expected) => {
      const out = await runPeer(['probe', endpoint(), probe]);
      const replies = (JSON.parse(out) as { id: number }[]).sort((a, b) => a.id - b.id);
      expect(replies).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        expect(replies[i]).toMatchObject({ ...e, local: false });
      });
    });
  });
});

interface PyStats {
  requests: number;
  cancelled: number;
  aborted: number;
  held: number;
  peers: number;
  max_packets_per_message: number;
}

describe('a TypeScript client calling a Python server', () => {
  let py: PythonServer;
  let client: TransportClient;

  const call = (method: string, value?: unknown, deadlineMs = 5000) =>
    client.request({ method, body: value === undefined ? [] : [msgpack.pack(value)], deadlineMs });
  const stats = async () => msgpack.unpack((await call('py.stats')).body[0]!) as PyStats;

  beforeAll(async () => {
    py = await startPythonServer(PY_SERVER);
  });
  afterAll(() => py.stop());
  beforeEach(() => {
    client = new TransportClient({ connect: py.endpoint, heartbeatIntervalMs: 50, heartbeatLiveness: 10 });
  });
  afterEach(() => client.close());

  it('is answered with a HEARTBEAT at once, and becomes alive', async () => {
    await waitFor(() => client.state === 'alive', 'the Python server to answer the introduction');
  });

  it('echoes a MessagePack body with its metadata', async () => {
    const value = { name: 'Ada', bytes: Buffer.from([0, 1, 255]), when: -1.5, list: [null, false] };
    const meta = { traceparent: TRACEPARENT, caller: 'ts-test' };
    const reply = await client.request({
      method: 'py.echo',
      body: [msgpack.pack(value)],
      deadlineMs: 5000,
      meta,
    });
    expect(reply).toMatchObject({ status: Status.OK, local: false, meta, contentType: undefined });
    expect(msgpack.unpack(reply.body[0]!)).toEqual(value);
  });

  it('round-trips 64-bit integers and timestamps as integers both ways, strictly (Python decodes them as int)', async () => {
    const value = [
      5_000_000_000,
      2 ** 53 - 1,
      2n ** 53n + 1n,
      -(2n ** 63n),
      2n ** 64n - 1n,
      -1,
      1.5,
      new Date(1_700_000_000_123),
    ];
    const reply = await client.request({ method: 'py.types', body: [msgpack.pack(value)], deadlineMs: 5000 });
    expect(reply.status).toBe(Status.OK);
    const out = msgpack.unpack(reply.body[0]!) as { types: string[]; value: unknown[] };
    expect(out.types).toEqual(['int', 'int', 'int', 'int', 'int', 'int', 'float', 'Timestamp']);
    expect(out.value).toEqual(value);
    // Python's own encoding of 5000000000 is a uint64, and the codec reads it back as a number.
    expect(typeof out.value[0]).toBe('number');
  });

  it('is refused by the Python peer for an extension outside the subset', async () => {
    // fixext1 type 0x69: one of msgpackr's reference extensions.
    const reply = await client.request({
      method: 'py.types',
      body: [Buffer.from([0xd4, 0x69, 0x00])],
      deadlineMs: 5000,
    });
    expect(reply.status).toBe(Status.BAD_REQUEST);
    expect(reply.message).toContain('extension type 105');
  });

  it('gets body frames back untouched, whatever the content type', async () => {
    const body = [Buffer.from([0xde, 0xad]), Buffer.alloc(0), Buffer.from('third frame')];
    const reply = await client.request({
      method: 'py.echo',
      body,
      deadlineMs: 5000,
      contentType: 'application/octet-stream',
    });
    expect(reply).toMatchObject({ status: Status.OK, contentType: 'application/octet-stream' });
    expect(reply.body).toEqual(body);
  });

  it('receives an error status with its message and details', async () => {
    const reply = await call('py.fail', { status: Status.UNAVAILABLE, message: 'not today' });
    expect(reply).toMatchObject({
      status: Status.UNAVAILABLE,
      message: 'not today',
      details: { method: 'py.fail', peer: 'python' },
      local: false,
      body: [],
    });
  });

  it('receives NOT_FOUND for a method the server does not serve', async () => {
    expect(await call('py.nothing', 1)).toMatchObject({ status: Status.NOT_FOUND, local: false });
  });

  it('pipelines many requests and matches the batched, reordered replies by id', async () => {
    const values = Array.from({ length: 50 }, (_, i) => ({ i, pad: 'x'.repeat(i) }));
    // Issued in one turn of the event loop, so they leave in one message; the Python
    // server answers them in one message too, in reverse order.
    const replies = await Promise.all(values.map((v) => call('py.echo', v)));
    replies.forEach((reply, i) => {
      expect(reply.status).toBe(Status.OK);
      expect(msgpack.unpack(reply.body[0]!)).toEqual(values[i]);
    });
    expect((await stats()).max_packets_per_message).toBeGreaterThanOrEqual(values.length);
  });

  it('sends CANCEL when a deadline passes or the caller aborts', async () => {
    const before = await stats();
    expect(await call('py.hold', undefined, 100)).toMatchObject({
      status: Status.DEADLINE_EXCEEDED,
      local: true,
    });
    const controller = new AbortController();
    const aborted = client.request({
      method: 'py.hold',
      body: [],
      deadlineMs: 5000,
      signal: controller.signal,
    });
    await waitFor(async () => (await stats()).held === before.held + 1, 'the held request to arrive');
    controller.abort();
    expect(await aborted).toMatchObject({ status: Status.CANCELLED, local: true });
    await waitFor(
      async () => (await stats()).cancelled === before.cancelled + 2,
      'the Python server to receive both CANCELs',
    );
    expect((await stats()).held).toBe(before.held);
  });

  it('leaves on close, and the server forgets it and drops its work', async () => {
    const other = new TransportClient({
      connect: py.endpoint,
      heartbeatIntervalMs: 50,
      heartbeatLiveness: 10,
    });
    const before = await stats();
    void other.request({ method: 'py.hold', body: [], deadlineMs: 5000 });
    await waitFor(async () => (await stats()).held === before.held + 1, 'the held request to arrive');
    const peers = (await stats()).peers;
    await other.close();
    await waitFor(async () => (await stats()).peers === peers - 1, 'the Python server to forget the peer');
    const after = await stats();
    expect(after.aborted).toBe(before.aborted + 1);
    expect(after.held).toBe(before.held);
  });
});

describe('liveness between a TypeScript client and a Python server', () => {
  const clients: TransportClient[] = [];
  const newClient = (endpoint: string, heartbeatLiveness = 3) => {
    const client = new TransportClient({ connect: endpoint, heartbeatIntervalMs: 50, heartbeatLiveness });
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await killAllPeers();
  });

  it('stays alive on the Python server heartbeats alone while idle', async () => {
    const py = await startPythonServer(PY_SERVER);
    // 10 × 50 ms of silence would make it dead; 15 heartbeats take longer than that.
    const client = newClient(py.endpoint, 10);
    const states: PeerState[] = [];
    client.on('state', (to) => states.push(to));
    let received = 0;
    const onBytes = (m: unknown) => {
      const { side, direction } = m as BytesTransferred;
      if (side === 'client' && direction === 'in') received++;
    };
    diagnosticsChannel.subscribe(TransportChannels.bytes, onBytes);
    try {
      await waitFor(() => client.state === 'alive', 'the client to become alive');
      const from = received;
      await waitFor(() => received >= from + 15, '15 heartbeats from the Python server');
    } finally {
      diagnosticsChannel.unsubscribe(TransportChannels.bytes, onBytes);
    }
    expect(states).toEqual(['alive']);
  });

  it('fails in-flight requests with UNAVAILABLE when the server dies, and finds it again after a restart', async () => {
    const py = await startPythonServer(PY_SERVER);
    const client = newClient(py.endpoint, 5);
    await waitFor(() => client.state === 'alive', 'the client to become alive');
    const held = client.request({ method: 'py.hold', body: [], deadlineMs: 10_000 });
    await py.stop('SIGKILL');
    expect(await held).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    expect(client.state).toBe('dead');
    expect(await client.request({ method: 'py.echo', body: [], deadlineMs: 5000 })).toMatchObject({
      status: Status.UNAVAILABLE,
      local: true,
    });

    await startPythonServer(PY_SERVER, py.endpoint);
    await waitFor(() => client.state === 'alive', 'the client to find the restarted server', 10_000);
    const reply = await client.request({ method: 'py.echo', body: [msgpack.pack('back')], deadlineMs: 5000 });
    expect(reply.status).toBe(Status.OK);
    expect(msgpack.unpack(reply.body[0]!)).toBe('back');
  });

  it('drains: DISCONNECT, then HEARTBEATs with the draining flag, until one without it', async () => {
    const py = await startPythonServer(PY_SERVER);
    const client = newClient(py.endpoint, 10);
    await waitFor(() => client.state === 'alive', 'the client to become alive');
    const echo = (c: TransportClient) => c.request({ method: 'py.echo', body: [], deadlineMs: 5000 });

    expect(
      await client.request({ method: 'py.drain', body: [msgpack.pack(true)], deadlineMs: 5000 }),
    ).toMatchObject({
      status: Status.OK,
    });
    await waitFor(() => client.state === 'draining', 'the DISCONNECT to arrive');
    // Refused at once, without sending: safe to send elsewhere.
    expect(await echo(client)).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    // A client that arrives now is told at first contact.
    const late = newClient(py.endpoint, 10);
    await waitFor(() => late.state === 'draining', 'the late client to hear that the server drains');

    // Requests that still arrive are served; this one ends the draining.
    const [undrained] = await pythonCall([py.endpoint, 'py.drain', 'false']);
    expect(undrained!.status).toBe(200);
    await waitFor(
      () => client.state === 'alive' && late.state === 'alive',
      'a HEARTBEAT without the draining flag',
    );
    expect(await echo(client)).toMatchObject({ status: Status.OK, local: false });
  });

  it.each(['SIGTERM', 'stdin'] as const)(
    'a Python server stopped by %s exits cleanly and the client stops using it',
    async (how) => {
      const py = await startPythonServer(PY_SERVER);
      const client = newClient(py.endpoint);
      await waitFor(() => client.state === 'alive', 'the client to become alive');
      expect(await py.stop(how)).toBe(0);
      // DISCONNECT ("closed") if the client read it before the connection dropped,
      // else the liveness check: either way new requests fail fast.
      await waitFor(
        () => client.state === 'draining' || client.state === 'dead',
        'the client to give up on it',
      );
      expect(await client.request({ method: 'py.echo', body: [], deadlineMs: 5000 })).toMatchObject({
        status: Status.UNAVAILABLE,
        local: true,
      });
    },
  );
});

describe('the Python server answers unusual input as documented (section 8)', () => {
  let py: PythonServer;
  beforeAll(async () => {
    py = await startPythonServer(PY_HEARTBEAT);
  });
  afterAll(() => py.stop());

  /** Sends raw frames from a bare DEALER and decodes what comes back with the reference codec. */
  async function exchange(frames: Buffer[]) {
    const sock = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
    try {
      sock.connect(py.endpoint);
      await sock.send(frames);
      return decodeMessage(await sock.receive());
    } finally {
      sock.close();
    }
  }

  it.each([
    ['an unknown command', [RPC_SIGNATURE, msgpack.pack([9, 0, 42])], 42, 501, 'UNKNOWN_COMMAND'],
    [
      'an unsupported version',
      [Buffer.from([0x43, 0x52, 0x52, 0x02]), msgpack.pack([1, 0, 5, 'py.echo', 1000, null, null])],
      0,
      501,
      'UNSUPPORTED_VERSION',
    ],
    [
      'an invalid field',
      [RPC_SIGNATURE, msgpack.pack([1, 0, 9, '', 1000, null, null])],
      9,
      400,
      'INVALID_FIELD',
    ],
    [
      'a malformed envelope',
      [RPC_SIGNATURE, msgpack.pack({ not: 'an array' })],
      0,
      400,
      'MALFORMED_ENVELOPE',
    ],
  ])('%s', async (_what, frames, id, status, code) => {
    // Bad input alone introduces no peer, so the error reply is all that comes back.
    const { packets, errors } = await exchange(frames);
    expect(errors).toEqual([]);
    expect(packets).toEqual([
      {
        cmd: Command.REPLY,
        id,
        status,
        message: expect.any(String),
        details: { code },
        meta: undefined,
        contentType: undefined,
        body: [],
      },
    ]);
  });

  it('drops a message without the signature silently', async () => {
    const sock = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
    try {
      sock.connect(py.endpoint);
      await sock.send([Buffer.from('hello')]);
      await sock.send([
        RPC_SIGNATURE,
        msgpack.pack([1, 1, 7, 'py.echo', 1000, null, null]),
        msgpack.pack('hi'),
      ]);
      // A new peer: the HEARTBEAT comes first, then the reply; nothing for the garbage.
      const { packets } = decodeMessage(await sock.receive());
      expect(packets.map((p) => p.cmd)).toEqual([Command.HEARTBEAT, Command.REPLY]);
      expect(packets[1]).toMatchObject({ id: 7, status: Status.OK, body: [msgpack.pack('hi')] });
    } finally {
      sock.close();
    }
  });
});
