import type { BoundFlow } from '../core/engine.js';
import type { Poller } from '../core/triggers.js';

/** A flow as configuration names it: the roles it needs and how to wire it from connection clients. */
export interface FlowTemplate {
  id: string;
  description: string;
  /** Role → system, e.g. { shop: 'xcart', erp: 'sage300' }. */
  roles: Record<string, string>;
  build(args: {
    clients: Record<string, unknown>;
    connectionIds: Record<string, string>;
    mapping?: string;
    mappingOptions?: Record<string, unknown>;
    pollIntervalMs: number;
  }): Promise<{ bound: BoundFlow; pollers: Array<{ poller: Poller; intervalMs: number; connection: string }> }>;
}
