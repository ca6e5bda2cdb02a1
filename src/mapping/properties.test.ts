// Property tests (fast-check): conversion round-trips, order lines that add up to the source total
// to the cent, idempotent address normalisation; and the SKU crosswalk against the demo catalog.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../sandboxes/shared/catalog.js';
import { Budget, DEFAULT_BUDGET } from './budget.js';
import { builtins, type Runtime } from './functions.js';
import { loadLookupTable, loadMapping } from './index.js';
import { formatPostal, normalizeStreet, stateCode } from './transforms/address.js';
import { createRateTable } from './transforms/currency.js';
import { D } from './transforms/decimal.js';

const root = path.resolve(import.meta.dirname, '../../mappings');

const rates = createRateTable({
  name: 'test',
  kind: 'rates',
  rates: [
    { from: 'EUR', to: 'USD', rate: '1.0935', effective: '2026-01-01' },
    { from: 'GBP', to: 'USD', rate: '1.2988', effective: '2026-01-01' },
    { from: 'USD', to: 'JPY', rate: '151.20', effective: '2026-01-01' },
    { from: 'EUR', to: 'GBP', rate: '0.8421', effective: '2026-01-01' },
    { from: 'USD', to: 'KWD', rate: '0.3071', effective: '2026-01-01' },
  ],
});
const rt = (): Runtime => ({ lookups: {}, rates, now: new Date('2026-06-01T00:00:00Z'), options: {}, warnings: [], errors: [], applied: [], path: 'x', srcBase: '', budget: new Budget(DEFAULT_BUDGET) });
const convert = (r: Runtime, amount: string, from: string, to: string) => builtins.convert!(r, undefined, amount, from, to, '2026-06-01') as string;
const MINOR: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, KWD: 3 };
const amountIn = (cur: string) => fc.bigInt({ min: 0n, max: 10n ** 11n }).map((n) => new D(n.toString()).div(new D(10).pow(MINOR[cur]!)).toFixed(MINOR[cur]!));

describe('currency conversion', () => {
  it('rounds once, half-up, to the target currency minor units', () => {
    fc.assert(
      fc.property(fc.constantFrom(['EUR', 'USD', '1.0935'], ['USD', 'JPY', '151.20'], ['USD', 'KWD', '0.3071']), fc.bigInt({ min: 0n, max: 10n ** 11n }), ([from, to, rate], n) => {
        const amount = new D(n.toString()).div(100).toFixed(2);
        const r = rt();
        const out = convert(r, amount, from!, to!);
        expect(out).toBe(new D(amount).mul(rate!).toDecimalPlaces(MINOR[to!]!, D.ROUND_HALF_UP).toFixed(MINOR[to!]!));
        expect(r.errors).toEqual([]);
        expect(r.applied).toEqual([{ from, to, rate: new D(rate!).toFixed(), effective: '2026-01-01' }]);
      }),
    );
  });

  it('round-trips within one minor unit when the target unit is worth no more than the source unit', () => {
    fc.assert(
      fc.property(fc.constantFrom(['EUR', 'USD'], ['GBP', 'USD'], ['USD', 'JPY'], ['USD', 'KWD']).chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), amountIn(a))), ([a, b, amount]) => {
        // Not KWD→USD: a cent is worth about three fils, so one rounding in USD can exceed a fils.
        const r = rt();
        const there = convert(r, amount, a, b);
        const back = convert(r, there, b, a);
        expect(r.errors).toEqual([]);
        expect(new D(back).sub(amount).abs().lte(new D(10).pow(-MINOR[a]!))).toBe(true);
      }),
    );
  });

  it('in general errs by no more than half a unit each way', () => {
    fc.assert(
      fc.property(fc.constantFrom(['EUR', 'GBP'], ['GBP', 'EUR'], ['JPY', 'USD'], ['KWD', 'USD'], ['USD', 'EUR']).chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), amountIn(a))), ([a, b, amount]) => {
        const r = rt();
        const there = convert(r, amount, a, b);
        const back = convert(r, there, b, a);
        const rateBack = new D(convert(rt(), '1000000', b, a)).div(1000000);
        const bound = new D(10).pow(-MINOR[a]!).div(2).add(new D(10).pow(-MINOR[b]!).div(2).mul(rateBack)).add(new D(10).pow(-MINOR[a]!).div(2));
        expect(new D(back).sub(amount).abs().lte(bound)).toBe(true);
      }),
    );
  });
});

