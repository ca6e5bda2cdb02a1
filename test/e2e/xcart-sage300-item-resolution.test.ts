// Issue 11: items resolve through Sage 300. A SKU the shop sells and Sage 300 stocks under the same
// item number, but which the SKU crosswalk (mappings/lookups/sku.yaml) has never heard of, reaches
// Sage 300 as that item: the order flow looks it up (getItem) and caches the link in the xref. A SKU
// neither knows is still dead-lettered with the reason.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLookupTable } from '../../src/mapping/index.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const NEW_SKU = 'G7-2001-WHT'; // Sage's formatted item number (structure CSC); unformatted G72001WHT

describe('items resolve through Sage 300, the crosswalk only overriding', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ flows: ({ shop, erp }) => [{ use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100 }] });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('a new SKU Sage 300 has but the crosswalk does not → a Sage 300 order line of that item, the link cached in the xref', async () => {
    const crosswalk = await loadLookupTable(new URL('../../mappings/lookups/sku.yaml', import.meta.url).pathname);
    expect(crosswalk.get(NEW_SKU)).toBeUndefined();
    // The merchant adds the item in Sage 300 (IC Items, over the Web API) and the product in the shop.
    const res = await pair.erp.request({ operation: 'test', method: 'POST', path: pair.erp.path('IC', 'ICItems'), idempotent: false, body: { UnformattedItemNumber: NEW_SKU.replace(/-/g, ''), StructureCode: 'CSC', Description: 'New desk lamp', StockItem: true, StockingUnitOfMeasure: 'Ea.', Category: 'A1' } });
    expect(res.status).toBe(201);
    const base = [...pair.xcart.store.products.values()][0]!;
    pair.xcart.store.indexProduct({ ...base, id: pair.xcart.store.next('product'), sku: NEW_SKU, name: 'New desk lamp', variants: [], enabled: true } as typeof base);

    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: NEW_SKU, qty: 2 }, { sku: 'A1-1001-BLK', qty: 1 }] });
    const line = z.looseObject({ Item: z.string().optional(), QuantityOrdered: z.unknown() });
    const [order] = await until('the order in Sage 300', () => pair.erp.list('test', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), OrderDetails: z.array(line).optional() }), { filter: `PurchaseOrderNumber eq '${placed.order_number}'` }), (o) => o.length === 1, 60_000, 200);
    expect(order!.OrderDetails?.filter((l) => l.Item).map((l) => [l.Item, Number(l.QuantityOrdered)])).toEqual([[NEW_SKU, 2], ['A1-1001-BLK', 1]]);
    // The link is committed with the run's ack, a moment after the order landed.
    const links = await until('the SKU → item link', () => pair.runtime.store.db.selectFrom('xref').select(['a_system', 'a_entity', 'a_id', 'b_system', 'b_entity', 'b_id']).where((eb) => eb.or([eb('a_entity', '=', 'ic-item'), eb('b_entity', '=', 'ic-item')])).execute(), (l) => l.length > 0, 10_000, 100);
    const mine = links.find((l) => l.a_id === NEW_SKU || l.b_id === NEW_SKU);
    expect(mine && [mine.a_system, mine.a_entity, mine.b_system, mine.b_entity].sort()).toEqual(['ic-item', 'sage300', 'sku', 'xcart']);
    expect(await pair.dead('xcart-order-to-sage300')).toEqual([]);
  }, 120_000);

  it('a SKU neither Sage 300 nor the crosswalk knows → a dead letter naming the SKU', async () => {
    const base = [...pair.xcart.store.products.values()][0]!;
    pair.xcart.store.indexProduct({ ...base, id: pair.xcart.store.next('product'), sku: 'NOSUCH99', name: 'Phantom', variants: [], enabled: true } as typeof base);
    pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'NOSUCH99', qty: 1 }] });
    const [dead] = await until('the dead letter', () => pair.dead('xcart-order-to-sage300'), (d) => d.length === 1, 60_000, 200);
    expect(dead!.lastError?.code).toBe('MAPPING_INVALID');
    expect(dead!.lastError?.message).toContain("unknown SKU 'NOSUCH99'");
  }, 120_000);
});
