// Test support for the Amazon ↔ Sage X3 flow tests: both sandboxes over HTTP on loopback and
// Syncline started from a configuration (startSyncline, as `syncline start` does) on a real SQLite
// file, the flows under test bound to the two connections (roles marketplace and erp).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import { DEFAULT_LAYOUTS } from '../../src/connectors/sagex3/layouts.js';
import type { FlowConfigEntry } from '../../src/flows/deploy.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { createDestination, createSubscription } from '../../src/connectors/amazon/operations/notifications.js';
import { start as startX3, type PublicationDeclaration, type Publications, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';

/** A site's own publication contents: the sandbox site declares the fields, the connection's layouts carry them. */
export interface X3Site {
  publicationFields: PublicationDeclaration;
  layouts: Record<string, unknown>;
}

/** A site whose order header carries its own Char fields (e.g. YTRACKNUM) in group SOH2_3, declared on both sides. */
export function siteWithOrderFields(fields: Record<string, number>): X3Site {
  return {
    publicationFields: { SOH: { blocks: [{ id: 'SOH2_3', fields: Object.entries(fields).map(([name, len]) => ({ name, len })) }] } },
    layouts: { SOH: { ...DEFAULT_LAYOUTS.SOH, groups: { ...DEFAULT_LAYOUTS.SOH.groups, ...Object.fromEntries(Object.keys(fields).map((f) => [f, 'SOH2_3'])) } } },
  };
}

export interface AmazonX3 {
  amazon: RunningAmazonSandbox;
  x3: SageX3Sandbox;
  runtime: Runtime;
  dir: string;
  stop(): Promise<void>;
}

export const X3_SANDBOX_AUTH = { auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' } as const;

/** `flows` get `connections: { marketplace: 'amazon-main', erp: 'x3-main' }` (a relative `mapping` is under `dir`); `prepare` runs before Syncline starts (e.g. to write a deployment's mappings into `dir`). */
/** A flow's `since: 'sandboxes'` starts its poller right after the sandboxes seeded their records. `x3Publications`: site subprograms the X3 site publishes (e.g. `{ COUNT: 'YSTOCKCNT' }`), named in the connection too. */
/** `notifications`: the seller's ORDER_CHANGE subscription to the sandbox's SQS destination, named on the connection (sqsQueueUrl). `timeScale`: the Amazon sandbox's clock (default 50×). */
/** `x3Via`: the X3 connection's base URL in front of the sandbox's (e.g. a proxy that delays saves). `marketplaceTable`: the merchant's marketplaces table (writeMarketplaceTable) as the deployment's lookups. */
export async function startAmazonX3(opts: { seed: number; flows: Array<Omit<FlowConfigEntry, 'connections'>>; prepare?: (dir: string) => void; x3Publications?: Partial<Publications>; lookupsDir?: string; x3Site?: X3Site; notifications?: boolean; timeScale?: number; x3Via?: (x3Url: string) => Promise<string>; marketplaceTable?: boolean }): Promise<AmazonX3> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-ax-'));
  if (opts.marketplaceTable) writeMarketplaceTable(path.join(dir, opts.lookupsDir ?? 'lookups'));
  opts.prepare?.(dir);
  const amazon = await startAmazon({ seed: opts.seed, timeScale: opts.timeScale ?? 50, historicalOrders: 0 });
  if (opts.notifications) await subscribeOrderChanges(amazon);
  const x3 = await startX3({ seed: opts.seed, ...(opts.x3Publications ? { publications: opts.x3Publications } : {}), ...(opts.x3Site ? { features: { publicationFields: opts.x3Site.publicationFields } } : {}) });
  const c = amazon.credentials as Record<string, string>;
  const seeded = new Date().toISOString();
  const config = parseConfig({
    dataDir: dir,
    // The merchant's own lookup tables (relative to `dir`), replacing the shipped ones of the same name.
    ...(opts.lookupsDir || opts.marketplaceTable ? { lookupsDir: path.resolve(dir, opts.lookupsDir ?? 'lookups') } : {}),
    server: { port: 0 },
    worker: { concurrency: 4, pollMs: 5 },
    connections: [
      { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId, ...(opts.notifications ? { sqsQueueUrl: c.sqsQueueUrl } : {}) } },
      { id: 'x3-main', system: 'sagex3', config: { baseUrl: opts.x3Via ? await opts.x3Via(x3.url) : x3.url, ...X3_SANDBOX_AUTH, ...(opts.x3Publications ? { publications: opts.x3Publications } : {}), ...(opts.x3Site ? { layouts: opts.x3Site.layouts } : {}) } },
    ],
    flows: opts.flows.map((f) => ({ ...f, ...(f.since === 'sandboxes' ? { since: seeded } : {}), ...(f.mapping ? { mapping: path.resolve(dir, f.mapping) } : {}), connections: { marketplace: 'amazon-main', erp: 'x3-main' } })),
  });
  const runtime = await startSyncline(config, { listen: false });
  return {
    amazon, x3, runtime, dir,
    async stop() {
      await runtime.stop();
      await x3.close();
      await amazon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The merchant's marketplaces table booking amazon.com to the sandbox X3's site, order type and customer, written into `lookupsDir`. */
export function writeMarketplaceTable(lookupsDir: string): void {
  mkdirSync(lookupsDir, { recursive: true });
  writeFileSync(path.join(lookupsDir, 'marketplaces.yaml'), [
    'name: marketplaces',
    'normalize: [trim, upper]',
    'entries:',
    '  ATVPDKIKX0DER: { site: US011, currency: USD, country: US, customer: C00001, orderType: SON, timeZone: America/Los_Angeles }',
  ].join('\n'));
}

/** One firing of a scheduled flow, as src/flows/schedule.ts records it. */
export { fireSchedule } from '../support/schedule.js';

/**
 * The site's non-stock items a refund's credit note books its charges on (the returns and settlement
 * flows' option chargeItems: AMZSHIP, AMZTAX, AMZOTHER). A site creates them once when it sets
 * Syncline up (docs/connectors/sagex3.md); the sandbox's seeded catalogue has only stock items.
 */
export function addChargeItems(x3: SageX3Sandbox): void {
  for (const [ITMREF, DES1AXX] of [['AMZSHIP', 'Amazon refunded shipping'], ['AMZTAX', 'Amazon refunded tax'], ['AMZOTHER', 'Amazon other refunded charges']] as const) {
    if (!x3.state.stores.ITM.has(ITMREF)) x3.state.save('ITM', { fields: { ITMREF, TCLCOD: 'MISC', DES1AXX }, groupOf: {}, tables: {} }, 'TEST');
  }
}

/** X3's stock per status (A / Q / R) of an item at a site, as the sandbox holds it. */
export function x3StockByStatus(x3: SageX3Sandbox, site: string, item: string): { A: number; Q: number; R: number } {
  const out = { A: 0, Q: 0, R: 0 };
  for (const r of x3.state.stockRows({ site, item })) out[r.STA[0] as 'A' | 'Q' | 'R'] += r.QTYSTU.toNumber();
  return out;
}

/** Amazon's FBA inventory of a SKU by the count mapping's rule (A fulfillable + reserved, Q researching, R unfulfillable). */
export function amazonFbaByStatus(amazon: RunningAmazonSandbox, sku: string): { A: number; Q: number; R: number } {
  const f = amazon.sandbox.market.listings.get(sku)!.fba;
  return { A: f.fulfillable + f.pendingCustomerOrder + f.fcProcessing, Q: f.researching, R: f.unfulfillable };
}

/** The seller's notification set-up for orders: a destination on the sandbox's SQS queue and an ORDER_CHANGE subscription to it. */
export async function subscribeOrderChanges(amazon: RunningAmazonSandbox): Promise<void> {
  const client = clientFor(amazon);
  const dest = await createDestination.call(client, { name: 'syncline', sqsArn: 'arn:aws:sqs:us-east-1:000000000000:syncline-notifications' });
  await createSubscription.call(client, { notificationType: 'ORDER_CHANGE', destinationId: dest.destinationId });
}

/**
 * The X3 sandbox refuses a second invoice or credit note with one INVREF for a customer and type (its
 * model of X3, unconfirmed). Tests of exactly-once switch that guard off (as the Sage 300 tests turn the
 * duplicate-PO check off), so the settle time and the look-ups alone must keep one document per key:
 * each SIH is saved under a unique INVREF and answered with the one it was sent.
 */
export function switchOffInvrefGuard(x3: SageX3Sandbox): void {
  const save = x3.state.save.bind(x3.state);
  let unguarded = 0;
  x3.state.save = (code, p, user) => {
    const invref = code === 'SIH' ? String(p.fields.INVREF ?? '') : '';
    if (!invref) return save(code, p, user);
    const rec = save(code, { ...p, fields: { ...p.fields, INVREF: `${invref}~${++unguarded}` } }, user);
    rec.fields.INVREF = invref;
    return rec;
  };
}
