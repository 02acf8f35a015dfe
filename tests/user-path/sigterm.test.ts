import { fileURLToPath } from 'node:url';
import { createClient } from '@courier/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Teardown, waitFor } from '../transport/helpers.js';
import { Child } from './child.js';
import { held } from './fixtures/held.service.js';

/**
 * Every documented way of starting a service, as a real process with no
 * shutdown code of its own: SIGTERM while a call is in flight must let that
 * call finish, then close everything and exit 0 by itself.
 */

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const FORMS = [
  { name: 'README one-file example (serve + createClient)', script: 'one-file.ts', ipc: false },
  { name: '@courier/metrics README (serve + metrics.listen)', script: 'with-metrics.ts', ipc: false },
  { name: 'forked with an IPC channel', script: 'forked.ts', ipc: true },
] as const;

const teardown = new Teardown();
afterEach(() => teardown.run());

async function start(
  script: string,
  ipc: boolean,
): Promise<{ child: Child; endpoint: string; url?: string }> {
  const child = new Child(fixture(script), { ipc });
  teardown.add(child, (c) => c.kill());
  const ready = await child.line((l) => l.event === 'ready', 'the service to be ready');
  return { child, endpoint: ready.endpoint as string, url: ready.url as string | undefined };
}

describe('SIGTERM', () => {
  for (const form of FORMS) {
    it(`${form.name}: the in-flight call gets its reply and the process exits 0`, async () => {
      const { child, endpoint, url } = await start(form.script, form.ipc);
      const client = createClient(held, { endpoints: [endpoint], deadlineMs: 15_000 });
      teardown.add(client, (c) => c.$close());
      const reply = client.hold({ id: 'a' });
      await child.line((l) => l.event === 'in-flight', 'the call to be in flight');
      if (url !== undefined) expect((await fetch(`${url}/readyz`)).status).toBe(200);

      child.signal('SIGTERM');
      expect(await reply).toEqual({ id: 'a', sawDraining: true });
      expect(await child.exited, child.stderr).toEqual({ code: 0, signal: null });
    });
  }

  it('a second signal exits at once, without waiting for the drain', async () => {
    const { child, endpoint } = await start('one-file.ts', false);
    const client = createClient(held, { endpoints: [endpoint], deadlineMs: 15_000 });
    teardown.add(client, (c) => c.$close());
    // Runs until cancelled, so the first signal's drain lasts the whole grace period (10 s).
    // Its outcome comes once the client is closed in teardown; nothing waits for it here.
    void client.stuck({}).catch(() => {});
    await child.line((l) => l.event === 'in-flight', 'the call to be in flight');
    child.signal('SIGTERM');
    // The server says it is draining before the second signal, so the first was handled.
    await waitForDraining(client);
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: 143, signal: null });
  });
});

/** Until the client has heard the server's DISCONNECT (its endpoint is draining). */
async function waitForDraining(client: { $endpoints(): readonly { state: string }[] }): Promise<void> {
  await waitFor(() => client.$endpoints().some((e) => e.state === 'draining'), 'the endpoint to be draining');
}
