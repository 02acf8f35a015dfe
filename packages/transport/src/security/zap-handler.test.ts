import { describe, expect, it } from 'vitest';
import { registerZapDomain } from './zap-handler.js';

describe('the process-wide ZAP handler', () => {
  it('starts again at once after the last secure socket released it', async () => {
    // Each round stops the handler (last release) and starts a new one straight away:
    // the new bind of inproc://zeromq.zap.01 must wait for the old one's unbind.
    for (let round = 0; round < 25; round++) {
      const { domain, release } = await registerZapDomain(() => 'user');
      expect(domain).toMatch(/^courier-\d+-\d+$/);
      release();
    }
  });

  it('shares one handler between the sockets registered at the same time', async () => {
    const [a, b] = await Promise.all([registerZapDomain(() => 'a'), registerZapDomain(() => 'b')]);
    expect(a.domain).not.toBe(b.domain);
    a.release();
    const c = await registerZapDomain(() => 'c'); // b still holds the handler
    b.release();
    c.release();
  });
});
