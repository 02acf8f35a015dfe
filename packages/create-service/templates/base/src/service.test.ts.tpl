import { BadRequestError, testService } from '@courier/core';
import { describe, expect, it } from 'vitest';
import { {{camel}} } from './service.js';

describe('{{name}}', () => {
  it('greets by name', async () => {
    await using svc = await testService({{camel}});
    expect(await svc.client.greet({ name: 'Ada' })).toEqual({ message: 'Hello, Ada!' });
  });

  it('rejects an empty name before the handler runs', async () => {
    await using svc = await testService({{camel}});
    await expect(svc.client.greet({ name: '' })).rejects.toBeInstanceOf(BadRequestError);
  });
{{#compute}}

  it('counts primes in the worker pool', async () => {
    await using svc = await testService({{camel}});
    expect(await svc.client.countPrimes({ below: 100 })).toEqual({ below: 100, count: 25 });
  });
{{/compute}}
});
