// The amazon-settlement-to-sagex3 flow document run by Syncline (startSyncline, as `syncline start`
// does) against the Amazon and Sage X3 sandboxes: every settlement the marketplace closes is found
// by the settlements poller and posted as one balanced GACCENTRY whose clearing line is the
// deposit; a duplicate delivery of the same report posts nothing more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { until } from './xcart-sage300-pair.js';

let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let runtime: Runtime;
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-amazon-settlement-'));

beforeAll(async () => {
  amazon = await startAmazon({ seed: 41, timeScale: 50, historicalOrders: 0 });
  x3 = await startX3({ seed: 41 });
  const c = amazon.credentials as Record<string, string>;
  const config = parseConfig({
    dataDir: dir,
    server: { port: 0 },
    worker: { concurrency: 4, pollMs: 5 },
    connections: [
      { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
      { id: 'x3-main', system: 'sagex3', config: { baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' } },
    ],
    flows: [{ use: 'amazon-settlement-to-sagex3', connections: { marketplace: 'amazon-main', erp: 'x3-main' }, pollIntervalMs: 200, options: { site: 'US011', clearingPartner: null } }],
  });
  runtime = await startSyncline(config, { listen: false });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  await x3?.close();
  await amazon?.close();
  rmSync(dir, { recursive: true, force: true });
});

const entries = () => [...x3.state.stores.GAS.values()];
const net = (e: ReturnType<typeof entries>[number], acc: string) =>
  e.tables.HAE1_1!.filter((l) => l.ACC === acc).reduce((a, l) => a.plus(new Decimal(String(l.AMTCUR)).times(Number(l.SNS))), new Decimal(0)).toFixed(2);

describe('flow amazon-settlement-to-sagex3', () => {
  it('posts each settlement the marketplace closes as one balanced GACCENTRY equal to the deposit', async () => {
    const market = amazon.sandbox.market;
    const now = amazon.sandbox.clock.now();
    const closed: Array<ReturnType<typeof market.closeSettlement>> = [];
    for (let period = 0; period < 2; period++) {
      const placed = Array.from({ length: 6 }, (_, i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - 3_600_000 * (i + 1), status: 'Shipped', promotion: i === 0 }));
      market.returnItems(placed[1]!.id);
      closed.push(market.closeSettlement());
    }
    const posted = await until('both settlements in X3', entries, (es) => closed.every((g) => es.some((e) => e.fields.REF === g.settlementId)), 90_000, 200);
    for (const g of closed) {
      const mine = posted.filter((e) => String(e.fields.REF).startsWith(g.settlementId!));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.fields.TOTDEB).toBe(mine[0]!.fields.TOTCDT);
      expect(net(mine[0]!, '512100')).toBe(new Decimal(g.total!).toFixed(2));
    }
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);
});
