// Differential: the JS the compiler makes and jsonata-js agree (same value, or both fail) on the
// constructs flows use per order — object constructors as path steps and with computed keys
// (jsonata's grouping), $merge, $distinct of a path's sequence and of an array — over random records
// whose SKUs collide, so groups of several items and duplicate values happen. These once went to
// jsonata's evaluator (≈ 100 µs an evaluation); a wrong compile would change what a flow sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shippedFlows } from '../flows/catalog.js';
import { compileExpression } from './expression.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const EXPRESSIONS = [
  'items.{ sku: price }',
  "items.{ 'k': sku, 'p': $string(price) }",
  "[items.{ 'sku': sku, 'price': $string(price), 'quantity': qty }]",
  'items[qty > 1].{ sku: qty }',
  '{ name: price }',
  '{ sku: qty, name: qty }',
  '$merge(items.{ sku: qty })',
  '$merge([a, b])',
  '$merge(a)',
  "$merge([a, { 'x': 1 }])",
  '$distinct(items.sku)',
  '$distinct(items.qty)',
  '$distinct(tags)',
  '$distinct(items[qty > 0].sku)',
  "$merge(items[sku != 'A'].{ sku: price })",
  "$split(sku, '1')",
  "$split(sku, 'n', 1)",
  "$split(name, '')",
  '$keys(a)',
  '$keys(items)',
  '$count($keys(b))',
  '$append(tags, items.sku)',
  '$append(a, b)',
  '$append(items.qty, 9)',
  "{ 'n': 1, '__proto__': a }",
  'items.{ sku: qty, name: price }',
];

const item = fc.record(
  { sku: fc.oneof(fc.constantFrom('A', 'B', 'C', '__proto__', '10', '2'), fc.constant(undefined), fc.integer({ min: 0, max: 2 }), fc.constant('A1-B1')), price: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(1.5)), qty: fc.integer({ min: 0, max: 3 }) },
  { requiredKeys: ['qty'] },
);
const record = fc.record(
  {
    items: fc.oneof(fc.array(item, { maxLength: 5 }), item),
    tags: fc.oneof(fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 4 }), fc.constant('x')),
    a: fc.oneof(fc.dictionary(fc.constantFrom('x', 'y', '1'), fc.jsonValue(), { maxKeys: 3 }), fc.jsonValue()),
    b: fc.dictionary(fc.constantFrom('x', 'y'), fc.integer(), { maxKeys: 2 }),
    name: fc.oneof(fc.constantFrom('n1', 'n2'), fc.integer()),
    sku: fc.constantFrom('n1', 'n2'),
  },
  { requiredKeys: [] },
);

type Outcome = { value: unknown } | { failed: true };
async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    // JSON: a compiled array and jsonata's sequence are the same value once serialised.
    return { value: JSON.parse(JSON.stringify({ v: await run() })) };
  } catch {
    return { failed: true };
  }
}

describe('compiled expressions agree with jsonata-js', () => {
  for (const text of EXPRESSIONS) {
    it(text, async () => {
      const fast = compileExpression(text, { name: 'differential' });
      const slow = compileExpression(text, { name: 'differential', interpretOnly: true });
      expect(fast.sync).toBe(true);
      await fc.assert(
        fc.asyncProperty(record, async (input) => {
          expect(await outcome(() => fast(input))).toEqual(await outcome(() => slow(input)));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('the per-order expressions of xcart-order-to-sage300 compile (no jsonata fallback but the update diff)', () => {
    const doc = parse(readFileSync(shippedFlows().get('xcart-order-to-sage300')!, 'utf8')) as { steps: unknown[] };
    const interpreted: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (typeof v === 'string') {
        let e;
        try {
          e = compileExpression(v, { name: at });
        } catch {
          return; // a title or an id, not an expression
        }
        if (!e.sync) interpreted.push(at);
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(doc.steps, 'steps');
    expect(interpreted).toEqual(['steps[5].update.if', 'steps[5].update.input']);
  });
});
