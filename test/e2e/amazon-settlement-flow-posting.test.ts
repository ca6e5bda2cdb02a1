// The amazon-settlement-to-sagex3 flow posts with the code `syncline settlement import` uses
// (src/settlement/post.ts), run by Syncline against the Amazon and Sage X3 sandboxes over HTTP:
// - a mapping changed in the console after posting, then the settlement run again → a reversal of
//   the standing entry and a new one; the old entry is never edited; the ledger's net is the new
//   mapping's, to the cent;
// - a settlement spanning a month end whose second month's part X3 refuses → the first part is
//   reversed, nothing stands (dead letter); replayed after the fix, both parts post, each once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { settlementRow } from '../../src/settlement/index.js';
import { startAmazonX3, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'amazon-settlement-to-sagex3';
const HOUR = 3_600_000;
let pair: AmazonX3;
let token = '';
beforeAll(async () => {
  pair = await startAmazonX3({ seed: 47, flows: [{ use: FLOW, pollIntervalMs: 200, options: { site: 'US011', clearingPartner: null, settleMs: 500 } }] });
  token = (await pair.runtime.tokens.create('e2e-admin', 'admin')).token;
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

type Gas = ReturnType<typeof gas>[number];
const gas = (prefix: string) => [...pair.x3.state.stores.GAS.values()].filter((r) => String(r.fields.REF).startsWith(prefix));
const refs = (prefix: string) => gas(prefix).map((r) => String(r.fields.REF)).sort();
/** Signed (debit +) net per account over the entries. */
const netByAccount = (entries: Gas[]) => {
  const out: Record<string, string> = {};
  for (const l of entries.flatMap((e) => e.tables.HAE1_1!)) out[String(l.ACC)] = new Decimal(out[String(l.ACC)] ?? 0).plus(new Decimal(String(l.AMTCUR)).times(Number(l.SNS))).toFixed(2);
  return out;
};
const nonZero = (n: Record<string, string>) => Object.fromEntries(Object.entries(n).filter(([, v]) => !new Decimal(v).isZero()));

const shippedTable = readFileSync(path.resolve(import.meta.dirname, '../../mappings/lookups/settlement-accounts.yaml'), 'utf8');
/** An admin saves a version of the settlement-accounts table in the console: new runs use it. */
async function saveTable(text: string, note: string): Promise<void> {
  const r = await pair.runtime.server.inject({ method: 'POST', url: '/api/lookups/settlement-accounts/versions', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ text, note }) });
  expect(r.statusCode, r.body).toBe(201);
  expect((r.json() as { flows: string[] }).flows).toContain(FLOW);
}

/** The settlement's report, delivered to Syncline again as a newer version of the same event (a re-run; versions are sandbox time). */
async function rerun(settlementId: string): Promise<void> {
  const report = [...pair.amazon.sandbox.reports.values()].find((r) => r.settlement?.settlementId === settlementId)!;
  const r = await pair.runtime.engine.intake([{ system: 'amazon', entity: 'settlement-report', id: report.reportId, version: new Date(pair.amazon.sandbox.clock.now()).toISOString(), payload: { reportId: report.reportId, reportDocumentId: report.reportDocumentId } }], { connection: 'amazon-main' });
  expect(r.accepted).toBe(1);
}

const dead = () => pair.runtime.engine.queue.list({ state: 'dead', limit: 10 });

describe('flow amazon-settlement-to-sagex3 posting', () => {
  it('a mapping changed after posting: the re-run reverses the entry and posts the new one; net effect the new mapping, to the cent', async () => {
    const market = pair.amazon.sandbox.market;
    const now = pair.amazon.sandbox.clock.now();
    for (let i = 0; i < 4; i++) market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - HOUR * (7 + i), status: 'Shipped' });
    const g = market.closeSettlement();
    const id = g.settlementId!;
    await until('the settlement posted', () => refs(id), (r) => r.length === 1, 60_000, 200);
    expect(refs(id)).toEqual([id]);
    const original = structuredClone(gas(id)[0]!.tables.HAE1_1);
    const storage = original!.filter((l) => l.ACC === '624200');
    expect(storage.length).toBe(1);

    // Storage fees move from 624200 to the fulfilment fees account.
    await saveTable(shippedTable.replace('other-transaction/other-transaction/Storage Fee: "624200"', 'other-transaction/other-transaction/Storage Fee: "624100"'), 'storage with fulfilment');
    await rerun(id);
    await until('the reversal and the new revision', () => refs(id), (r) => r.length === 3, 60_000, 200);
    await new Promise((r) => setTimeout(r, 500));
    expect(refs(id)).toEqual([id, `${id}:2.1`, `${id}:R1.1`]);
    // The posted entry is as it was posted; its reversal mirrors it line by line.
    expect(gas(id).find((e) => e.fields.REF === id)!.tables.HAE1_1).toEqual(original);
    const reversal = gas(id).find((e) => e.fields.REF === `${id}:R1.1`)!;
    expect(reversal.fields.ACCDAT).toBe(gas(id).find((e) => e.fields.REF === id)!.fields.ACCDAT);
    expect(nonZero(netByAccount([gas(id).find((e) => e.fields.REF === id)!, reversal]))).toEqual({});
    // Net effect: exactly the new entry — storage on 624100, nothing left on 624200, the payout once.
    const all = netByAccount(gas(id));
    const fresh = netByAccount([gas(id).find((e) => e.fields.REF === `${id}:2.1`)!]);
    expect(nonZero(all)).toEqual(nonZero(fresh));
    expect(all['624200'] ?? '0.00').toBe('0.00');
    expect(all['512100']).toBe(new Decimal(g.total!).toFixed(2));
    const storageAmount = new Decimal(String(storage[0]!.AMTCUR)).times(Number(storage[0]!.SNS));
    expect(new Decimal(all['624100']!).minus(netByAccount([gas(id).find((e) => e.fields.REF === id)!])['624100'] ?? 0).toFixed(2)).toBe(storageAmount.toFixed(2));
    expect((await settlementRow(pair.runtime.store.db, id, 'USD'))).toMatchObject({ status: 'posted', revision: 2 });

    // The same journal again: recognised, nothing posted.
    await rerun(id);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(refs(id)).toHaveLength(3);
    expect(await dead()).toEqual([]);
  }, 120_000);

  it('a month-end split whose second part X3 refuses: the first is reversed (nothing stands); replayed after the fix, both parts post once', async () => {
    const market = pair.amazon.sandbox.market;
    const now = pair.amazon.sandbox.clock.now();
    const d = new Date(now);
    // Sales posted on the previous month's last day (shipped 6 h after purchase); the period's fees post now.
    const lastDay = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0, 10);
    for (let i = 0; i < 3; i++) market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: lastDay + i * 60_000, status: 'Shipped' });
    market.placeOrder({ channel: 'AFN', purchaseDate: now - 8 * HOUR, status: 'Shipped' });
    // The subscription fee goes to an account this X3 does not have: the second part is refused.
    const broken = shippedTable.replace('ServiceFee/other-transaction/Subscription Fee: "622700"', 'ServiceFee/other-transaction/Subscription Fee: "622799"');
    await saveTable(broken, 'subscription to a new account');
    const g = market.closeSettlement();
    const id = g.settlementId!;
    const [letter] = await until('the settlement dead-lettered', dead, (l) => l.length === 1, 60_000, 200);
    expect(letter!.lastError?.message).toMatch(/622799/);
    // Part 1 was posted and reversed: every account nets to zero, part 2 never went in.
    expect(refs(id)).toEqual([`${id}.1`, `${id}:R1.1`]);
    expect(nonZero(netByAccount(gas(id)))).toEqual({});
    expect((await settlementRow(pair.runtime.store.db, id, 'USD'))?.status).toBe('failed');

    await saveTable(shippedTable, 'subscription back to 622700');
    expect(await pair.runtime.engine.queue.replay([letter!.id])).toBe(1);
    await until('both parts of the new revision', () => refs(id), (r) => r.length === 4, 60_000, 200);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(refs(id)).toEqual([`${id}.1`, `${id}:2.1`, `${id}:2.2`, `${id}:R1.1`]);
    const [p1, p2] = [gas(id).find((e) => e.fields.REF === `${id}:2.1`)!, gas(id).find((e) => e.fields.REF === `${id}:2.2`)!];
    expect(p1.fields.ACCDAT).toBe(new Date(lastDay).toISOString().slice(0, 10).replace(/-/g, ''));
    // The parts carry the balance across the month end and add up to the deposit.
    expect(netByAccount(gas(id))['512100']).toBe(new Decimal(g.total!).toFixed(2));
    expect(new Decimal(netByAccount([p1])['512100']!).plus(netByAccount([p2])['512100']!).toFixed(2)).toBe(new Decimal(g.total!).toFixed(2));
    expect(netByAccount(gas(id))['622700']).toBe('39.99');
    expect(netByAccount(gas(id))['622799']).toBeUndefined();
    expect((await settlementRow(pair.runtime.store.db, id, 'USD'))).toMatchObject({ status: 'posted', revision: 2 });
    expect(await dead()).toEqual([]);
  }, 120_000);
});
