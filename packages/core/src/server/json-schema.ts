import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';

/** The JSON Schema dialect `_describe` reports. */
const TARGET = 'draft-2020-12';

/**
 * The JSON Schema of a Standard Schema's input or output side, through the
 * Standard JSON Schema interface (`~standard.jsonSchema`, implemented by
 * zod 4 and others), or `null` when the schema does not offer it or cannot
 * express itself in JSON Schema (e.g. a transform). Core never imports a
 * validation library to do this.
 */
export function jsonSchemaOf(schema: StandardSchemaV1 | undefined, side: 'input' | 'output'): object | null {
  const converter = (schema?.['~standard'] as Partial<StandardJSONSchemaV1.Props> | undefined)?.jsonSchema;
  if (typeof converter?.[side] !== 'function') return null;
  try {
    return converter[side]({ target: TARGET });
  } catch {
    return null;
  }
}
