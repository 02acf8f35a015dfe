/**
 * Marks an error as Courier's. `Symbol.for` so that `instanceof` holds across duplicate
 * installs of a package (two copies of @courier/core in one process each have their own
 * classes, but share the global symbol registry).
 */
const kFamilies = Symbol.for('courier.error.families');

export interface CodedErrorOptions extends ErrorOptions {
  /** Structured, serialisable details (for example validation issues). */
  details?: unknown;
}

type ErrorClass = { readonly family?: string } & (abstract new (...args: never[]) => unknown);

/**
 * The one base of every error a Courier package throws: a stable `code`, optional
 * `details`, and one brand check. Each package defines its errors in one registry file
 * (`src/errors.ts`) as subclasses that set a static `family`; `instanceof` then checks
 * the family by brand, not by prototype identity.
 */
export class CodedError<C extends string = string> extends Error {
  /** The family `instanceof` matches; subclasses that are their own family set it. */
  static readonly family: string = 'CodedError';

  readonly code: C;
  readonly details: unknown;

  constructor(code: C, message: string, options: CodedErrorOptions = {}) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** The families of this error's class and its ancestors, nearest first. */
  get [kFamilies](): readonly string[] {
    const families: string[] = [];
    for (let c = this.constructor as ErrorClass | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'family') && c.family !== undefined) families.push(c.family);
    }
    return families;
  }

  /** Typed as a guard, so `err instanceof XError` narrows `err` to an XError. */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    // `this` is the class on the right of instanceof, which is the point here.
    // biome-ignore lint/complexity/noThisInStatic: see above
    return isOfFamily(value, (this as unknown as ErrorClass).family ?? 'CodedError');
  }
}

/**
 * Whether `value` is a CodedError of `family` (its class's or an ancestor's),
 * from any copy of any package: the brand check `instanceof` uses, for code
 * that must not load the classes themselves (a compute worker, for one).
 */
export function isOfFamily(value: unknown, family: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const families = (value as { [kFamilies]?: unknown })[kFamilies];
  return Array.isArray(families) && families.includes(family);
}

/**
 * A row of a package's error registry (`errorCodes` in its `src/errors.ts`):
 * the class a code is thrown with and, for errors sent as a reply, the
 * status. docs/errors.md is tested against these rows.
 */
export interface ErrorCodeInfo {
  readonly class: string;
  readonly status?: number;
}
