// The order template against the shapes the X-Cart sandbox really serves: orders placed through its
// storefront (guests and registered customers, coupons, shipping, tax, several currencies), read over
// HTTP from GET /api/orders/{id}, must all map to valid Sage 300 OE orders whose totals match.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type XcartSandbox } from '../sandboxes/xcart/index.js';
import { loadMapping } from './index.js';
import { D } from './transforms/decimal.js';

let sb: XcartSandbox;
beforeAll(async () => {
  sb = await start({ port: 0, host: '127.0.0.1', seed: 1 });
});
afterAll(() => sb?.close());

describe('X-Cart sandbox orders → Sage 300 OE orders', () => {
  it('maps every order the storefront produces, totals to the cent', async () => {
    const m = await loadMapping(path.resolve(import.meta.dirname, '../../mappings/xcart-sage300/order-to-oe-order.yaml'));
    const placed = sb.storefront.placeOrders(40);
    const currencies = new Set<string>();
    for (const o of placed) {
      const res = await fetch(`${sb.url}/api/orders/${o.id}`, { headers: { 'X-Auth-Token': sb.credentials.readToken, accept: 'application/json' } });
      expect(res.status).toBe(200);
      const order = (await res.json()) as { order_number: string; total: number; currency: string; customer_id: number | null };
      currencies.add(order.currency);
      const r = await m.run(order, { now: new Date() });
      expect(r.errors, `order ${order.order_number}`).toEqual([]);
      const out = r.output as { PurchaseOrderNumber: string; CustomerNumber: string; OrderDetails: Array<Record<string, string | number>>; OrderDiscountAmount?: string };
      expect(out.PurchaseOrderNumber).toBe(order.order_number);
      if (order.customer_id === null) expect(out.CustomerNumber).toBe('WEBCUST');
      if (order.currency === 'USD') {
        let sum = new D(0);
        for (const d of out.OrderDetails) sum = sum.add(d.LineType === 'Item' ? new D(d.PricingUnitPrice as string).mul(d.QuantityOrdered as number) : new D(d.ExtendedAmount as string));
        expect(sum.sub(out.OrderDiscountAmount ?? 0).toFixed(2)).toBe(new D(String(order.total)).toFixed(2));
      } else {
        expect(r.rates.map((x) => x.from)).toEqual([order.currency]);
      }
    }
    expect(currencies.size).toBeGreaterThan(1);
  }, 60_000);
});
