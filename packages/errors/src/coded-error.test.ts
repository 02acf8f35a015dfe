import { describe, expect, it } from 'vitest';
import { CodedError, isOfFamily } from './coded-error.js';

class FooError extends CodedError<'ERR_FOO'> {
  static override readonly family = 'FooError';
}
class BarError extends CodedError<'ERR_BAR'> {
  static override readonly family = 'BarError';
}
class FooSubError extends FooError {}

describe('CodedError', () => {
  it('carries a code, details and cause, named after its class', () => {
    const cause = new Error('root');
    const err = new FooError('ERR_FOO', 'foo failed', { details: { n: 1 }, cause });
    expect(err).toMatchObject({
      code: 'ERR_FOO',
      message: 'foo failed',
      details: { n: 1 },
      name: 'FooError',
    });
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('matches instanceof by family, not by prototype', () => {
    const err = new FooSubError('ERR_FOO', 'x');
    expect(err instanceof FooError).toBe(true);
    expect(err instanceof CodedError).toBe(true);
    expect(err instanceof BarError).toBe(false);
    expect(new Error('plain') instanceof CodedError).toBe(false);
    expect((null as unknown) instanceof CodedError).toBe(false);
  });

  it('holds across duplicate installs: a copy of the class with the same family matches', () => {
    class FooErrorCopy extends CodedError<'ERR_FOO'> {
      static override readonly family = 'FooError';
    }
    expect(new FooErrorCopy('ERR_FOO', 'x') instanceof FooError).toBe(true);
    expect(new FooError('ERR_FOO', 'x') instanceof FooErrorCopy).toBe(true);
  });

  it('checks a family by name, without the class', () => {
    expect(isOfFamily(new FooSubError('ERR_FOO', 'x'), 'FooError')).toBe(true);
    expect(isOfFamily(new FooError('ERR_FOO', 'x'), 'CodedError')).toBe(true);
    expect(isOfFamily(new FooError('ERR_FOO', 'x'), 'BarError')).toBe(false);
    expect(isOfFamily({ code: 'ERR_FOO' }, 'FooError')).toBe(false);
    expect(isOfFamily(undefined, 'FooError')).toBe(false);
  });
});
