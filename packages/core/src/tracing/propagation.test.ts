import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { addressAttributes, rpcMethodOf } from './client-span.js';
import { injectSpan, parentContext, remoteSpanContext } from './propagation.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('trace context in metadata', () => {
  it('reads traceparent and tracestate into a remote span context', () => {
    const sc = remoteSpanContext({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'a=1, b=2' });
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(sc?.traceState?.get('b')).toBe('2');
    expect(sc?.traceState?.serialize()).toBe('a=1,b=2');
    expect(sc?.traceState?.set('c', '3').serialize()).toBe('c=3,a=1,b=2');
  });

  it('ignores an invalid traceparent (a new trace starts from the active context)', () => {
    for (const bad of ['00-zz-00-01', `ff-${TRACE}-${SPAN}-01`, `00-${'0'.repeat(32)}-${SPAN}-01`]) {
      expect(remoteSpanContext({ traceparent: bad })).toBeUndefined();
    }
    expect(parentContext({ traceparent: 'nonsense' })).toBe(ROOT_CONTEXT);
    expect(parentContext(undefined)).toBe(ROOT_CONTEXT);
  });

  it('writes a span as the parent into a copy of the metadata, keeping the other keys', () => {
    const span = trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
    const meta = { caller: 'x', traceparent: 'old' };
    expect(injectSpan(meta, span)).toEqual({ caller: 'x', traceparent: `00-${TRACE}-${SPAN}-00` });
    expect(meta.traceparent).toBe('old');
  });
});

describe('RPC attributes', () => {
  it('splits ZeroMQ endpoints into server.address and server.port', () => {
    expect(addressAttributes('tcp://10.0.0.7:5555')).toEqual({
      'server.address': '10.0.0.7',
      'server.port': 5555,
      'network.transport': 'tcp',
    });
    expect(addressAttributes('tcp://[::1]:7')).toMatchObject({ 'server.address': '::1', 'server.port': 7 });
    expect(addressAttributes('ipc:///tmp/s.sock')).toEqual({
      'server.address': '/tmp/s.sock',
      'network.transport': 'unix',
    });
  });

  it('names rpc.method service/method, also for a dynamic client', () => {
    expect(rpcMethodOf('playlist', 'get')).toBe('playlist/get');
    expect(rpcMethodOf('', 'playlist.get')).toBe('playlist/get');
  });
});
