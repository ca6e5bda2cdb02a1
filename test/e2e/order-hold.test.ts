// Issue 14: order risk inside the flow runtime. The shipped xcart-order-to-sage300 flow (risk check on,
// threshold 50) against both sandboxes over HTTP and a real SQLite store: an order with a fraud
// pattern (a throw-away mailbox, a buyer never seen) is held — a dead letter ORDER_HELD_FOR_REVIEW
// with its reasons, nothing in Sage 300 — while an ordinary order goes through; released through the
// admin API it arrives once; another held order cancelled with the real CLI never arrives.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
const FLOW = 'xcart-order-to-sage300';

describe('orders held for review before they reach Sage 300', () => {
  let pair: Pair;
  let operator: string;
  const api = async (method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await request(`${pair.runtime.url}/api${p}`, { method, headers: { authorization: `Bearer ${operator}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  };
  // Sage 300 orders carrying this X-Cart order number (PurchaseOrderNumber), read from the sandbox's table.
  const inSage = (orderNumber: string) => pair.sage300.company.orders.table.rows().filter((r: Record<string, unknown>) => String(r.PurchaseOrderNumber) === orderNumber);
  const held = async () => (await pair.dead(FLOW)).filter((j) => j.lastError?.code === 'ORDER_HELD_FOR_REVIEW');

  beforeAll(async () => {
    pair = await startPair({ flows: ({ shop, erp }) => [{ use: FLOW, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 }] });
    operator = (await pair.runtime.tokens.create('reviewer', 'operator')).token;
  }, 120_000);
  afterAll(async () => pair?.stop());

  it('a fraud-pattern order is held with its reasons and not sent; released, it arrives once', async () => {
    const ordinary = String(pair.xcart.storefront.placeOrder({ guest: true, guestEmail: 'ann.lee@example.com', paid: true, currency: 'USD' }).order_number);
    const fraud = String(pair.xcart.storefront.placeOrder({ guest: true, guestEmail: 'quick.buyer@mailinator.com', paid: true, currency: 'USD' }).order_number);

    const [letter] = await until('the fraud order held', held, (h) => h.length === 1, 60_000, 200);
    expect(letter!.lastError!.message).toMatch(/held for review: risk score \d+ ≥ 50/);
    const details = letter!.lastError!.details as { score: number; threshold: number; reasons: string[] };
    expect(details.score).toBeGreaterThanOrEqual(50);
    expect(details.reasons.join('\n')).toMatch(/disposable e-mail domain mailinator\.com/);
    await until('the ordinary order in Sage 300', () => inSage(ordinary), (r) => r.length === 1, 60_000, 200);
    await pair.idle([FLOW], 1_000);
    expect(inSage(fraud)).toEqual([]);

    // What a reviewer sees: the held order with its score and reasons; a viewer may not release.
    const list = await api('GET', '/holds');
    expect(list.status).toBe(200);
    expect(list.body.held).toHaveLength(1);
    expect(list.body.held[0]).toMatchObject({ id: letter!.id, flow: FLOW, recordKey: expect.stringMatching(/^xcart:order:/), score: details.score, threshold: 50 });
    const viewer = (await pair.runtime.tokens.create('looker', 'viewer')).token;
    const denied = await request(`${pair.runtime.url}/api/holds/${letter!.id}/release`, { method: 'POST', headers: { authorization: `Bearer ${viewer}` } });
    expect(denied.statusCode).toBe(403);
    await denied.body.dump();

    const released = await api('POST', `/holds/${letter!.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.replayed).toBe(1);
    await until('the released order in Sage 300', () => inSage(fraud), (r) => r.length === 1, 60_000, 200);
    await pair.idle([FLOW], 1_500);
    expect(inSage(fraud)).toHaveLength(1);
    expect(await held()).toEqual([]);
    expect(await pair.dead(FLOW)).toEqual([]);
    // The release is recorded: a later version of the same order passes the check too (no second hold).
    const runs = await pair.runtime.engine.runs.list({ flow: FLOW, limit: 20 });
    expect(runs.some((r) => /released for the ERP by token:reviewer/.test(r.note ?? ''))).toBe(true);
    // Releasing again is refused: it is no longer held.
    expect((await api('POST', `/holds/${letter!.id}/release`)).status).toBe(404);
  }, 180_000);

  it('a held order cancelled with the CLI is discarded with its reason and never reaches Sage 300', async () => {
    const fraud = String(pair.xcart.storefront.placeOrder({ guest: true, guestEmail: 'fast.deal@yopmail.com', paid: true, currency: 'USD' }).order_number);
    const [letter] = await until('held', held, (h) => h.length === 1, 60_000, 200);
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/syncline.js', 'holds', 'cancel', String(letter!.id), '--reason', 'card reported stolen', '--by', 'reviewer', '--db', `sqlite:${path.join(pair.dir, 'syncline.db')}`, '--json'], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ discarded: 1, cancelled: { id: letter!.id, flow: FLOW } });
    expect(await pair.dead(FLOW)).toEqual([]);
    const decision = await pair.runtime.store.db.selectFrom('order_holds').selectAll().where('record_key', '=', `xcart:order:${(letter!.payload as { id: string }).id}`).executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ status: 'cancelled', decided_by: 'cli:reviewer', decision_reason: 'card reported stolen' });
    await pair.idle([FLOW], 1_500);
    expect(inSage(fraud)).toEqual([]);
  }, 120_000);
});
