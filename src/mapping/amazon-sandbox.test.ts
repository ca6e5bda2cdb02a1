// The Amazon order template against what the Amazon sandbox serves through the Amazon connector:
// orders placed on its marketplace, read with getOrder + getOrderItems, map to valid X3 SOH orders.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOrderItems, listSettlementReports, streamSettlementReport, type SettlementLine, type SpApiClient } from '../connectors/amazon/index.js';
import * as ops from '../connectors/amazon/operations/index.js';
import { clientFor } from '../connectors/amazon/testing.js';
import { start, type RunningAmazonSandbox } from '../sandboxes/amazon/index.js';
import { loadMapping } from './index.js';

let sb: RunningAmazonSandbox;
let client: SpApiClient;
beforeAll(async () => {
  sb = await start({ seed: 1, timeScale: 50, historicalOrders: 0 });
  client = clientFor(sb);
});
afterAll(() => sb?.close());

describe('Amazon sandbox orders → X3 SOH', () => {
  it('maps orders read through the connector, totals to the cent', async () => {
    const m = await loadMapping(path.resolve(import.meta.dirname, '../../mappings/amazon-sagex3/order-to-soh.yaml'));
    const market = sb.sandbox.market;
    const now = sb.sandbox.clock.now();
    const placed = [0, 1, 2, 3, 4, 5].map((i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - 3_600_000 * (i + 1), status: 'Unshipped', promotion: i % 3 === 0 }));
    for (const p of placed) {
      const order = await ops.getOrder.call(client, { orderId: p.id, pii: true });
      const items = await allOrderItems(client, p.id);
      const r = await m.run({ ...(order as object), OrderItems: items });
      expect(r.errors, `order ${p.id}: ${JSON.stringify(r.errors)}`).toEqual([]);
      const out = r.output as { CUSORDREF: string; lines: unknown[] };
      expect(out.CUSORDREF).toBe(p.id);
      expect(out.lines.length).toBe(items.length);
    }
  }, 60_000);
});

describe('Amazon sandbox settlement → X3 journal entry', () => {
  it('every line of a real settlement finds its account, and the entry balances against the payout', async () => {
    const m = await loadMapping(path.resolve(import.meta.dirname, '../../mappings/amazon-sagex3/settlement-to-journal.yaml'));
    const market = sb.sandbox.market;
    const now = sb.sandbox.clock.now();
    for (let i = 0; i < 8; i++) market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - 7_200_000 * (i + 1), status: 'Shipped', promotion: i % 4 === 0 });
    market.closeSettlement();
    const reports = await listSettlementReports(client);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    const reader = await streamSettlementReport(client, reports[reports.length - 1]!.reportDocumentId!);
    const lines: SettlementLine[] = [];
    for await (const l of reader.lines) lines.push(l);
    expect(lines.length).toBeGreaterThan(8);
    const r = await m.run({ summary: reader.summary, lines });
    expect(r.errors).toEqual([]);
    const out = r.output as { REF: string; lines: Array<{ ACC: string; SNS: string; AMTCUR: string }> };
    expect(out.REF).toBe(reader.summary.settlementId.slice(0, 20));
    expect(out.lines.at(-1)!.ACC).toBe('512100');
  }, 60_000);
});
