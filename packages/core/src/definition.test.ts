import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DefinitionError, defineService, method } from './index.js';

const ok = method({ input: z.object({}), handler: () => 1 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return (err as DefinitionError).code;
  }
  return undefined;
}

describe('defineService', () => {
  it('accepts a valid definition and keeps its parts', () => {
    const svc = defineService({ name: 'play-list2', version: 3, methods: { get: ok } });
    expect(svc).toMatchObject({ kind: 'service', name: 'play-list2', version: 3, events: {} });
    expect(svc.methods.get.kind).toBe('method');
  });

  it.each(['Playlist', '2fa', 'play_list', 'a.b', ''])('rejects the service name %j', (name) => {
    expect(codeOf(() => defineService({ name, version: 1, methods: {} }))).toBe('ERR_COURIER_SERVICE_NAME');
  });

  it.each([0, -1, 1.5])('rejects version %j', (version) => {
    expect(codeOf(() => defineService({ name: 'a', version, methods: {} }))).toBe(
      'ERR_COURIER_SERVICE_VERSION',
    );
  });

  it.each(['_health', '9x', 'a-b', 'withDefaults', 'then'])('rejects the method name %j', (name) => {
    expect(codeOf(() => defineService({ name: 'a', version: 1, methods: { [name]: ok } }))).toBe(
      'ERR_COURIER_MEMBER_NAME',
    );
  });

  it('rejects a bad event name', () => {
    expect(
      codeOf(() =>
        defineService({ name: 'a', version: 1, methods: {}, events: { 'bad-name': z.object({}) } }),
      ),
    ).toBe('ERR_COURIER_MEMBER_NAME');
  });
});

describe('method', () => {
  it('needs exactly one of handler and compute', () => {
    expect(codeOf(() => method({ input: z.object({}) } as never))).toBe('ERR_COURIER_METHOD_IMPL');
    expect(
      codeOf(() => method({ input: z.object({}), handler: () => 1, compute: { module: 'x.js' } } as never)),
    ).toBe('ERR_COURIER_METHOD_IMPL');
  });

  it('needs a Standard Schema input', () => {
    expect(codeOf(() => method({ input: { parse: () => 1 }, handler: () => 1 } as never))).toBe(
      'ERR_COURIER_METHOD_SCHEMA',
    );
  });
});
