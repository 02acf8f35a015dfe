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

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const families = (value as { [kFamilies]?: unknown })[kFamilies];
    // `this` is the class on the right of instanceof, which is the point here.
    // biome-ignore lint/complexity/noThisInStatic: see above
    return Array.isArray(families) && families.includes((this as ErrorClass).family);
  }
}
