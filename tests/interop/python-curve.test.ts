import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import {
  type IncomingRequest,
  msgpack,
  Status,
  TransportClient,
  TransportServer,
} from '../../packages/transport/src/index.js';
import { assertPythonPeerAvailable, killAllPeers, pythonCall, startPythonServer } from './python.js';

/**
 * CURVE between the Python peer (pyzmq, written from docs/security.md) and the
 * reference implementation, both ways: the caller proof in the routing id, the
 * ZAP refusal of unknown keys, and the handshake itself.
 */

const serverKeys = zmq.curveKeyPair();
const pyClient = zmq.curveKeyPair();
const stranger = zmq.curveKeyPair();

beforeAll(assertPythonPeerAvailable);
afterEach(killAllPeers);

describe('Python client → secure TypeScript server', () => {
  const seen: IncomingRequest[] = [];
  let server: TransportServer;
  beforeAll(async () => {
    server = await TransportServer.listen({
      bind: 'tcp://127.0.0.1:*',
      security: { secretKey: serverKeys.secretKey, allow: [{ key: pyClient.publicKey, userId: 'python' }] },
      onRequest: (req) => {
        seen.push(req);
        req.reply({ status: Status.OK, body: [msgpack.pack({ caller: req.caller ?? null })] });
      },
    });
  });
  afterAll(() => server.close());

  it('serves an allowed Python client and knows who it is', async () => {
    const [reply] = await pythonCall([
      server.endpoints[0]!,
      'ts.who',
      '"hi"',
      '--server-key',
      serverKeys.publicKey,
      '--secret-key',
      pyClient.secretKey,
    ]);
    expect(reply).toMatchObject({ status: Status.OK, local: false });
    expect(reply!.body).toEqual({ caller: { key: pyClient.publicKey, userId: 'python' } });
  });

  it('gives a Python client with an unknown key no service', async () => {
    const before = seen.length;
    const [reply] = await pythonCall([
      server.endpoints[0]!,
      'ts.who',
      '"hi"',
      '--server-key',
      serverKeys.publicKey,
      '--secret-key',
      stranger.secretKey,
      '--deadline-ms',
      '300',
    ]);
    expect(reply!.local).toBe(true);
    expect(reply!.status).not.toBe(Status.OK);
    expect(reply!.server_heartbeat).toBeNull();
    expect(seen.length).toBe(before);
  });

  it('gives a plaintext Python client no service', async () => {
    const before = seen.length;
    const [reply] = await pythonCall([server.endpoints[0]!, 'ts.who', '"hi"', '--deadline-ms', '300']);
    expect(reply!.local).toBe(true);
    expect(reply!.server_heartbeat).toBeNull();
    expect(seen.length).toBe(before);
  });
});

describe('TypeScript client → secure Python server', () => {
  it('calls with an allowed key, and fails the handshake fast with an unknown one', async () => {
    const tsClient = zmq.curveKeyPair();
    await using py = await startPythonServer([
      '--interval-ms',
      '50',
      '--secret-key',
      serverKeys.secretKey,
      '--allow',
      tsClient.publicKey,
    ]);
    const allowed = new TransportClient({
      connect: py.endpoint,
      heartbeatIntervalMs: 50,
      security: { serverKey: serverKeys.publicKey, secretKey: tsClient.secretKey },
    });
    const refused = new TransportClient({
      connect: py.endpoint,
      heartbeatIntervalMs: 50,
      security: { serverKey: serverKeys.publicKey, secretKey: stranger.secretKey },
    });
    try {
      const ok = await allowed.request({
        method: 'py.echo',
        body: [msgpack.pack('curve')],
        deadlineMs: 10_000,
      });
      expect(ok.status).toBe(Status.OK);
      expect(msgpack.unpack(Buffer.concat(ok.body))).toBe('curve');
      const no = await refused.request({ method: 'py.echo', body: [msgpack.pack('x')], deadlineMs: 60_000 });
      expect(no).toMatchObject({
        status: Status.UNAVAILABLE,
        local: true,
        details: { code: 'ERR_COURIER_HANDSHAKE_FAILED' },
      });
    } finally {
      await allowed.close();
      await refused.close();
    }
  });
});
