// The seed's invalid-SKU case (issue 8, proof): an X-Cart order line whose SKU neither Sage 300 nor
// the crosswalk knows is a dead letter that names the SKU and the closest item numbers; once an
// admin adds the crosswalk entry (a new version of lookup table `sku`, as the console saves it), the
// replayed letter delivers the order exactly once, with the item the entry names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrdersByReference, getOrder as getSageOrder } from '../../src/connectors/sage300/index.js';
import { createProduct } from '../../src/connectors/xcart/index.js';
import { ApiTokenStore } from '../../src/core/tokens.js';
import { sleep, startPair, until, type Pair } from './xcart-sage300-pair.js';

const FLOW = 'xcart-order-to-sage300';

describe('invalid SKU: dead letter with the closest item numbers; crosswalk entry added; replay delivers once', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ flows: ({ shop, erp }) => [{ use: FLOW, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 }] });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('A1-1001-BLX (a typo of A1-1001-BLK)', async () => {
    // The shop sells a SKU that differs from the Sage 300 item number by one letter.
    await createProduct.call(pair.shop, { sku: 'A1-1001-BLX', name: 'Hiking Pants (Black)', price: '59.00', amount: 50 });
    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLX', qty: 2 }] });
    const ref = String(placed.order_number);

    const [letter] = await until('the dead letter', () => pair.dead(FLOW), (d) => d.length === 1, 60_000, 200);
    expect(letter!.lastError?.kind).toBe('user');
    expect(letter!.lastError?.message).toMatch(/unknown SKU 'A1-1001-BLX'.*closest: A1-1001-BLK/);
    expect(await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: ref })).toEqual([]);

    // An admin adds the entry in the console (POST /api/lookups/sku/versions): new events use it.
    const { token } = await new ApiTokenStore(pair.runtime.store.db).create('e2e-admin', 'admin');
    const table = readFileSync(path.resolve(import.meta.dirname, '../../mappings/lookups/sku.yaml'), 'utf8').replace('entries:\n', 'entries:\n  A1-1001-BLX: A1-1001-BLK\n');
    const saved = await request(`${pair.runtime.url}/api/lookups/sku/versions`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: table, note: 'shop typo' }),
    });
    expect(saved.statusCode).toBe(201);
    expect(((await saved.body.json()) as { flows: string[] }).flows).toContain(FLOW);

    expect(await pair.runtime.engine.queue.replay([letter!.id])).toBe(1);
    const [order] = await until('delivered', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: ref }), (f) => f.length === 1, 60_000, 200).catch(async (e) => {
      console.log(JSON.stringify(await pair.dead(FLOW)).slice(0, 3000));
      throw e;
    });
    await pair.idle([FLOW], 1_000);
    await sleep(1_000);
    expect(await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: ref })).toHaveLength(1);
    expect(await pair.dead(FLOW)).toEqual([]);
    const full = await getSageOrder.call(pair.erp, { orderUniquifier: order!.OrderUniquifier });
    expect(full!.OrderDetails!.filter((l) => l.LineType === 'Item').map((l) => [l.Item, Number(l.QuantityOrdered)])).toEqual([['A1-1001-BLK', 2]]);
  }, 150_000);
});
