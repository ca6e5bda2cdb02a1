// The Amazon order template against what the Amazon sandbox serves through the Amazon connector:
// orders placed on its marketplace, read with getOrder + getOrderItems, map to valid X3 SOH orders.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOrderItems, type SpApiClient } from '../connectors/amazon/index.js';
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