describe('decimal fast path', () => {
  it('gives exactly what decimal.js gives, for numbers and decimal strings', () => {
    const decimalText = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 8 })).map(([neg, n, sc]) => {
      const d = new D(n.toString()).div(new D(10).pow(sc));
      return (neg ? d.neg() : d).toFixed(sc);
    });
    const value = fc.oneof(decimalText, decimalText.map(Number), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }));
    fc.assert(
      fc.property(value, value, fc.constantFrom('USD', 'JPY', 'KWD'), (a, b, cur) => {
        const r = rt();
        const da = new D(String(a));
        const db = new D(String(b));
        expect(builtins.dadd!(r, undefined, a, b)).toBe(da.add(db).toFixed());
        expect(builtins.dmul!(r, undefined, a, b)).toBe(da.mul(db).toFixed());
        expect(builtins.dsub!(r, undefined, a, b)).toBe(da.sub(db).toFixed());
        expect(builtins.dcmp!(r, undefined, a, b)).toBe(da.cmp(db));
        const places = MINOR[cur]!;
        const rounded = da.toDecimalPlaces(places, D.ROUND_HALF_UP).toFixed(places);
        expect(builtins.money!(r, undefined, a, cur)).toBe(/^-0(\.0*)?$/.test(rounded) ? rounded.slice(1) : rounded);
        expect(r.errors).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('X-Cart order → Sage 300 OE order', () => {
  it('lines + charges − discount equal the source total to the cent, for any consistent order', async () => {
    const m = await loadMapping(path.join(root, 'xcart-sage300/order-to-oe-order.yaml'));
    const { items } = generateCatalog(1);
    const cents = (c: number) => (c / 100).toFixed(2);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ item: fc.integer({ min: 0, max: items.length - 1 }), qty: fc.integer({ min: 1, max: 12 }), price: fc.integer({ min: 1, max: 500_000 }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 0, max: 3000 }),
        async (lines, ship, tax, discountPct) => {
          const sub = lines.reduce((a, l) => a + l.price * l.qty, 0);
          const discount = Math.floor((sub * discountPct) / 10000);
          const total = sub - discount + ship + tax;
          const order = {
            order_number: '1', total: Number(cents(total)), currency: 'USD', create_date: '2026-11-20T18:00:00Z', customer_id: null, email: 'g@example.net',
            items: lines.map((l) => ({ sku: items[l.item]!.itemNo, price: Number(cents(l.price)), amount: l.qty })),
            surcharges: [
              { type: 'shipping', include: false, available: true, value: Number(cents(ship)) },
              { type: 'tax', include: false, available: true, value: Number(cents(tax)) },
              { type: 'discount', include: false, available: true, value: -Number(cents(discount)) },
            ],
            shipping_address: { firstname: 'A', lastname: 'B', street: '1 Main St', zipcode: '97205', city: 'Portland', country_code: 'US', state_name: 'OR' },
          };
          const r = m.runSync(order);
          expect(r.errors).toEqual([]);
          const out = r.output as { OrderDetails: Array<Record<string, string | number>>; OrderDiscountAmount?: string };
          let sum = new D(0);
          for (const d of out.OrderDetails) sum = sum.add(d.LineType === 'Item' ? new D(d.PricingUnitPrice as string).mul(d.QuantityOrdered as number) : new D(d.ExtendedAmount as string));
          sum = sum.sub(out.OrderDiscountAmount ?? 0);
          expect(sum.toFixed(2)).toBe(cents(total));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('address normalisation', () => {
  const word = fc.constantFrom('Main', 'north', 'SOUTH', 'street', 'St.', 'Avenue', 'ave', 'Apartment', 'apt', 'Suite', '#', '#5', '12', '4500', 'Cedar', 'boulevard', 'Pkwy', 'Road', 'NE', 'west', 'Front', 'Building', 'Lot', 'O\'Neil', 'Ct', ',', 'x.y', 'Floor');
  const street = fc.array(word, { minLength: 0, maxLength: 8 }).map((ws) => ws.join(' '));
  for (const casing of ['keep', 'upper', 'title'] as const) {
    it(`is idempotent (${casing})`, () => {
      fc.assert(
        fc.property(fc.oneof(street, fc.string()), (s) => {
          const once = normalizeStreet(s, casing);
          expect(normalizeStreet(once, casing)).toBe(once);
        }),
        { numRuns: 2000 },
      );
    });
  }
  it('postal codes and state codes are idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('97205', '972051234', 'v6b1a1', 'sw1a1aa', '1000001')), fc.constantFrom('US', 'CA', 'GB', 'JP', 'DE', undefined), (p, c) => {
        const once = formatPostal(p, c).value;
        expect(formatPostal(once, c).value).toBe(once);
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('Oregon', 'new york', 'BC', 'Québec', 'ON')), fc.constantFrom('US', 'CA', 'FR'), (s, c) => {
        const once = stateCode(s, c);
        if (once !== undefined) expect(stateCode(once, c)).toBe(once);
      }),
    );
  });
});

describe('SKU crosswalk', () => {
  it('resolves every item of the demo catalog, formatted, unformatted and loosely typed', async () => {
    const sku = await loadLookupTable(path.join(root, 'lookups/sku.yaml'));
    const { items } = generateCatalog(1);
    expect(sku.size).toBe(items.length);
    for (const it of items) {
      expect(sku.get(it.itemNo)).toBe(it.itemNo);
      expect(sku.get(it.unformatted)).toBe(it.itemNo);
      expect(sku.get(` ${it.itemNo.toLowerCase().replace(/-/g, ' ')} `)).toBe(it.itemNo);
      expect(sku.get(`AMZ-${it.itemNo}`)).toBe(it.itemNo);
    }
    expect(sku.get('Z9-0000-XXX')).toBeUndefined();
  });
});
