import type { StandardSchemaV1 } from '@standard-schema/spec';

/** A validation issue as sent to the caller: plain data, safe for MessagePack and JSON. */
export interface Issue {
  readonly message: string;
  /** Where the issue is: object keys and array indices, outermost first. */
  readonly path: ReadonlyArray<string | number>;
}

/**
 * Turns Standard Schema issues into plain data. Path segments may be
 * symbols or `{ key }` objects in the spec; both become strings or numbers.
 */
export function toIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): Issue[] {
  return issues.map((issue) => ({
    message: String(issue.message),
    path: (issue.path ?? []).map((segment) => pathKey(typeof segment === 'object' ? segment.key : segment)),
  }));
}

function pathKey(key: PropertyKey): string | number {
  if (typeof key === 'number') return key;
  if (typeof key === 'symbol') return key.description ?? key.toString();
  return key;
}
