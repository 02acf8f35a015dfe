import type { AnyRegistry } from './collected.js';
import type { LiveServers } from './live-servers.js';

/** What each group of metrics is built with. */
export interface GroupContext {
  readonly registry: AnyRegistry;
  readonly servers: LiveServers;
  /** Cap on distinct values per label of one metric. */
  readonly maxLabelValues: number;
}
