export { decodeBody, encodeBody } from './codec.js';
export type { CallOptions, Context, Scopable } from './context.js';
export {
  type AnyMethod,
  type AnyService,
  type ComputeSpec,
  DefinitionError,
  type DefinitionErrorCode,
  defineService,
  type Handler,
  type InputOf,
  type MethodDefinition,
  type MethodOptions,
  method,
  type OutputOf,
  type ServiceDefinition,
  type ServiceOptions,
} from './definition.js';
export * from './diagnostics.js';
export * from './errors.js';
