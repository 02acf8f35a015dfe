export type { CircuitBreakerOptions } from './client/circuit-breaker.js';
export type { ClientControls, ClientState } from './client/controls.js';
export { type Client, type ClientMethod, type ClientMethods, createClient } from './client/create-client.js';
export { createDynamicClient, type DynamicCallOptions, type DynamicClient } from './client/dynamic-client.js';
export type { EndpointInfo, EndpointState } from './client/endpoint.js';
export { ClientConfigError, type ClientConfigErrorCode } from './client/errors.js';
export type { ClientOptions } from './client/options.js';
export type { RetryOptions } from './client/retry.js';
export type { RetryBudgetOptions } from './client/retry-budget.js';
export { decodeBody, encodeBody } from './codec.js';
export * from './compute/index.js';
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
export type { Discovery } from './discovery/discovery.js';
export { type DnsSrvOptions, dnsSrv } from './discovery/dns-srv.js';
export { staticEndpoints } from './discovery/static.js';
export * from './errors.js';
export * from './events/index.js';
export type { Issue } from './issues.js';
export {
  BuiltinMethod,
  type HealthReport,
  type MethodDescription,
  type ServiceDescription,
} from './server/builtins.js';
export type {
  ConcurrencyLimits,
  GracefulShutdownOptions,
  MethodOverrides,
  ServeOptions,
  ServiceOverrides,
} from './server/options.js';
export { serve } from './server/serve.js';
export type { Server } from './server/server.js';
export { onShutdown, type ShutdownPhase, shutdown } from './shutdown/index.js';
export { type TestService, type TestServiceOptions, testService } from './testing.js';
