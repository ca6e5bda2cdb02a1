// Answers' amounts skip decimal.js for plain numbers (issue 12): a finite number's shortest
// round-trip text is taken as its exact decimal. This holds the fast path to what decimal.js writes
// for the same number, over random doubles (fractions, cents, huge, tiny, exponent forms).
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalOut } from './sage300/schemas.js';
import { money } from './xcart/schemas.js';

const doubles = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -10_000_000, max: 10_000_000 }).map((cents) => cents / 100),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((n) => n / 10_000),
);

describe('amounts of answers without a Decimal per field', () => {
  it('Sage 300 decimalOut writes what decimal.js writes (toFixed), for any finite number', () => {
    fc.assert(
      fc.property(doubles, (n) => {
        const want = new Decimal(n).toFixed();
        expect(decimalOut.parse(n)).toBe(Object.is(n, -0) ? '0' : want);
      }),
      { numRuns: 20_000 },
    );
  });
  it('X-Cart money writes what decimal.js writes (toString), for any finite number', () => {
    fc.assert(
      fc.property(doubles, (n) => {
        const want = new Decimal(n).toString();
        expect(money.parse(n)).toBe(Object.is(n, -0) ? '0' : want);
      }),
      { numRuns: 20_000 },
    );
  });
});
