// Pollers against the sandbox's api1: every change arrives once, in order, across pages and restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent, Poller } from '../../core/triggers.js';
import { start, type SageX3Sandbox } from '../../sandboxes/sagex3/index.js';
import { SageX3Client } from './client.js';
import { modify } from './operations/modify.js';
import { save } from './operations/save.js';
import { api1Poller, customerPoller, journalEntryPoller, salesOrderPoller, stockPoller } from './triggers.js';

let sb: SageX3Sandbox;
let client: SageX3Client;

/** Polls until the source says there is no more, as the engine does, returning events and the cursor. */
async function drain(p: Poller, cursor: string | null): Promise<{ events: IncomingEvent[]; cursor: string | null; polls: number }> {
  const events: IncomingEvent[] = [];
  let polls = 0;
  for (;;) {
    const r = await p.poll(cursor);
    polls++;
    events.push(...r.events);
    cursor = r.cursor;
    if (!r.more) return { events, cursor, polls };
    if (polls > 100) throw new Error('poller never finished');
  }
}

beforeAll(async () => {
  sb = await start({ seed: 9 });
  client = new SageX3Client({ baseUrl: sb.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' }, { connection: 'x3-triggers' });
});
afterAll(async () => {
  await sb.close();
});

describe('api1 pollers', () => {
  it('customers: the seeded list arrives once over several pages', async () => {
    const p = api1Poller(client, { id: 'x3:customers', cls: 'BPCUSTOMER', entity: 'customer', keys: ['BPCNUM'], pageSize: 50 });
    const { events, polls } = await drain(p, null);
    expect(events).toHaveLength(120);
    expect(new Set(events.map((e) => e.id)).size).toBe(120);
    expect(polls).toBe(3);
    expect(events.every((e) => e.system === 'sagex3' && e.entity === 'customer')).toBe(true);
    expect(customerPoller(client, 'x').id).toBe('x');
  });

  it('sales orders: new and modified orders arrive in order; a restarted poller resumes from its stored cursor', async () => {
    const p = salesOrderPoller(client, 'x3:orders');
    let { cursor } = await drain(p, null);
    const items = [...sb.state.stores.ITM.keys()];
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const so = await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: `POLL-${i}`, lines: [{ ITMREF: items[i]!, QTY: '1' }] } });
      made.push(String(so.SOHNUM));
    }
    const first = await drain(api1Poller(client, { id: 'x3:orders', cls: 'SORDER', entity: 'salesOrder', keys: ['SOHNUM'], pageSize: 2 }), cursor);
    expect(first.events.map((e) => e.id)).toEqual(made);
    expect(first.polls).toBe(3);
    const versions = first.events.map((e) => e.version);
    expect([...versions].sort()).toEqual(versions);
    cursor = first.cursor;

    await modify.call(client, { object: 'SOH', key: made[1]!, data: { CUSORDREF: 'POLL-1b' } });
    // A new poller instance (a restarted process) with the stored cursor sees only the change.
    const again = await drain(salesOrderPoller(client, 'x3:orders'), cursor);
    expect(again.events.map((e) => e.id)).toEqual([made[1]]);
    expect(again.events[0]!.version > versions[1]!).toBe(true);
    expect((again.events[0]!.payload as Record<string, unknown>).CUSORDREF).toBe('POLL-1b');
    expect((await drain(salesOrderPoller(client, 'x3:orders'), again.cursor)).events).toEqual([]);
  });

  it('journal entries (composite key TYP~NUM) page without loss', async () => {
    for (let i = 0; i < 3; i++) {
      await save.call(client, { object: 'GAS', data: { TYP: 'ODP', FCY: 'US011', JOU: 'OD', REF: `J${i}`, lines: [{ ACC: '512000', SNS: 1, AMTCUR: '1.00' }, { ACC: '707000', SNS: -1, AMTCUR: '1.00' }] } });
    }
    const { events } = await drain(api1Poller(client, { id: 'x3:gas', cls: 'GACCENTRY', entity: 'journalEntry', keys: ['TYP', 'NUM'], pageSize: 1 }), null);
    expect(events.map((e) => (e.payload as Record<string, unknown>).REF)).toEqual(['J0', 'J1', 'J2']);
    expect(events[0]!.id).toMatch(/^ODP~ODP/);
    expect(journalEntryPoller(client, 'j').id).toBe('j');
  });

  it('a cursor that is not ours is a clear configuration error', async () => {
    await expect(salesOrderPoller(client, 'x').poll('not-json')).rejects.toMatchObject({ code: 'X3_CONFIG_INVALID', kind: 'user' });
    await expect(stockPoller(client, 'x').poll('-3')).rejects.toMatchObject({ code: 'X3_CONFIG_INVALID' });
  });
});

describe('stock poller (stock journal)', () => {
  it('reports each item that moved, with its current levels, once', async () => {
    const p = stockPoller(client, 'x3:stock');
    let { cursor } = await drain(p, null);
    const item = [...sb.state.stores.ITM.keys()][10]!;
    const before = sb.state.available('US012', item);
    const post = (path: string, body: object) => fetch(`${sb.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/__sandbox/stock/receive', { site: 'US012', item, qty: '5', sta: 'A' })).status).toBe(200);
    expect((await post('/__sandbox/stock/receive', { site: 'US012', item, qty: '2', sta: 'Q' })).status).toBe(200);
    const r = await drain(p, cursor);
    expect(r.events).toHaveLength(1);
    const ev = r.events[0]!;
    expect(ev.id).toBe(`US012|${item}`);
    const payload = ev.payload as { available: string; movements: unknown[]; lines: Array<{ status: string }> };
    expect(payload.movements).toHaveLength(2);
    expect(payload.available).toBe(before.plus(5).toString());
    expect(payload.lines.map((l) => l.status).sort()).toContain('Q');
    cursor = r.cursor;
    expect((await drain(p, cursor)).events).toEqual([]);
  });
});
