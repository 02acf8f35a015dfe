import { defineService, method, NotFoundError, type Server, serve } from '@courier/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CliIO } from './io.js';
import { main } from './main.js';

const calc = defineService({
  name: 'calc',
  version: 2,
  description: 'Arithmetic for the CLI tests',
  methods: {
    add: method({
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      idempotent: true,
      handler: ({ a, b }) => ({ sum: a + b }),
    }),
    find: method({
      input: z.object({ id: z.string() }),
      handler: ({ id }): { id: string } => {
        throw new NotFoundError(`no item ${id}`, { details: { id } });
      },
    }),
  },
});

function capture(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const status: string[] = [];
  const io: CliIO = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    status: (t) => status.push(t),
    isTTY,
  };
  return { io, out, err, status, text: () => out.join('\n') };
}

describe('courier CLI', () => {
  let server: Server<typeof calc>;
  let endpoint: string;
  beforeAll(async () => {
    server = await serve(calc, {
      bind: 'tcp://127.0.0.1:*',
      logger: pino({ level: 'silent' }),
      gracefulShutdown: { signals: false, graceMs: 0 },
    });
    endpoint = server.endpoints[0]!;
  });
  afterAll(() => server.close());

  it('call prints the result as JSON and exits 0', async () => {
    const c = capture();
    expect(await main(['call', endpoint, 'calc.add', '{"a":2,"b":3}'], c.io)).toBe(0);
    expect(JSON.parse(c.text())).toEqual({ sum: 5 });
  });

  it('call accepts host:port and a bare port', async () => {
    const port = endpoint.split(':').pop()!;
    for (const ep of [`127.0.0.1:${port}`, port]) {
      const c = capture();
      expect(await main(['call', ep, 'calc.add', '{"a":1,"b":1}'], c.io)).toBe(0);
    }
  });

  it('call prints a typed error with its details and exits 1', async () => {
    const c = capture();
    expect(await main(['call', endpoint, 'calc.find', '{"id":"x"}'], c.io)).toBe(1);
    expect(c.err).toEqual(['NOT_FOUND (404): no item x {"id":"x"}']);
  });

  it('an unknown method is a one-line NOT_FOUND that lists what exists', async () => {
    const c = capture();
    expect(await main(['call', endpoint, 'calc.nope'], c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^NOT_FOUND \(404\): /);
    expect(c.err[0]).not.toContain('\n');
    expect(c.err[0]).toContain('"methods":["add","find",');
  });

  it('invalid input is a BAD_REQUEST with the validation issues', async () => {
    const c = capture();
    expect(await main(['call', endpoint, 'calc.add', '{"a":"two"}'], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^BAD_REQUEST \(400\)/);
  });

  it('an unreachable endpoint is one clear line, quickly, never a hang', async () => {
    const c = capture();
    // Port 9 (discard) on loopback: nothing speaks ZeroMQ there.
    expect(await main(['call', 'tcp://127.0.0.1:9', 'calc.add', '{}'], c.io)).toBe(1);
    expect(c.err).toEqual(['cannot reach tcp://127.0.0.1:9: no Courier service is answering there']);
  });

  it('describe lists methods with their schemas', async () => {
    const c = capture();
    expect(await main(['describe', endpoint], c.io)).toBe(0);
    expect(c.text()).toMatch(/^calc v2 - Arithmetic for the CLI tests/);
    expect(c.text()).toContain('calc.add  (idempotent)');
    expect(c.text()).toContain('"a":{"type":"number"}');
    const j = capture();
    expect(await main(['describe', endpoint, '--json'], j.io)).toBe(0);
    expect(Object.keys(JSON.parse(j.text()).methods)).toEqual(['add', 'find']);
  });

  it('health reports a serving service', async () => {
    const c = capture();
    expect(await main(['health', endpoint], c.io)).toBe(0);
    expect(c.text()).toMatch(/^calc v2: ok/);
  });

  it('bench drives load and reports throughput and percentiles as JSON', async () => {
    const c = capture();
    const code = await main(
      [
        'bench',
        endpoint,
        'calc.add',
        '{"a":1,"b":2}',
        '-c',
        '4',
        '-d',
        '300ms',
        '--warmup',
        '50ms',
        '--json',
      ],
      c.io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(c.text());
    expect(r.completed).toBeGreaterThan(0);
    expect(r.ok).toBe(r.completed);
    expect(r.errors).toEqual({});
    expect(r.latencyMs.p50).toBeGreaterThan(0);
    expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
    expect(r.latencyMs.p99).toBeLessThanOrEqual(r.latencyMs.max);
  });

  it('bench shows live progress only on a TTY, and counts errors by status', async () => {
    const c = capture(true);
    await main(
      ['bench', endpoint, 'calc.find', '{"id":"x"}', '-c', '2', '-d', '600ms', '--warmup', '0ms'],
      c.io,
    );
    expect(c.status.some((s) => s.includes('calls/s'))).toBe(true);
    expect(c.text()).toMatch(/errors\s+NOT_FOUND \d/);
    expect(c.text()).toContain('p99.9');
    const plain = capture(false);
    await main(
      ['bench', endpoint, 'calc.add', '{"a":1,"b":2}', '-c', '1', '-d', '200ms', '--warmup', '0ms'],
      plain.io,
    );
    expect(plain.status).toEqual([]);
  });

  it('bad usage exits 2 with help', async () => {
    const c = capture();
    expect(await main(['call', endpoint], c.io)).toBe(2);
    expect(c.err[0]).toContain('courier call <endpoint> <service.method>');
    const d = capture();
    expect(await main(['bench', endpoint, 'calc.add', '-d', 'soon'], d.io)).toBe(2);
    expect(d.err[0]).toContain('not a duration: soon');
    const u = capture();
    expect(await main(['frobnicate'], u.io)).toBe(2);
  });
});
