// ORDER_CHANGE notifications drive amazon-order-to-sagex3 (issue 9 flow 1): with the seller's
// subscription to an SQS destination named on the connection, an order reaches X3 as soon as Amazon
// notifies it — the Amazon sandbox runs in real time here, so the LastUpdatedAfter sweep (which
// Amazon answers only for changes older than 2 minutes) cannot be what delivered it.
// Also issue 9's "product not found" error case: an Amazon SKU the merchant's sku table lacks is one dead letter naming the SKU with the closest known ones.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmazonX3, writeMarketplaceTable, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

let pair: AmazonX3;
const MISSING = 'A1-1004-NAV';
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1, timeScale: 1, notifications: true,
    prepare: (dir) => {
      writeMarketplaceTable(path.join(dir, 'lookups'));
      // The merchant's SKU table lacks one item Amazon sells (a product X3 does not know).
      const shipped = readFileSync(path.join(import.meta.dirname, '../../mappings/lookups/sku.yaml'), 'utf8');
      writeFileSync(path.join(dir, 'lookups/sku.yaml'), shipped.replace(`  ${MISSING}: ${MISSING}\n`, ''));
    },
    lookupsDir: 'lookups',
    flows: [{ use: 'amazon-order-to-sagex3', pollIntervalMs: 200, since: 'now', options: { riskHold: false } }],
  });
}, 120_000);
afterAll(() => pair?.stop());

describe('amazon-order-to-sagex3 from ORDER_CHANGE notifications', () => {
  it('orders reach X3 within seconds of the notification, once each; an order cancelled before it was read is not created', async () => {
    const market = pair.amazon.sandbox.market;
    const t0 = pair.amazon.sandbox.clock.now();
    const placed = Array.from({ length: 5 }, (_, i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', status: 'Unshipped' }));
    const cancelled = market.placeOrder({ channel: 'MFN', status: 'Canceled' });
    const sohs = () => [...pair.x3.state.stores.SOH.values()];
    await until('the orders reached X3', sohs, (s) => placed.every((o) => s.some((r) => r.fields.CUSORDREF === o.id)), 90_000, 100);
    // Less than Amazon's 2 minutes of sandbox time went by: no getOrders sweep can list these orders yet.
    expect(pair.amazon.sandbox.clock.now() - t0).toBeLessThan(120_000);
    for (const o of placed) expect(sohs().filter((r) => r.fields.CUSORDREF === o.id)).toHaveLength(1);
    expect(sohs().some((r) => r.fields.CUSORDREF === cancelled.id)).toBe(false);
    // The destination is drained: every notification was acknowledged once its event was stored.
    await until('the queue drained', () => pair.amazon.sandbox.queue('syncline-notifications').messages.length, (n) => n === 0, 10_000, 100);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);

  it('an order of a product X3 does not know: one dead letter naming the SKU with the closest known ones, nothing in X3', async () => {
    const market = pair.amazon.sandbox.market;
    const o = market.placeOrder({ lines: [{ sku: MISSING, quantity: 1 }], status: 'Unshipped' });
    const dead = await until('the dead letter', () => pair.runtime.engine.queue.list({ state: 'dead', limit: 10 }), (d) => d.length > 0, 60_000, 100);
    expect(dead).toHaveLength(1);
    const text = JSON.stringify(dead[0]);
    expect(text).toContain(o.id);
    expect(text).toContain(`unknown SKU '${MISSING}'`);
    expect(text).toMatch(/lines\[0\].ITMREF: unknown SKU '[^']+' at OrderItems\[0\].SellerSKU \(closest: A1-\d{4}-/);
    expect([...pair.x3.state.stores.SOH.values()].some((r) => r.fields.CUSORDREF === o.id)).toBe(false);
  }, 90_000);
});
