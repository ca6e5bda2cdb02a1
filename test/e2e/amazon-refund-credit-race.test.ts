// The returns and settlement flows reach one refund at the same moment (decision 0019): X3 has no
// transactions and, with the sandbox's INVREF guard switched off, nothing in X3 stops a second note,
// so only the flows' shared ordering key (`amazon:refunds:<order id>`) keeps the second from looking
// up before the first has saved. A proxy in front of X3 holds each credit note save 8 s and, when the
// settlement's arrives, fires the returns flow: the return's run must wait for the settlement's order
// run and then find its note. Without the shared key it looks up during the hold, misses and saves a
// second note (checked by removing `orderingKey` from both flows: 2 notes).
import http from 'node:http';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChargeItems, fireSchedule, startAmazonX3, switchOffInvrefGuard, type AmazonX3 } from './amazon-x3-pair.js';
import { sleep, until } from './xcart-sage300-pair.js';

const RETURNS = 'amazon-return-to-sagex3';
const HOLD_MS = 8_000;
let pair: AmazonX3;
let proxy: http.Server | undefined;
let crnSaves = 0;
let onCrnSave: () => void = () => {};

/** Forwards to X3; a credit note save is announced, then held HOLD_MS before it is forwarded (the client waits). */
function holdingProxy(target: string): Promise<string> {
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      if (req.method === 'POST' && text.includes('<wss:save') && text.includes('>WSSIH<') && text.includes('CRN')) {
        crnSaves++;
        onCrnSave();
        await sleep(HOLD_MS);
      }
      const headers = { ...req.headers } as Record<string, string>;
      delete headers.host;
      delete headers['content-length'];
      const up = await request(`${target}${req.url}`, { method: req.method as 'POST', headers, body: chunks.length ? body : undefined });
      const answer = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, Object.fromEntries(Object.entries(up.headers).filter(([k]) => !['transfer-encoding', 'connection', 'content-length'].includes(k))) as http.OutgoingHttpHeaders);
      res.end(answer);
    });
  });
  return new Promise((resolve) => proxy!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy!.address() as { port: number }).port}`)));
}

beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { COUNT: 'YSTOCKCNT' },
    marketplaceTable: true,
    x3Via: holdingProxy,
    flows: [
      { use: RETURNS, options: { reportPollMs: 200, settleMs: 1_000 } },
      { use: 'amazon-settlement-to-sagex3', pollIntervalMs: 200, options: { site: 'US011', clearingPartner: null, invoices: true, settleMs: 1_000 } },
    ],
  });
  switchOffInvrefGuard(pair.x3);
  addChargeItems(pair.x3);
}, 120_000);
afterAll(async () => {
  await pair?.stop();
  proxy?.closeAllConnections();
  await new Promise((r) => (proxy ? proxy.close(() => r(undefined)) : r(undefined)));
});

describe('the returns and settlement flows on one refund at the same moment', () => {
  it('the return waits for the settlement\'s order run and finds its note: one credit note, one save', async () => {
    const market = pair.amazon.sandbox.market;
    const x3 = pair.x3.state;
    const o = market.placeOrder({ channel: 'AFN', status: 'Shipped', promotion: false });
    // The order in X3 and invoiced there (INVREF = the order id), as the order flow and the back office do.
    const soh = x3.save('SOH', { fields: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: o.id }, groupOf: {}, tables: { SOH4_1: o.items.map((i) => ({ row: { ITMREF: i.sku, QTY: String(i.qty), GROPRI: new Decimal(i.itemPrice).div(i.qty).toDecimalPlaces(2).toFixed(2) } })) } }, 'TEST');
    x3.save('SIH', { fields: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00001', CUR: 'USD', INVREF: o.id }, groupOf: {}, tables: { SIH4_1: soh.tables.SOH4_1!.map((l) => ({ row: { ITMREF: String(l.ITMREF), QTY: String(l.QTY), GROPRI: String(l.GROPRI), SOHNUM: String(soh.fields.SOHNUM), SOPLIN: String(l.SOPLIN) } })) } }, 'TEST');
    const refund = market.returnItems(o.id, o.items[0]!.sku, 1).filter((p) => p.amountType === 'ItemPrice').reduce((s, p) => s.minus(p.amount), new Decimal(0));

    // The settlement's credit note save arrives at X3: the returns flow fires at that moment.
    let fired: Promise<number> | undefined;
    onCrnSave = () => {
      fired ??= fireSchedule(pair.runtime, RETURNS);
    };
    market.closeSettlement();
    await until('the return run', async () => (await sql<{ n: number }>`select count(*) as n from runs where flow = ${RETURNS} and record_key like '%return:%' and status in ('succeeded', 'dead')`.execute(pair.runtime.store.db)).rows[0]!.n, (n) => Number(n) >= 1, 120_000, 200);
    expect(fired).toBeDefined();
    await until('the queue drained', async () => (await pair.runtime.engine.queue.counts()).filter((c) => c.state !== 'dead').reduce((n, c) => n + c.count, 0), (n) => n === 0, 60_000, 200);
    await sleep(HOLD_MS + 1_000); // a second save held by the proxy would land within the hold

    const notes = [...x3.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'CRN' && String(r.fields.INVREF).startsWith(o.id));
    expect(notes.map((n) => n.fields.INVATI)).toEqual([refund.toFixed(2)]);
    expect(crnSaves).toBe(1);
    const note = (await sql<{ note: string }>`select note from runs where flow = ${RETURNS} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => r.note).join('\n');
    expect(note).toContain(`credit note ${notes[0]!.fields.NUM} already there`);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 180_000);
});
