import { describe, expect, it } from 'vitest';
import { InvalidNameError, serviceNames } from './names.js';

describe('serviceNames', () => {
  it('derives the variable and package names', () => {
    expect(serviceNames('my-service')).toEqual({
      name: 'my-service',
      camel: 'myService',
      packageName: 'my-service',
    });
    expect(serviceNames('geo2ip', '@acme').packageName).toBe('@acme/geo2ip');
  });

  it.each(['My Service!', 'MyService', '9lives', 'a--b', 'trailing-', '', 'x'.repeat(64)])(
    'rejects %j with a clear error',
    (name) => {
      expect(() => serviceNames(name)).toThrow(InvalidNameError);
      expect(() => serviceNames(name)).toThrow(/lower-case letters, digits and single dashes/);
    },
  );

  it('suggests a usable name', () => {
    expect(() => serviceNames('My Service!')).toThrow(/e\.g\. "my-service"/);
  });
});
