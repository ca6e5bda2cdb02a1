// `reconcile xcart-sage300` over both sandboxes' APIs: clean after the order flow ran; then a
// duplicate made behind Syncline's back, an order that never arrived and stock edited in the shop
// are each found with their amount.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, targetCounts, type Demo } from '../../src/cli/commands/demo.js';
import { findOrdersByReference, type Sage300Client } from '../../src/connectors/sage300/index.js';
import type { XcartClient } from '../../src/connectors/xcart/index.js';
import { reconcileXcartSage300 } from '../../src/reconcile/xcart-sage300.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reconcile xcart-sage300', () => {
  let demo: Demo;
  let dir: string;
  let since: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-'));
    since = new Date(Date.now() - 1000).toISOString();
    demo = await startDemo({ port: 0, dataDir: dir });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing after the flow ran, then every planted difference with its amount', async () => {
    const xcart = demo.runtime.clients['xcart-main'] as XcartClient;
    const sage = demo.runtime.clients['sage300-main'] as Sage300Client;
    const placed = demo.xcart.storefront.placeOrders(12);
    const refs = new Set(placed.map((o) => String(o.order_number)));
    for (let i = 0; i < 200 && (await targetCounts(sage, refs)).delivered < refs.size; i++) await sleep(250);
    await sleep(2500); // the demo's own trickle: let in-flight orders land too
    const clean = await reconcileXcartSage300(xcart, sage, { since, parts: ['orders'] });
    expect(clean.orders.xcart).toBeGreaterThanOrEqual(12);
    expect(clean.differences.filter((d) => refs.has(d.key))).toEqual([]);

    // 1. A second Sage 300 order with the same reference, made behind Syncline's back.
    const victim = String(placed[0]!.order_number);
    const [existing] = await findOrdersByReference.call(sage, { purchaseOrderNumber: victim });
    const full = await sage.get('test', 'OE', 'OEOrders', existing!.OrderUniquifier, (await import('../../src/connectors/sage300/index.js')).orderOut);
    // Straight to the Web API (no look-up first), as another integration would, for a customer
    // whose duplicate-PO guard is off (Sage 300's default for a new customer).
    for (const c of demo.sage300.company.customers.table.rows()) if (c.CustomerNumber === full!.CustomerNumber) (c as Record<string, unknown>).CheckForDuplicatePOs = 'None';
    const res = await sage.request({
      operation: 'test', method: 'POST', path: sage.path('OE', 'OEOrders'), idempotent: false,
      body: { CustomerNumber: full!.CustomerNumber, PurchaseOrderNumber: victim, OrderReference: victim, OrderDetails: [{ LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: 12.34 }] },
    });
    expect(res.status).toBe(201);
    // 2. An order the flow never delivered: the engine is stopped first, so it stays in the shop only.
    await demo.runtime.engine.stop();
    const lost = demo.xcart.storefront.placeOrders(1)[0]!;
    const report = await reconcileXcartSage300(xcart, sage, { since, parts: ['orders'] });
    if (process.env.DEBUG_E2E) console.log(JSON.stringify(report.differences), JSON.stringify(await findOrdersByReference.call(sage, { purchaseOrderNumber: victim })));
    const dup = report.differences.find((d) => d.kind === 'order-duplicated-in-sage300' && d.key === victim);
    expect(dup).toMatchObject({ amount: '12.34' });
    const missing = report.differences.find((d) => d.kind === 'order-missing-in-sage300' && d.key === String(lost.order_number));
    expect(missing?.amount).toBe(`-${Number(lost.total).toFixed(2)}`);
  }, 120_000);
});
