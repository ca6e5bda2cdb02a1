import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerCheck } from './answer-check.js';
import { getOrder } from './operations/getOrder.js';
import { getOrderItems } from './operations/getOrderItems.js';
import { getOrders } from './operations/getOrders.js';

const order = {
  AmazonOrderId: '113-9324645-4027684', PurchaseDate: '2026-12-08T00:22:31Z', LastUpdateDate: '2026-12-08T00:22:31Z', OrderStatus: 'Unshipped', FulfillmentChannel: 'MFN',
  OrderTotal: { CurrencyCode: 'USD', Amount: '1350.77' }, NumberOfItemsShipped: 0, NumberOfItemsUnshipped: 4, PaymentMethodDetails: ['Standard'], MarketplaceId: 'ATVPDKIKX0DER',
  IsBusinessOrder: false, IsPrime: false, ShippingAddress: { City: 'Portland', StateOrRegion: 'OR', PostalCode: '97205', CountryCode: 'US' }, BuyerInfo: {},
};
const item = {
  ASIN: 'B0FD0HR0IU', SellerSKU: 'B2-1180-RED', OrderItemId: '18120035144706', QuantityOrdered: 1, QuantityShipped: 0, ProductInfo: { NumberOfItems: '1' },
  ItemPrice: { CurrencyCode: 'USD', Amount: '181.99' }, PromotionIds: [], IsGift: 'false', TaxCollection: { Model: 'MarketplaceFacilitator' },
};
const items = { amazonOrderId: order.AmazonOrderId, items: [item, { ...item, OrderItemId: '2' }], nextToken: undefined };

/** Every variant of `value` with one field (at any depth) replaced by each of `odd`, or removed. */
function* variants(value: unknown): Generator<unknown> {
  const odd = [undefined, null, 0, -1, 1.5, Infinity, '', 'x', '12.3.4', '-0.5', true, [], {}, ['x'], 'Unshipped', 'AFN', 'false'];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) for (const v of variants(value[i])) yield value.map((x, k) => (k === i ? v : x));
    for (const o of odd) yield [...value, o];
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      for (const v of variants(o[k])) yield { ...o, [k]: v };
      const { [k]: _, ...rest } = o;
      yield rest;
    }
    yield { ...o, Extra: 1 };
    yield JSON.parse(`{"__proto__": {"x": 1}, "AmazonOrderId": "1"}`);
  }
  yield* odd;
}

describe('answerCheck', () => {
  // The one promise: what it takes, zod takes too and returns equal; everything else goes to zod.
  it.each([
    ['getOrder', getOrder.output, order],
    ['getOrderItems', getOrderItems.output, items],
    ['getOrders', getOrders.output, { orders: [order], nextToken: 'n' }],
  ] as Array<[string, z.ZodType, unknown]>)('%s: takes only what zod takes unchanged', (_name, schema, sample) => {
    const check = answerCheck(schema)!;
    expect(check).toBeDefined();
    expect(check(sample)).toBe(true);
    let taken = 0;
    let refused = 0;
    for (const v of variants(sample)) {
      const parsed = schema.safeParse(v);
      if (check(v)) {
        taken++;
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(v);
      } else refused++;
    }
    expect(taken).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it('leaves to zod what it does not read (defaults, transforms, refinements, unions)', () => {
    expect(answerCheck(z.object({ a: z.string().default('x') }))).toBeUndefined();
    expect(answerCheck(z.object({ a: z.string().transform((s) => s.trim()) }))).toBeUndefined();
    expect(answerCheck(z.string().refine((s) => s !== 'x'))).toBeUndefined();
    expect(answerCheck(z.union([z.string(), z.number()]))).toBeUndefined();
    expect(answerCheck(z.strictObject({ a: z.string() }))).toBeUndefined();
    expect(answerCheck(z.iso.datetime())).toBeUndefined();
    expect(answerCheck(z.email())).toBeUndefined();
    expect(answerCheck(z.number().positive())).toBeUndefined();
    expect(answerCheck(z.int())!(1.5)).toBe(false);
  });

  it('a strip object takes no field it would drop', () => {
    const check = answerCheck(z.object({ a: z.string() }))!;
    expect(check({ a: 'x' })).toBe(true);
    expect(check({ a: 'x', b: 1 })).toBe(false);
  });
});
