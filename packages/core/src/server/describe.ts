import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { MethodDescription, ServiceDescription } from '../builtins.js';
import type { AnyService } from '../definition.js';
import { jsonSchemaOf } from './json-schema.js';
import type { ResolvedLimits } from './options.js';

/** The reply of the built-in `_describe` for a service, from its definition and resolved limits. */
export function describeService(definition: AnyService, limits: ResolvedLimits): ServiceDescription {
  const methods: Record<string, MethodDescription> = {};
  for (const [name, m] of Object.entries(definition.methods)) {
    methods[name] = {
      idempotent: m.idempotent ?? false,
      timeoutMs: limits.methods.get(name)!.timeoutMs,
      description: m.description ?? null,
      compute: m.compute !== undefined,
      input: jsonSchemaOf(m.input, 'input'),
      output: jsonSchemaOf(m.output, 'output'),
    };
  }
  const events: Record<string, object | null> = {};
  for (const [name, schema] of Object.entries<StandardSchemaV1>(definition.events ?? {})) {
    // What a subscriber receives is what the publisher's schema produced.
    events[name] = jsonSchemaOf(schema, 'output');
  }
  return {
    name: definition.name,
    version: definition.version,
    description: definition.description ?? null,
    methods,
    events,
  };
}
