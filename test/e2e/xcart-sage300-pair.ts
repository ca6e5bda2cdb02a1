// Test support for the X-Cart ↔ Sage 300 flow tests: both sandboxes over HTTP on loopback and
// Syncline started from a configuration (startSyncline, as `syncline start` does) on a real SQLite
// file, with the flows under test bound to the two connections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import type { FlowConfigEntry } from '../../src/flows/deploy.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import type { Sage300Client } from '../../src/connectors/sage300/index.js';
import type { XcartClient } from '../../src/connectors/xcart/index.js';
import type { JobView } from '../../src/core/queue/port.js';

import { sleep } from '../support/wait.js';
export { sleep, until } from '../support/wait.js';
export { fireAndRun } from '../support/schedule.js';

export interface Pair {
  runtime: Runtime;
  xcart: XcartSandbox;
  sage300: Sage300Sandbox;
  shop: XcartClient;
  erp: Sage300Client;
  dir: string;
  /** PUT /__sandbox/faults on one sandbox (the shared fault format); [] clears. */
  faults(system: 'xcart' | 'sage300', rules: unknown[]): Promise<void>;
  /** Dead jobs of a flow. */
  dead(flowId?: string): Promise<JobView[]>;
  /** Resolves once no job of these flows is queued or running (for `quietMs`, so a poll in between is seen). */
  idle(flowIds: string[], quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const FAST = { ratePerSec: 100_000, burst: 100_000 };

export interface PairOptions {
  flows: FlowConfigEntry[] | ((ids: { shop: string; erp: string }) => FlowConfigEntry[]);
  xcartFeatures?: Record<string, unknown>;
  sage300Features?: Record<string, unknown>;
  /** Extra connection config (e.g. the X-Cart tracking module). */
  xcartConfig?: Record<string, unknown>;
  /** Per-operation rate limits; default: the sandboxes are local, so the connectors' conservative defaults are lifted. */
  xcartRateLimits?: Record<string, { ratePerSec: number; burst: number }>;
  sage300RateLimits?: Record<string, { ratePerSec: number; burst: number }>;
  concurrency?: number;
  seed?: number;
  /** The merchant's own lookup tables (replace the shipped ones of the same name). */
  lookupsDir?: string;
}

export async function startPair(opts: PairOptions): Promise<Pair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-xs-'));
  const xcart = await startXcart({ port: 0, seed: opts.seed ?? 1, ...(opts.xcartFeatures ? { features: opts.xcartFeatures } : {}) });
  const sage300 = await startSage300({ port: 0, seed: opts.seed ?? 1, ...(opts.sage300Features ? { features: opts.sage300Features } : {}) });
  const lift = (ops: string[]) => Object.fromEntries(ops.map((o) => [o, FAST]));
  const ids = { shop: 'xcart-main', erp: 'sage300-main' };
  const config = parseConfig({
    dataDir: dir,
    ...(opts.lookupsDir ? { lookupsDir: opts.lookupsDir } : {}),
    server: { port: 0 },
    worker: { concurrency: opts.concurrency ?? 8, pollMs: 5 },
    health: { testAtStart: true },
    connections: [
      {
        id: ids.shop, system: 'xcart',
        config: { baseUrl: xcart.url, token: xcart.credentials.writeToken, legacyKey: xcart.credentials.legacyKey, ...(opts.xcartConfig ?? {}) },
        rateLimits: opts.xcartRateLimits ?? lift(['listOrders', 'getOrder', 'listProducts', 'listVariants', 'getProduct', 'getVariant', 'updateProduct', 'updateVariant', 'createProduct', 'createVariant', 'updatePaymentStatus', 'updateShippingStatus', 'listOrderPaymentTransactions', 'listProfiles', 'createProfile', 'updateProfile', 'createAddress', 'addTrackingNumber', 'findSku']),
      },
      {
        id: ids.erp, system: 'sage300',
        config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password },
        rateLimits: opts.sage300RateLimits ?? lift(['createOrder', 'findOrdersByReference', 'getOrder', 'getStock', 'listStock', 'findCustomerByEmail', 'createCustomer', 'updateCustomer', 'createReceiptBatch', 'createRefundBatch', 'createCreditNote', 'listInvoices', 'listItems', 'getItem', 'getItemPrice', 'postBatch', 'poll:stock', 'poll:prices', 'poll:shipments', 'poll:customers', 'poll:items', 'poll:invoices']),
      },
    ],
    flows: typeof opts.flows === 'function' ? opts.flows(ids) : opts.flows,
  });
  const runtime = await startSyncline(config, { listen: true });
  const pair: Pair = {
    runtime, xcart, sage300, dir,
    shop: runtime.clients[ids.shop] as XcartClient,
    erp: runtime.clients[ids.erp] as Sage300Client,
    async faults(system, rules) {
      const url = system === 'xcart' ? xcart.url : sage300.url;
      const res = await request(`${url}/__sandbox/faults`, { method: 'PUT', body: JSON.stringify({ rules }), headers: { 'content-type': 'application/json' } });
      if (res.statusCode !== 200) throw new Error(`faults: ${res.statusCode} ${await res.body.text()}`);
      await res.body.dump();
    },
    async dead(flowId) {
      return (await runtime.engine.queue.list({ state: 'dead', limit: 1000, ...(flowId ? { queue: flowId } : {}) })) as never;
    },
    async idle(flowIds, quietMs = 1_000, timeoutMs = 120_000) {
      const busy = async () => {
        for (const state of ['queued', 'running'] as const) {
          for (const q of flowIds) if ((await runtime.engine.queue.list({ state, queue: q, limit: 1 })).length) return true;
        }
        return false;
      };
      const deadline = Date.now() + timeoutMs;
      let quietSince = Date.now();
      for (;;) {
        if (await busy()) quietSince = Date.now();
        else if (Date.now() - quietSince >= quietMs) return;
        if (Date.now() > deadline) throw new Error(`flows ${flowIds.join(', ')} still busy after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async stop() {
      await runtime.stop();
      await Promise.all([xcart.close(), sage300.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pair;
}
