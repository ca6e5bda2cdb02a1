// Order changes (issue 11 "Order updates"), over HTTP against the sandboxes, on a Sage 300 whose OE
// orders take PATCH: a back-office edit of an X-Cart order (a quantity, an item swapped, a new
// shipping address) reaches the Sage 300 order; a line Sage 300 has shipped from is never changed —
// the run fails naming the order and the line (a dead letter) and the order stays as it was; a new
// version with nothing Sage keeps changed sends no PATCH. On a stock server any change is the dead
// letter SAGE300_NOT_SUPPORTED (test/e2e/skeleton.test.ts, the flow's cases).
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { cents, type Order } from '../../src/sandboxes/xcart/model.js';
import { sleep, startPair, until, type Pair } from './xcart-sage300-pair.js';

const FLOW = 'xcart-order-to-sage300';

/** A back-office edit in X-Cart: change the order, keep its totals adding up, bump its renew date. */
async function editInShop(pair: Pair, id: number, edit: (o: Order) => void): Promise<void> {
  await sleep(1100); // X-Cart's lastRenewDate is in seconds: an edit in the same second is the same version
  const o = pair.xcart.store.orders.get(id)!;
  edit(o);
  // Amounts are kept as X-Cart's floats, rounded to the cent.
  const subTotal = o.items.reduce((s, i) => s.plus(new Decimal(i.price).times(i.amount)), new Decimal(0));
  o.sub_total = cents(subTotal);
  o.total = cents(o.surcharges.filter((s) => s.include !== true && s.available !== false).reduce((s, x) => s.plus(x.value), subTotal));
  pair.xcart.store.touchOrder(o);
}

const itemLines = (o: { OrderDetails?: Array<{ LineType: string; Item?: string; QuantityOrdered?: string }> } | undefined) =>
  (o?.OrderDetails ?? []).filter((l) => l.LineType === 'Item').map((l) => `${l.Item} ${l.QuantityOrdered}`).sort();

describe('X-Cart order changes → the Sage 300 order (PATCH on OE orders)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({
      sage300Features: { oeOrderPatch: true },
      flows: ({ shop, erp }) => [{ use: FLOW, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 }],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('quantity changed, an item swapped, a new shipping address → PATCHed; a shipped line → a dead letter naming it; no change → no PATCH', async () => {
    const placed = pair.xcart.storefront.placeOrder({ lines: [{ sku: 'A1-1001-BLK', qty: 1 }, { sku: 'A1-1004-NAV', qty: 2 }], paid: true, currency: 'USD', guest: true });
    const po = String(placed.order_number);
    const find = async () => (await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: po }))[0];
    const created = await until(`order ${po} in Sage 300`, find, (o) => o !== undefined, 120_000, 200);
    expect(itemLines(created)).toEqual(['A1-1001-BLK 1', 'A1-1004-NAV 2']);
    await pair.idle([FLOW], 500);

    // 1. The buyer calls: three jackets, the black rain shell instead of the navy one, another address.
    await editInShop(pair, placed.id, (o) => {
      o.items[0]!.amount = 3;
      o.items[1] = { ...o.items[1]!, id: o.items[1]!.id + 1000, sku: 'A1-1004-BLK', name: 'Rain Shell Black', amount: 1 };
      o.shipping_address = { ...o.shipping_address, id: o.shipping_address.id + 1000, is_billing: false, street: '500 Pine Street', city: 'Portland', zipcode: '97205', state_name: 'OR', state: null };
    });
    const updated = await until('the change in Sage 300', find, (o) => o?.ShipToCity === 'Portland' && itemLines(o).join() === 'A1-1001-BLK 3,A1-1004-BLK 1', 60_000, 200);
    expect(updated).toMatchObject({ OrderNumber: created!.OrderNumber, ShipToAddressLine1: '500 Pine St', ShipToStateProvince: 'OR', ShipToZipPostalCode: '97205' });
    // The jacket's line was updated in place (same LineNumber), not deleted and inserted.
    const jacket = (o: typeof updated) => o!.OrderDetails!.find((l) => l.Item === 'A1-1001-BLK')!;
    expect(jacket(updated).LineNumber).toBe(jacket(created).LineNumber);
    await pair.idle([FLOW], 500);
    const [last] = await pair.runtime.engine.runs.list({ flow: FLOW, limit: 1 });
    expect(last!.status).toBe('succeeded');
    expect(await pair.dead(FLOW)).toEqual([]);

    // 2. The warehouse ships one jacket; then the shop drops to two jackets: Sage 300 cannot take it.
    pair.sage300.backOffice.shipOrder(created!.OrderNumber, { lines: [{ lineNumber: jacket(updated).LineNumber, quantity: 1 }], invoice: false });
    const requests = pair.sage300.recordRequests();
    await editInShop(pair, placed.id, (o) => { o.items[0]!.amount = 2; });
    const [dead] = await until('the dead letter', () => pair.dead(FLOW), (d) => d.length === 1, 60_000, 200);
    expect(dead!.lastError?.kind).toBe('user');
    expect(dead!.lastError?.message).toContain(`Sage 300 order ${created!.OrderNumber} (X-Cart order ${po}): line ${jacket(updated).LineNumber} (A1-1001-BLK) has shipped 1 and cannot be changed to 2`);
    // What an operator reads is the reason, not the flow's expression (that stays in the details).
    expect(dead!.lastError?.message).toMatch(/^flow xcart-order-to-sage300 steps\[\d\] \(deliver\)\.update\.if: Sage 300 order /);
    expect(dead!.lastError?.message.length).toBeLessThan(300);
    expect(requests.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect(itemLines(await find())).toEqual(['A1-1001-BLK 3', 'A1-1004-BLK 1']);

    // 3. Back to three jackets (as Sage 300 has it) and a staff note only: nothing to send.
    await editInShop(pair, placed.id, (o) => { o.items[0]!.amount = 3; o.admin_notes = 'called back'; });
    await until('the unchanged run', () => pair.runtime.engine.runs.list({ flow: FLOW, limit: 1 }), (r) => r[0]?.status === 'succeeded', 60_000, 200);
    await pair.idle([FLOW], 500);
    requests.stop();
    expect(requests.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect((await pair.dead(FLOW)).length).toBe(1);
  }, 240_000);
});
