import * as cli from '@courier/cli';
import * as core from '@courier/core';
import * as errors from '@courier/errors';
import * as metrics from '@courier/metrics';
import * as transport from '@courier/transport';
import { describe, expect, it } from 'vitest';

/*
 * The runtime values each package exports, listed so that a change to a
 * public surface shows in review and fails here until this list (and the
 * package's README and api/<p>.api.md, `npm run api`) say so too. Types are
 * in the API reports.
 */
const EXPECTED: Record<string, { module: object; names: string[] }> = {
  '@courier/core': {
    module: core,
    names: [
      'BadRequestError',
      'BuiltinMethod',
      'CancelledError',
      'ClientConfigError',
      'ComputeStartError',
      'CoreChannels',
      'CourierError',
      'DeadlineExceededError',
      'DefinitionError',
      'InternalError',
      'KeyAllowlist',
      'MIN_TRANSFER_BYTES',
      'NotFoundError',
      'OverloadedError',
      'PermissionDeniedError',
      'SecurityError',
      'ServerConfigError',
      'TooLargeError',
      'UnavailableError',
      'UnsupportedError',
      'callInfo',
      'clientSecurityFromEnv',
      'createClient',
      'createComputePool',
      'createDynamicClient',
      'createPublisher',
      'decodeBody',
      'defineService',
      'dnsSrv',
      'encodeBody',
      'errorFromStatus',
      'generateKeyPair',
      'method',
      'nativeCompute',
      'readKeyFile',
      'serve',
      'serverSecurityFromEnv',
      'shutdownCoordinator',
      'staticEndpoints',
      'subscribe',
      'testService',
      'toCourierError',
    ],
  },
  '@courier/metrics': {
    module: metrics,
    names: [
      'DEFAULT_MAX_LABEL_VALUES',
      'DEFAULT_METRICS_PORT',
      'DURATION_BUCKETS',
      'MetricNames',
      'MetricsError',
      'UNKNOWN_LABEL_VALUE',
      'createMetrics',
    ],
  },
  '@courier/transport': {
    module: transport,
    names: [
      'AbortReason',
      'Command',
      'ContentType',
      'DEFAULT_DECODE_LIMITS',
      'DEFAULT_MSGPACK_LIMITS',
      'EVENT_SIGNATURE',
      'EventPublisher',
      'EventSubscriber',
      'KeyAllowlist',
      'MAX_DEADLINE_MS',
      'MAX_META_ENTRIES',
      'MAX_METHOD_LENGTH',
      'MAX_STATUS',
      'MAX_STRING_LENGTH',
      'MAX_TOPIC_BYTES',
      'MetaKey',
      'MsgpackDecoder',
      'MsgpackError',
      'PROTOCOL_VERSION',
      'RPC_SIGNATURE',
      'SecurityError',
      'Status',
      'TransportChannels',
      'TransportClient',
      'TransportError',
      'TransportServer',
      'clientSecurityFromEnv',
      'decodeEvent',
      'decodeMessage',
      'encodeEnvelope',
      'encodeEvent',
      'encodeMessage',
      'encodePacket',
      'generateKeyPair',
      'localReply',
      'msgpack',
      'msgpackDecode',
      'msgpackEncode',
      'readKeyFile',
      'serverSecurityFromEnv',
      'statusName',
    ],
  },
  '@courier/cli': { module: cli, names: ['formatReport', 'main', 'runBench'] },
  '@courier/errors': { module: errors, names: ['CodedError', 'isOfFamily'] },
};

describe('public runtime exports', () => {
  it.each(Object.entries(EXPECTED))(
    '%s exports exactly its documented values',
    (_name, { module, names }) => {
      expect(Object.keys(module).sort()).toEqual([...names].sort());
    },
  );

  it('@courier/core hands out channel names, never channel objects to publish on', () => {
    for (const value of Object.values(core.CoreChannels)) expect(typeof value).toBe('string');
    for (const value of Object.values(core)) expect(value?.constructor?.name).not.toBe('Channel');
  });
});
