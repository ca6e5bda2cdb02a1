// The amazon-fba-inventory-to-sagex3 flow document run by Syncline against the Amazon and Sage X3
// sandboxes over HTTP: FBA inventory that changes on Amazon (goods received at the FC, units
// damaged, an order reserving units, a reimbursed loss) is counted into the X3 FBA site (US014) per
// status through the site's stock count subprogram; each difference with what X3 held is reported in
// the run note; a quantity changed in X3 by hand is counted back to Amazon's and reported.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonFbaByStatus, startAmazonX3, x3StockByStatus, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'amazon-fba-inventory-to-sagex3';
const SITE = 'US014';
let pair: AmazonX3;
beforeAll(async () => {
  // Seed 1: the shipped SKU table is generated from the seed-1 catalog both sandboxes share.
  pair = await startAmazonX3({ seed: 1, x3Publications: { COUNT: 'YSTOCKCNT' }, flows: [{ use: FLOW, pollIntervalMs: 200 }] });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const x3At = (item: string) => x3StockByStatus(pair.x3, SITE, item);
const amazonOf = (sku: string) => amazonFbaByStatus(pair.amazon, sku);
const notes = async () => (await sql<{ note: string | null }>`select note from runs where flow = ${FLOW} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => String(r.note));

describe(`flow ${FLOW}`, () => {
  it('FBA changes land in the X3 FBA site per status; each difference is reported with both quantities', async () => {
    const market = pair.amazon.sandbox.market;
    const afn = [...market.listings.values()].filter((l) => l.channel === 'AFN' && pair.x3.state.stores.ITM.has(l.sku)).slice(0, 4);
    expect(afn).toHaveLength(4);
    const [received, damaged, ordered, lost] = afn as [typeof afn[0], typeof afn[0], typeof afn[0], typeof afn[0]];
    market.receiveFba(received.sku, 24);
    market.moveFba(damaged.sku, { fulfillable: -2, unfulfillable: +2, customerDamaged: +2 });
    market.placeOrder({ channel: 'AFN', lines: [{ sku: ordered.sku, quantity: 1 }], status: 'Unshipped' });
    market.reimburse(lost.sku, 1);
    const skus = afn.map((l) => l.sku);
    await until('the FBA site equals Amazon', () => skus.map((s) => [x3At(s), amazonOf(s)]), (v) => v.every(([x, a]) => JSON.stringify(x) === JSON.stringify(a)), 90_000, 200);
    const n = await until('a discrepancy note per SKU', notes, (ns) => skus.every((s) => ns.some((t) => t.includes(`FBA discrepancy ${s} `))), 30_000, 200);
    // The X3 site started empty: the first count of each SKU is reported against 0.
    expect(n.find((t) => t.includes(`FBA discrepancy ${damaged.sku} `))).toContain(`R X3 had 0, Amazon counts ${amazonOf(damaged.sku).R} (+${amazonOf(damaged.sku).R}, CNT${SITE}`);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);

  it('a quantity changed in X3 by hand is counted back to Amazon’s at the next change, and reported', async () => {
    const market = pair.amazon.sandbox.market;
    const l = [...market.listings.values()].filter((x) => x.channel === 'AFN' && pair.x3.state.stores.ITM.has(x.sku)).slice(0, 1)[0]!;
    await until('the SKU counted once', () => x3At(l.sku).A, (a) => a === amazonOf(l.sku).A, 90_000, 200);
    pair.x3.state.receiveStock({ site: SITE, item: l.sku, qty: '5' });
    const before = x3At(l.sku).A;
    market.receiveFba(l.sku, 3);
    await until('X3 counted back to Amazon', () => x3At(l.sku).A, (a) => a === amazonOf(l.sku).A, 90_000, 200);
    const ns = await until('the drift reported', notes, (all) => all.some((t) => t.includes(`A X3 had ${before}, Amazon counts ${amazonOf(l.sku).A} (-2,`)), 30_000, 200);
    expect(ns.length).toBeGreaterThan(0);
    // Counts are set, not added: the journal holds one count movement per difference, none for an agreeing status.
    const counts = pair.x3.state.journal.filter((j) => j.STOFCY === SITE && j.ITMREF === l.sku && j.TRSTYP === 10);
    expect(counts.reduce((t, j) => t + Number(j.QTYSTU), 0) + 5).toBe(amazonOf(l.sku).A + amazonOf(l.sku).Q + amazonOf(l.sku).R);
  }, 120_000);
});
