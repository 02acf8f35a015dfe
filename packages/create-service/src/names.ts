/** Derived names for a new service, all from its one validated service name. */
export interface ServiceNames {
  /** The service name on the wire: lower-case, digits and dashes (`my-service`). */
  name: string;
  /** The definition's variable name (`myService`). */
  camel: string;
  /** The npm package name. */
  packageName: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** npm's rule for a scope: `@`, then lower-case URL-safe characters, not starting with `.` or `_`. */
const NPM_SCOPE = /^@[a-z0-9~-][a-z0-9._~-]{0,100}$/;

/** Thrown for a name Courier cannot use; the message says what would work. */
export class InvalidNameError extends Error {
  override name = 'InvalidNameError';
}

export function serviceNames(name: string, scope?: string): ServiceNames {
  if (!SERVICE_NAME.test(name) || name.endsWith('-') || name.includes('--')) {
    const suggestion = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^[^a-z]+|-+$/g, '');
    throw new InvalidNameError(
      `invalid service name ${JSON.stringify(name)}: use lower-case letters, digits and single dashes, starting with a letter${
        SERVICE_NAME.test(suggestion) ? ` (e.g. "${suggestion}")` : ''
      }`,
    );
  }
  if (scope !== undefined && !NPM_SCOPE.test(scope)) {
    throw new InvalidNameError(
      `invalid --scope ${JSON.stringify(scope)}: an npm scope is "@" then lower-case letters, digits, "-", "." or "_" (e.g. "@acme")`,
    );
  }
  const camel = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { name, camel, packageName: scope !== undefined ? `${scope}/${name}` : name };
}
