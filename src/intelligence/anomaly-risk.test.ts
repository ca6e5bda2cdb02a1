import { describe, expect, it } from 'vitest';
import { Baselines, orderObservations } from './anomaly.js';
import { HOLD_THRESHOLD, RiskHistory, scoreOrder, type RiskOrder } from './risk.js';

describe('anomaly detection', () => {
  it('flags a price error against list and a fee spike, not ordinary noise; error rates by weekday and hour', () => {
    const hist = [];
    for (let i = 0; i < 50; i++) {
      hist.push(...orderObservations({ shop: 'web', total: 100 + (i % 7), lines: [{ sku: 'A', price: i % 5 ? '20.00' : '17.00', listPrice: '20.00' }] }));
      hist.push({ metric: 'fee.ratio' as const, key: 'Commission', value: 0.15 + (i % 3) * 0.001 });
      // 02:00 on Mondays the nightly batch fails often; other hours rarely.
      hist.push({ metric: 'errors.rate' as const, key: 'f', value: 0.08 + (i % 3) * 0.005, at: new Date(Date.UTC(2026, 10, 2 + 7 * (i % 8), 2)) });
      hist.push({ metric: 'errors.rate' as const, key: 'f', value: 0.01 + (i % 3) * 0.001, at: new Date(Date.UTC(2026, 10, 2 + 7 * (i % 8), 14)) });
    }
    const b = Baselines.fit(hist);
    expect(b.check({ metric: 'price.vsList', key: 'A', value: 0.1 })?.reason).toMatch(/price.vsList of A is 0.1, usually 1/);
    expect(b.check({ metric: 'price.vsList', key: 'A', value: 0.85 })).toBeUndefined();
    expect(b.check({ metric: 'fee.ratio', key: 'Commission', value: 0.45 })).toBeDefined();
    expect(b.check({ metric: 'errors.rate', key: 'f', value: 0.085, at: new Date(Date.UTC(2026, 11, 7, 2)) })).toBeUndefined();
    expect(b.check({ metric: 'errors.rate', key: 'f', value: 0.085, at: new Date(Date.UTC(2026, 11, 7, 14)) })).toBeDefined();
    expect(b.check({ metric: 'stock.delta', key: 'unknown', value: 1e6 })).toBeUndefined(); // no history, no verdict
  });
});

describe('order risk', () => {
  const base = (i: number, over: Partial<RiskOrder> = {}): RiskOrder => ({ id: `o${i}`, at: new Date(Date.UTC(2026, 11, 1, 0, i)), buyer: `b${i}`, email: `b${i}@example.com`, billingCountry: 'US', shippingCountry: 'US', shippingAddress: `${i} Main St`, total: '50.00', lines: [{ sku: 'A', price: '50.00', listPrice: '50.00', quantity: 1 }], ...over });

  it('explains every point and holds the risky order only', () => {
    const h = new RiskHistory();
    for (let i = 0; i < 200; i++) h.record(base(i));
    const repeat = scoreOrder(base(5, { at: new Date(Date.UTC(2026, 11, 2)) }), h);
    expect(repeat.score).toBe(0);
    const fraud = scoreOrder(base(999, { email: 'x@mailinator.com', shippingCountry: 'NG' }), h);
    expect(fraud.score).toBeGreaterThanOrEqual(HOLD_THRESHOLD);
    expect(fraud.reasons.join(' | ')).toMatch(/billing country US ≠ shipping country NG.*disposable e-mail domain mailinator.com/);
    const cheap = scoreOrder(base(1000, { lines: [{ sku: 'A', price: '9.99', listPrice: '50.00', quantity: 1 }] }), h);
    expect(cheap.reasons.some((r) => /under half of list for A/.test(r))).toBe(true);
  });

  it('counts velocity per e-mail within 24 hours', () => {
    const h = new RiskHistory();
    for (let k = 0; k < 4; k++) h.record(base(k, { email: 'same@example.com', at: new Date(Date.UTC(2026, 11, 1, k)) }));
    const r = scoreOrder(base(9, { email: 'same@example.com', at: new Date(Date.UTC(2026, 11, 1, 5)) }), h);
    expect(r.reasons.join()).toMatch(/4 orders from this e-mail in 24 h/);
    expect(scoreOrder(base(9, { email: 'same@example.com', at: new Date(Date.UTC(2026, 11, 3)) }), h).reasons.join()).not.toMatch(/24 h/);
  });

  it('holds a burst from an identity first seen today, not an established buyer\'s busy day, nor anyone on a flow\'s first day', () => {
    const at = (day: number, hour: number): Date => new Date(Date.UTC(2026, 11, day, hour));
    const burst = (h: RiskHistory, who: Partial<RiskOrder>) => {
      for (let k = 0; k < 4; k++) h.record(base(500 + k, { ...who, at: at(10, 8 + k) }));
      return scoreOrder(base(600, { ...who, at: at(10, 13) }), h);
    };
    const who = { buyer: 'nb', email: 'nb@example.com', shippingAddress: '5 New Rd' };
    const established = new RiskHistory();
    for (let i = 0; i < 60; i++) established.record(base(i, { at: at(1, i % 24) }));
    const fresh = burst(established, who);
    expect(fresh.reasons.join(' | ')).toMatch(/4 orders from this .* in 24 h.*all first seen within 24 h/);
    expect(fresh.score).toBeGreaterThanOrEqual(HOLD_THRESHOLD);
    // The same burst from a buyer who first ordered a week earlier: velocity only, not held.
    established.record(base(700, { ...who, buyer: 'ob', email: 'ob@example.com', shippingAddress: '6 Old Rd', at: at(3, 9) }));
    const old = burst(established, { buyer: 'ob', email: 'ob@example.com', shippingAddress: '6 Old Rd' });
    expect(old.reasons.join()).not.toMatch(/first seen/);
    expect(old.score).toBeLessThan(HOLD_THRESHOLD);
    // A flow's first day: every buyer is new to it, so newness says nothing.
    expect(burst(new RiskHistory(), who).reasons.join()).not.toMatch(/first seen/);
  });

  it('keeps a bounded history: first orders known out of time order, velocity from the last day only', () => {
    const h = new RiskHistory();
    const at = (hour: number): Date => new Date(Date.UTC(2026, 11, 1, hour));
    h.record(base(1, { email: 'late@example.com', at: at(10) }));
    h.record(base(2, { email: 'late@example.com', at: at(5) })); // arrives after a later order
    expect(scoreOrder(base(3, { email: 'late@example.com', at: at(7) }), h).reasons.join()).not.toMatch(/first order/);
    expect(scoreOrder(base(4, { email: 'late@example.com', at: at(4) }), h).reasons.join()).toMatch(/first order/);
    // 300 orders from one address over 30 days: only the last day's count as velocity.
    for (let i = 0; i < 300; i++) h.record(base(100 + i, { shippingAddress: '1 Busy Rd', at: new Date(Date.UTC(2026, 11, 1) + i * 2.4 * 3_600_000) }));
    const r = scoreOrder(base(999, { shippingAddress: '1 busy rd', at: new Date(Date.UTC(2026, 11, 1) + 300 * 2.4 * 3_600_000) }), h);
    expect(r.reasons.join()).toMatch(/\b10 orders from this address in 24 h/);
    expect(r.score).toBeLessThan(HOLD_THRESHOLD); // velocity alone does not hold
  });
});
