import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context } from './context.js';
import { DefinitionError } from './errors.js';
import type { LimiterOption } from './limiter-options.js';

/**
 * Where a compute-bound method's implementation lives: a module and one of
 * its exports, run in the service's worker pool (see compute/).
 */
export interface ComputeSpec {
  /** The worker module, e.g. `new URL('./rank.worker.js', import.meta.url)`. */
  readonly module: URL | string;
  /** The export to call. @default 'default' */
  readonly export?: string;
}

/** Options every method may set. */
export interface MethodOptions {
  /**
   * Safe to run more than once (no side effects beyond the first): clients
   * also retry it after losing the endpoint it was sent to. (A call a server
   * refused without running it, OVERLOADED or UNAVAILABLE, is retried
   * whatever the method.)
   * @default false
   */
  readonly idempotent?: boolean;
  /** Most calls of this method running at once. @default the service's concurrency */
  readonly concurrency?: number;
  /** Most calls of this method waiting for a slot; more are shed with OVERLOADED. @default the service's maxQueue */
  readonly maxQueue?: number;
  /**
   * What bounds the calls admitted (running plus queued): `'fixed'`, the
   * two caps above; `'adaptive'` (or its options), a limit learnt from
   * measured latency, never above those caps. @default 'fixed'
   */
  readonly limiter?: LimiterOption;
  /**
   * The longest this method may run, in ms. It caps the caller's deadline,
   * and is the deadline when the caller gives none.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /** One line for `describe` and generated docs. */
  readonly description?: string;
}

export type Handler<TInput, TOutput> = (input: TInput, ctx: Context) => Promise<TOutput> | TOutput;

/**
 * A method of a service. Type parameters: the input the caller passes, the
 * input the handler receives (after parsing, defaults and transforms), and
 * the output.
 */
