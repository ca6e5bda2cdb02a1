// Status translation both ways (issue 8 §2.8) through the editable lookup tables. X-Cart → Sage 300:
// the payment status decides the OE order's hold (table xcart-payment-status) — by PATCH where the
// server takes it; on a stock 2022 Web API (OEOrders: GET and POST) a dead letter names the order and
// what to set by hand, and its replay, once that is done, sends nothing. Sage 300 → X-Cart: the
// fulfilment state through table sage300-shipping-status, here replaced by the merchant's own
// (lookupsDir) so a shipment marks the shop order Delivered.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrdersByReference, getOrder as getSageOrder } from '../../src/connectors/sage300/index.js';
import { getOrder } from '../../src/connectors/xcart/index.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const STATUS = 'xcart-order-status-to-sage300';
const midnight = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;

async function unpaidOrderInSage(pair: Pair) {
  const placed = pair.xcart.storefront.placeOrder({ lines: [{ sku: 'A1-1001-BLK', qty: 1 }], paid: false, currency: 'USD', guest: true });
  const [sage] = await until(`order ${placed.order_number} in Sage 300`, () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (f) => f.length === 1, 120_000, 200);
  // The status flow has seen this first version (it records it; only later changes count).
  await pair.idle([STATUS, 'xcart-order-to-sage300'], 500);
  return { placed, sage: sage! };
}

/** A Sage 300 desk user ticks or clears "On Hold" in O/E Order Entry. */
function holdByHand(pair: Pair, orderUniquifier: number, onHold: boolean) {
  const co = pair.sage300.company;
  co.orders.update(co.orders.table.get(String(orderUniquifier))!, { OnHold: onHold }, 'patch');
}

describe('status translation on a stock Sage 300 Web API (no PATCH on OE orders), with the merchant\'s own tables', () => {
  let pair: Pair;
  let lookupsDir: string;
  beforeAll(async () => {
    lookupsDir = mkdtempSync(path.join(tmpdir(), 'syncline-lookups-'));
    // The merchant's fulfilment table: their carrier confirms delivery, so a Sage 300 shipment is D.
    writeFileSync(path.join(lookupsDir, 'sage300-shipping-status.yaml'), [
      'name: sage300-shipping-status', 'label: Sage 300 fulfilment state', 'normalize: [trim, lower]',
      'entries: { open: N, partial: P, shipped: D, complete: D, invoiced: D, delivered: D, cancelled: WND }', '',
    ].join('\n'));
    pair = await startPair({
      lookupsDir,
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: STATUS, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'sage300-shipment-to-xcart', connections: { erp, shop }, since: midnight, pollIntervalMs: 200 },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
    rmSync(lookupsDir, { recursive: true, force: true });
  });

  it('canceled in the shop → a dead letter naming the order and what to do; held by hand, the replay sends nothing', async () => {
    const { placed, sage } = await unpaidOrderInSage(pair);
    pair.xcart.storefront.cancel(placed.id);
    const [dead] = await until('the dead letter', () => pair.dead(STATUS), (d) => d.length === 1, 60_000, 200);
    expect(dead!.lastError?.code).toBe('SAGE300_NOT_SUPPORTED');
    expect(dead!.lastError?.message).toContain(`put order ${sage.OrderNumber} on hold (X-Cart payment status C`);
    expect(dead!.lastError?.message).toContain('Set "On Hold" in O/E Order Entry, then replay');
    expect((await getSageOrder.call(pair.erp, { orderUniquifier: sage.OrderUniquifier }))?.OnHold).not.toBe(true);
    // One human to-do, one dead letter: the order flow sees the canceled version too, and leaves the
    // hold to the status flow (it used to try it as well and dead-letter a second time).
    const ofOrder = async () => (await pair.runtime.engine.runs.list({ flow: 'xcart-order-to-sage300', limit: 50 })).filter((r) => r.recordKey.endsWith(`:order:${placed.id}`));
    await until('the order flow saw the canceled version', ofOrder, (runs) => new Set(runs.map((r) => r.jobId)).size >= 2, 60_000, 200);
    await pair.idle(['xcart-order-to-sage300', STATUS], 500);
    expect((await pair.dead()).map((d) => `${d.queue} ${d.lastError?.code}`)).toEqual([`${STATUS} SAGE300_NOT_SUPPORTED`]);

    holdByHand(pair, sage.OrderUniquifier, true);
    const requests = pair.sage300.recordRequests();
    expect(await pair.runtime.engine.queue.replay([dead!.id])).toBe(1);
    await until('the replay done', () => pair.dead(STATUS), (d) => d.length === 0, 60_000, 200);
    await pair.idle([STATUS], 500);
    requests.stop();
    expect(requests.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    const [run] = await pair.runtime.engine.runs.list({ flow: STATUS, limit: 1 });
    expect(run!.status).toBe('succeeded');
  }, 180_000);

  it('Sage 300 ships → the shop order is D (the merchant\'s table), not S (the shipped table)', async () => {
    const placed = pair.xcart.storefront.placeOrder({ lines: [{ sku: 'A1-1004-NAV', qty: 1 }], paid: true, currency: 'USD', guest: true });
    const [sage] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (f) => f.length === 1, 120_000, 200);
    pair.sage300.backOffice.shipOrder(sage!.OrderNumber, {});
    await until('delivered in the shop', async () => (await getOrder.call(pair.shop, { id: placed.id })).shipping_status?.code, (c) => c === 'D', 120_000, 200);
    expect(await pair.dead('sage300-shipment-to-xcart')).toEqual([]);
  }, 240_000);
});

describe('status translation on a Sage 300 whose OE orders take PATCH', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({
      sage300Features: { oeOrderPatch: true },
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: STATUS, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
      ],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('held in Sage 300, then paid in the shop → off hold (P: onHold false); canceled → on hold', async () => {
    const a = await unpaidOrderInSage(pair);
    holdByHand(pair, a.sage.OrderUniquifier, true);
    pair.xcart.storefront.pay(a.placed.id);
    await until('off hold', async () => (await getSageOrder.call(pair.erp, { orderUniquifier: a.sage.OrderUniquifier }))?.OnHold, (h) => h === false, 60_000, 200);

    const b = await unpaidOrderInSage(pair);
    pair.xcart.storefront.cancel(b.placed.id);
    await until('on hold', async () => (await getSageOrder.call(pair.erp, { orderUniquifier: b.sage.OrderUniquifier }))?.OnHold, (h) => h === true, 60_000, 200);
    await pair.idle([STATUS], 500);
    expect(await pair.dead(STATUS)).toEqual([]);
    const notes = (await pair.runtime.engine.runs.list({ flow: STATUS, limit: 20 })).map((r) => r.note ?? '');
    expect(notes.some((n) => n.includes(`${a.sage.OrderNumber} off hold: X-Cart payment status P`))).toBe(true);
    expect(notes.some((n) => n.includes(`${b.sage.OrderNumber} on hold: X-Cart payment status C`))).toBe(true);
  }, 180_000);
});
