// Issue 9, the demo: a marketplace day of the Amazon ↔ Sage X3 pair in scaled time under the
// sandboxes' faults (5xx, 429 with Retry-After) — AFN and MFN orders, FBA and merchant shipments,
// X3 invoicing shipped orders, returns, FBA receipts, a reimbursement, X3 receipts and price changes,
// a cancellation, a web-shop order X3 sends to Amazon MCF (its status back on the SOH), an FBA return credited — then one
// settlement posted, everything drained and reconciled over both APIs (orders, settlements, MFN and
// FBA stock): no difference, nothing dead-lettered. What `syncline demo --scenario amazon-x3
// --minutes M --exit --json` prints is this summary.
import { describe, expect, it } from 'vitest';
import { runAmazonX3Scenario } from '../../src/cli/commands/scenario.js';

describe('demo --scenario amazon-x3', () => {
  it('6 scaled minutes with faults on: orders, shipments, invoices, an MCF order, stock both ways and one settlement; 0 dead letters, 0 differences', async () => {
    const s = await runAmazonX3Scenario({ minutes: 6, faults: [{ error5xx: 0.05 }, { rate429: 0.05, retryAfterS: 1 }] });
    expect(s.activity).toMatchObject({ afnOrders: 6, mfnOrders: 6, settlements: 1, mcfOrders: 1 });
    expect(s.activity.invoices).toBeGreaterThan(0);
    expect(s.activity.fbaShipped).toBeGreaterThan(0);
    expect(s.flows['amazon-order-to-sagex3']!.delivered).toBeGreaterThanOrEqual(12 - (s.activity.cancellations ?? 0));
    expect(s.flows['amazon-shipment-to-sagex3']!.delivered).toBeGreaterThan(0);
    expect(s.flows['amazon-settlement-to-sagex3']!.delivered).toBe(1);
    expect(s.flows['amazon-fba-inventory-to-sagex3']!.delivered).toBeGreaterThan(0);
    expect(s.flows['sagex3-stock-to-amazon']!.delivered).toBeGreaterThan(0);
    // The web-shop order: one MCF order created, its status written back onto the SOH.
    expect(s.flows['sagex3-order-to-amazon-mcf']!.delivered).toBe(1);
    expect(s.flows['amazon-mcf-status-to-sagex3']!.delivered).toBeGreaterThan(0);
    // The FBA return of the day: its credit note and the returned SKU counted from Amazon's inventory
    // (the reconciliation's FBA stock below has no difference: the unit is on X3 once).
    expect(s.activity.returns).toBeGreaterThan(0);
    expect(s.flows['amazon-return-to-sagex3']!.delivered).toBeGreaterThan(1);
    expect(Object.entries(s.flows).filter(([, f]) => f.deadLettered > 0)).toEqual([]);
    expect(s.reconciliation).toMatchObject({ differences: 0, settlements: { checked: 1, posted: 1 } });
    expect(s.reconciliation.orders.inX3).toBe(s.reconciliation.orders.checked);
    expect(s.reconciliation.stock).toEqual({ mfnCompared: 150, fbaCompared: 150 });
  }, 60_000);
});