export interface MethodDefinition<TInput = unknown, TParsed = unknown, TOutput = unknown>
  extends MethodOptions {
  readonly kind: 'method';
  readonly input: StandardSchemaV1<TInput, TParsed>;
  /** Validates replies when given; otherwise the output type comes from the handler. */
  readonly output: StandardSchemaV1<unknown, TOutput> | undefined;
  readonly handler: Handler<TParsed, TOutput> | undefined;
  readonly compute: ComputeSpec | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: the widest method, for constraints
export type AnyMethod = MethodDefinition<any, any, any>;

// biome-ignore-start lint/suspicious/noExplicitAny: `any` keeps the handler's parameter out of the match
/** The input type a caller passes to a method. */
export type InputOf<M> = M extends MethodDefinition<infer I, any, any> ? I : never;
/** The output type a caller receives from a method. */
export type OutputOf<M> = M extends MethodDefinition<any, any, infer O> ? O : never;
// biome-ignore-end lint/suspicious/noExplicitAny: -

/**
 * Declares a method: an input schema (any Standard Schema: zod, valibot,
 * arktype), an optional output schema, options, and either a `handler` run on
 * the event loop (I/O-bound work) or a `compute` module run in the worker
 * pool (CPU-bound work).
 *
 * @example
 * const get = method({
 *   input: z.object({ id: z.string() }),
 *   idempotent: true,
 *   handler: async ({ id }, ctx) => db.find(id, { signal: ctx.signal }),
 * });
 */
export function method<TIn extends StandardSchemaV1, TOutSchema extends StandardSchemaV1>(
  spec: MethodOptions & {
    input: TIn;
    output: TOutSchema;
    handler: Handler<StandardSchemaV1.InferOutput<TIn>, StandardSchemaV1.InferInput<TOutSchema>>;
  },
): MethodDefinition<
  StandardSchemaV1.InferInput<TIn>,
  StandardSchemaV1.InferOutput<TIn>,
  StandardSchemaV1.InferOutput<TOutSchema>
>;
export function method<TIn extends StandardSchemaV1, TOutSchema extends StandardSchemaV1>(
  spec: MethodOptions & { input: TIn; output: TOutSchema; compute: ComputeSpec },
): MethodDefinition<
  StandardSchemaV1.InferInput<TIn>,
  StandardSchemaV1.InferOutput<TIn>,
  StandardSchemaV1.InferOutput<TOutSchema>
>;
export function method<TIn extends StandardSchemaV1, TOutput>(
  spec: MethodOptions & { input: TIn; handler: Handler<StandardSchemaV1.InferOutput<TIn>, TOutput> },
): MethodDefinition<StandardSchemaV1.InferInput<TIn>, StandardSchemaV1.InferOutput<TIn>, Awaited<TOutput>>;
export function method(
  spec: MethodOptions & {
    input: StandardSchemaV1;
    output?: StandardSchemaV1;
    handler?: Handler<unknown, unknown>;
    compute?: ComputeSpec;
  },
): AnyMethod {
  if ((spec.handler === undefined) === (spec.compute === undefined)) {
    throw new DefinitionError(
      'ERR_COURIER_METHOD_IMPL',
      'a method needs exactly one of `handler` or `compute`',
    );
  }
  if (spec.input?.['~standard'] === undefined) {
    throw new DefinitionError(
      'ERR_COURIER_METHOD_SCHEMA',
      '`input` must be a Standard Schema (zod, valibot, arktype, ...)',
    );
  }
  return {
    ...spec,
    kind: 'method',
    output: spec.output,
    handler: spec.handler,
    compute: spec.compute,
  };
}

/** Service-wide options. */
export interface ServiceOptions {
  /** Most calls running at once across all methods. @default 1024 */
  readonly concurrency?: number;
  /** Most calls waiting for a slot across all methods. @default 4096 */
  readonly maxQueue?: number;
  readonly description?: string;
}

export interface ServiceSpec<TName extends string, TMethods, TEvents> extends ServiceOptions {
  /** Lower-case letters, digits and dashes, starting with a letter. */
  readonly name: TName;
  /** Major version; a breaking change to any method is a new version. */
  readonly version: number;
  readonly methods: TMethods;
  /** Events this service publishes, each with the schema of its payload. */
  readonly events?: TEvents;
}

export interface ServiceDefinition<
  TName extends string = string,
  TMethods extends Record<string, AnyMethod> = Record<string, AnyMethod>,
  TEvents extends Record<string, StandardSchemaV1> = Record<string, StandardSchemaV1>,
> extends ServiceOptions {
  readonly kind: 'service';
  readonly name: TName;
  readonly version: number;
  readonly methods: TMethods;
  readonly events: TEvents;
}

// biome-ignore lint/suspicious/noExplicitAny: the widest service, for constraints
export type AnyService = ServiceDefinition<string, Record<string, AnyMethod>, any>;

/** A service name: lower-case letters, digits and dashes, starting with a letter (also the dynamic client's check). */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MEMBER_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
/** Members every client has besides the service's methods (see client/controls.ts). */
export const RESERVED_METHOD_NAMES: ReadonlySet<string> = new Set(['withDefaults', 'then']);

/**
 * Declares a service: its name, version, methods and events. Everything a
 * server serves and a client calls is derived from this one value.
 *
 * @example
 * export const playlist = defineService({
 *   name: 'playlist',
 *   version: 1,
 *   methods: { get },
 * });
 */
export function defineService<
  const TName extends string,
  const TMethods extends Record<string, AnyMethod>,
  const TEvents extends Record<string, StandardSchemaV1> = Record<never, StandardSchemaV1>,
>(spec: ServiceSpec<TName, TMethods, TEvents>): ServiceDefinition<TName, TMethods, TEvents> {
  if (!SERVICE_NAME.test(spec.name)) {
    throw new DefinitionError(
      'ERR_COURIER_SERVICE_NAME',
      `invalid service name ${JSON.stringify(spec.name)}: use lower-case letters, digits and dashes, starting with a letter`,
    );
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new DefinitionError(
      'ERR_COURIER_SERVICE_VERSION',
      `service version must be a positive integer, got ${spec.version}`,
    );
  }
  for (const [kind, members] of [
    ['method', spec.methods],
    ['event', spec.events ?? {}],
  ] as const) {
    for (const name of Object.keys(members)) {
      if (!MEMBER_NAME.test(name)) {
        throw new DefinitionError(
          'ERR_COURIER_MEMBER_NAME',
          `invalid ${kind} name ${JSON.stringify(name)} in service ${spec.name}: use letters, digits and _, starting with a letter (names starting with _ are reserved)`,
        );
      }
      if (kind === 'method' && RESERVED_METHOD_NAMES.has(name)) {
        throw new DefinitionError(
          'ERR_COURIER_MEMBER_NAME',
          `method name ${JSON.stringify(name)} in service ${spec.name} is reserved: clients use it themselves`,
        );
      }
    }
  }
  return { ...spec, kind: 'service', events: spec.events ?? ({} as TEvents) };
}
