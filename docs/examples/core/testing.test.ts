// packages/core/README.md, "Testing": a service in-process, with a typed client.
import { BadRequestError, NotFoundError, testService } from '@courier/core';
import { describe, expect, it } from 'vitest';
import { catalog } from './catalog.js';

describe('catalog', () => {
  it('finds a track', async () => {
    await using svc = await testService(catalog); // inproc://, closed at the end of the block
    expect(await svc.client.get({ id: 't1' })).toEqual({ id: 't1', title: 'So What', seconds: 562 });
  });

  it('answers typed errors', async () => {
    await using svc = await testService(catalog, { client: { deadlineMs: 500, retry: false } });
    await expect(svc.client.get({ id: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(svc.client.get({ id: 42 as unknown as string })).rejects.toBeInstanceOf(BadRequestError);
  });
});
