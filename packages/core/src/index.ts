// The public API of @courier/core, as its README documents it. Explicit on
// purpose: a change here is a change to the API (see api/core.api.md).

export {
  type CallerIdentity,
  type ClientSecurityOptions,
  clientSecurityFromEnv,
  generateKeyPair,
  KeyAllowlist,
  type KeyPair,
  readKeyFile,
  SecurityError,
  type ServerSecurityOptions,
  serverSecurityFromEnv,
} from '@courier/transport';
export {
  BuiltinMethod,
  type HealthReport,
  type MethodDescription,
  type ServiceDescription,
} from './builtins.js';
export type { ThrottleOptions } from './client/adaptive-throttle.js';
export type { CircuitBreakerOptions } from './client/circuit-breaker.js';
export type { ClientControls, ClientState } from './client/controls.js';
export { type Client, type ClientMethod, type ClientMethods, createClient } from './client/create-client.js';
export { createDynamicClient, type DynamicCallOptions, type DynamicClient } from './client/dynamic-client.js';
export type { EndpointInfo, EndpointState } from './client/endpoint.js';
export type { ClientOptions } from './client/options.js';
export type { OutlierDetectionOptions } from './client/outlier-detector.js';
export type { RetryOptions } from './client/retry.js';
export type { RetryBudgetOptions } from './client/retry-budget.js';
export { decodeBody, encodeBody } from './codec.js';
export type { ComputeFunction } from './compute/compute-function.js';
export { type NativeComputeOptions, type NativeComputeSpec, nativeCompute } from './compute/native.js';
export { type ComputePoolOptions, createComputePool } from './compute/pool.js';
export type {
  ComputeImplementation,
  ComputePool,
  ComputePoolStats,
  ComputeRunOptions,
} from './compute/pool-api.js';
export { MIN_TRANSFER_BYTES } from './compute/transfer.js';
export type { CallOptions, Context, Scopable } from './context.js';
export type { Criticality } from './criticality.js';
export {
  type AnyMethod,
  type AnyService,
  type ComputeSpec,
  defineService,
  type Handler,
  type InputOf,
  type MethodDefinition,
  type MethodOptions,
  method,
  type OutputOf,
  type ServiceDefinition,
  type ServiceOptions,
  type ServiceSpec,
} from './definition.js';
// Channel names and payloads only: the channel objects stay inside, so nothing outside can publish on them.
export {
  type ClientCallEnd,
  type ClientEndpointState,
  type ClientRetry,
  CoreChannels,
  type PoolTaskEnd,
  type ServerLifecycle,
  type ServerRequestEnd,
  type ServerStats,
} from './diagnostics.js';
export type { Discovery } from './discovery/discovery.js';
export { type DnsSrvOptions, dnsSrv } from './discovery/dns-srv.js';
export { staticEndpoints } from './discovery/static.js';
export {
  BadRequestError,
  CancelledError,
  ClientConfigError,
  type ClientConfigErrorCode,
  type ComputeLoadFailure,
  ComputeStartError,
  type ComputeStartErrorCode,
  CourierError,
  type CourierErrorClass,
  type CourierErrorOptions,
  DeadlineExceededError,
  DefinitionError,
  type DefinitionErrorCode,
  type ErrorCode,
  errorFromStatus,
  InternalError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  ServerConfigError,
  type ServerConfigErrorCode,
  TooLargeError,
  toCourierError,
  UnavailableError,
  UnsupportedError,
} from './errors.js';
export { createPublisher, type Publisher, type PublisherOptions } from './events/publisher.js';
export {
  type EventErrorContext,
  type SubscribeOptions,
  type Subscription,
  subscribe,
} from './events/subscriber.js';
export type { EventData, EventHandlers, EventInfo, EventName, EventPayload } from './events/types.js';
export { type CallInfo, callInfo } from './from-call.js';
export type { Issue } from './issues.js';
export type { AdaptiveLimitOptions, LimiterOption } from './limiter-options.js';
export type { AccessOptions, AuthorizeFunction } from './server/access.js';
export type {
  ConcurrencyLimits,
  GracefulShutdownOptions,
  MethodOverrides,
  ServeOptions,
  ServiceOverrides,
} from './server/options.js';
export { serve } from './server/serve.js';
export type { Server } from './server/server.js';
export {
  type ArmOptions,
  type ShutdownCoordinator,
  type ShutdownParticipant,
  type ShutdownPhase,
  shutdownCoordinator,
} from './shutdown/index.js';
export { type TestService, type TestServiceOptions, testService } from './testing.js';
