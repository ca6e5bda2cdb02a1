// Issue 8 §3: the whole X-Cart ↔ Sage 300 cycle in scaled time under the sandboxes' faults (5xx,
// 429 with Retry-After) — orders, payments, refunds, shipments, stock receipts, price changes — then
// drained and reconciled over both APIs (orders, the day's registered buyers as Sage 300 customers,
// stock, payments, prices): no difference, nothing
// dead-lettered but what a stock Sage 300 leaves to a person.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runXcartSage300Scenario } from '../../src/cli/commands/scenario.js';
import { FLOWS_DIR, shippedFlows } from '../../src/flows/index.js';

describe('demo --scenario xcart-sage300', () => {
  it('8 scaled minutes with faults on: every flow moved, no dead letter but the hold a stock Sage 300 cannot take, 0 differences', async () => {
    const s = await runXcartSage300Scenario({ minutes: 8, faults: [{ error5xx: 0.05 }, { rate429: 0.05, retryAfterS: 1 }] });
    expect(s.activity.ordersPlaced).toBe(24);
    // Every shipped X-Cart ↔ Sage 300 flow runs but the catalog import (an onboarding decision).
    const shipped = [...shippedFlows()].filter(([, f]) => path.relative(FLOWS_DIR, f).startsWith('xcart-sage300')).map(([id]) => id);
    expect(Object.keys(s.flows).sort()).toEqual(shipped.filter((id) => id !== 'sage300-item-to-xcart').sort());
    expect(s.activity.priceChanges).toBeGreaterThan(0);
    expect(s.flows['sage300-price-to-xcart']!.delivered).toBeGreaterThan(s.activity.priceChanges!);
    expect(s.flows['xcart-order-to-sage300']!.delivered).toBeGreaterThanOrEqual(24);
    expect(s.flows['xcart-payment-to-sage300']!.delivered).toBeGreaterThan(0);
    // The warehouse shipped web orders during the day, and the shop heard of each shipment.
    expect(s.activity.shipments).toBeGreaterThan(0);
    expect(s.flows['sage300-shipment-to-xcart']!.delivered).toBeGreaterThanOrEqual(s.activity.shipments!);
    expect(s.flows['sage300-stock-to-xcart']!.delivered).toBeGreaterThan(0);
    expect(s.flows['xcart-stock-readback']!.delivered).toBe(1);
    // The one dead letter a stock Sage 300 server must leave: a fully refunded order put on hold (its
    // OE/OEOrders takes no PATCH), a person's to-do naming the order. Nothing else may be dead.
    const status = s.flows['xcart-order-status-to-sage300']!;
    expect(Object.keys(status.deadLetterCodes ?? {}).filter((c) => c !== 'SAGE300_NOT_SUPPORTED')).toEqual([]);
    expect(status.deadLettered).toBeLessThanOrEqual(s.activity.refunds!);
    expect(Object.entries(s.flows).filter(([id, f]) => f.deadLettered > 0 && id !== 'xcart-order-status-to-sage300')).toEqual([]);
    expect(s.reconciliation).toMatchObject({ differences: 0, orders: { xcart: 24, inSage300: 24 } });
    // Every registered buyer of the day's orders has a Sage 300 customer with their e-mail.
    expect(s.reconciliation.customers.xcart).toBeGreaterThan(0);
    expect(s.reconciliation.customers.inSage300).toBe(s.reconciliation.customers.xcart);
    expect(s.reconciliation.stock.compared).toBeGreaterThan(100);
    // Payments against AR receipts and refunds, and the shop's prices against Sage 300's, to the cent.
    expect(s.reconciliation.payments.xcart).toBeGreaterThan(0);
    expect(s.reconciliation.payments.inSage300).toBe(s.reconciliation.payments.xcart);
    expect(s.reconciliation.prices?.compared).toBeGreaterThan(100);
  }, 400_000);
});
