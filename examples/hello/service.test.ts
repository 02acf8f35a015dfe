import { BadRequestError, testService } from '@courier/core';
import { describe, expect, it } from 'vitest';
import { hello } from './service.js';

describe('examples/hello', () => {
  it('greets', async () => {
    await using svc = await testService(hello);
    expect(await svc.client.greet({ name: 'Ada' })).toEqual({ message: 'Hello, Ada!' });
  });

  it('refuses an empty name', async () => {
    await using svc = await testService(hello);
    await expect(svc.client.greet({ name: '' })).rejects.toBeInstanceOf(BadRequestError);
  });
});
