// `reconcile xcart-sage300` over both sandboxes' APIs: clean after the order flow ran; then a
// duplicate made behind Syncline's back, an order that never arrived and stock edited in the shop
// are each found with their amount; `syncline reconcile` fires the duplicate-reference alert rule and
// stores its result, which the console's dashboard (GET /api/reconciliations) then shows.
// Likewise an OE credit note carrying one X-Cart refund twice.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, targetCounts, type Demo } from '../../src/cli/commands/demo.js';
import { createCreditNote, findOrdersByReference, type Sage300Client } from '../../src/connectors/sage300/index.js';
import type { XcartClient } from '../../src/connectors/xcart/index.js';
import { reconcileXcartSage300 } from '../../src/reconcile/xcart-sage300.js';
import { AlertStore } from '../../src/alerts/alerts.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reconcile xcart-sage300', () => {
  let demo: Demo;
  let dir: string;
  let since: string;
  // The alert webhook the store's duplicate-reference rule posts to, and what it received.
  type Post = { state: string; message: string; rule: { kind: string } };
  let hook: WebhookReceiver<Post>;
  let posts: Post[];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-'));
    since = new Date(Date.now() - 1000).toISOString();
    demo = await startDemo({ port: 0, dataDir: dir });
    hook = await startWebhookReceiver<Post>();
    posts = hook.bodies;
    await new AlertStore(demo.runtime.store.db).create({ name: 'ERP duplicates', kind: 'duplicate-reference', threshold: 0, windowMinutes: 1, subject: 'xcart-sage300', channel: 'webhook', target: hook.url, enabled: true });
  }, 60_000);
  afterAll(async () => {
    await hook?.close();
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  /** `syncline reconcile xcart-sage300 … --json` on the demo's store, as a separate process. */
  const cli = async (parts: string) => {
    const configFile = path.join(dir, 'reconcile.json');
    writeFileSync(configFile, JSON.stringify({
      dataDir: dir,
      connections: [
        { id: 'xcart-main', system: 'xcart', config: { baseUrl: demo.xcart.url, token: demo.xcart.credentials.readToken } },
        { id: 'sage300-main', system: 'sage300', config: { baseUrl: demo.sage300.url, company: demo.sage300.credentials.company, user: demo.sage300.credentials.user, password: demo.sage300.credentials.password } },
      ],
    }));
    return promisify(execFile)(process.execPath, ['bin/syncline.js', 'reconcile', 'xcart-sage300', '--config', configFile, '--since', since, '--parts', parts, '--json'], { cwd: path.resolve(import.meta.dirname, '../..') }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  };

  it('finds nothing after the flow ran, then every planted difference with its amount', async () => {
    const xcart = demo.runtime.clients['xcart-main'] as XcartClient;
    const sage = demo.runtime.clients['sage300-main'] as Sage300Client;
    const placed = demo.xcart.storefront.placeOrders(12);
    const refs = new Set(placed.map((o) => String(o.order_number)));
    for (let i = 0; i < 200 && (await targetCounts(sage, refs)).delivered < refs.size; i++) await sleep(250);
    await sleep(2500); // the demo's own trickle: let in-flight orders land too
    const clean = await reconcileXcartSage300(xcart, sage, { since, parts: ['orders'] });
    expect(clean.orders.xcart).toBeGreaterThanOrEqual(12);
    expect(clean.differences.filter((d) => refs.has(d.key))).toEqual([]);

    // 1. A second Sage 300 order with the same reference, made behind Syncline's back.
    const victim = String(placed[0]!.order_number);
    const [existing] = await findOrdersByReference.call(sage, { purchaseOrderNumber: victim });
    const full = await sage.get('test', 'OE', 'OEOrders', existing!.OrderUniquifier, (await import('../../src/connectors/sage300/index.js')).orderOut);
    // Straight to the Web API (no look-up first), as another integration would, for a customer
    // whose duplicate-PO guard is off (Sage 300's default for a new customer).
    for (const c of demo.sage300.company.customers.table.rows()) if (c.CustomerNumber === full!.CustomerNumber) (c as Record<string, unknown>).CheckForDuplicatePOs = 'None';
    const res = await sage.request({
      operation: 'test', method: 'POST', path: sage.path('OE', 'OEOrders'), idempotent: false,
      body: { CustomerNumber: full!.CustomerNumber, PurchaseOrderNumber: victim, OrderReference: victim, OrderDetails: [{ LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: 12.34 }] },
    });
    expect(res.status).toBe(201);
    // 2. An order the flow never delivered: the engine is stopped first, so it stays in the shop only.
    await demo.runtime.engine.stop();
    const lost = demo.xcart.storefront.placeOrders(1)[0]!;
    const report = await reconcileXcartSage300(xcart, sage, { since, parts: ['orders'] });
    if (process.env.DEBUG_E2E) console.log(JSON.stringify(report.differences), JSON.stringify(await findOrdersByReference.call(sage, { purchaseOrderNumber: victim })));
    const dup = report.differences.find((d) => d.kind === 'order-duplicated-in-sage300' && d.key === victim);
    expect(dup).toMatchObject({ amount: '12.34' });
    const missing = report.differences.find((d) => d.kind === 'order-missing-in-sage300' && d.key === String(lost.order_number));
    expect(missing?.amount).toBe(`-${Number(lost.total).toFixed(2)}`);

    // 3. The CLI on the same store: the duplicate fires the store's duplicate-reference rule.
    const run = await cli('orders');
    expect(run.stderr).toContain('1 alert sent (duplicate-reference, firing)');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ state: 'firing', rule: { kind: 'duplicate-reference' } });
    expect(posts[0]!.message).toContain(victim);
    // … and its result is stored where the console's dashboard reads the last one of the pair.
    expect(run.stderr).toContain('stored as the last xcart-sage300 reconciliation');
    const token = (await demo.runtime.tokens.create('reconcile-viewer', 'viewer')).token;
    const listed = (await (await request(`${demo.runtime.url}/api/reconciliations`, { headers: { authorization: `Bearer ${token}` } })).body.json()) as { reconciliations: Array<{ pair: string; status: string; by: string; differenceCount: number; differences: Array<{ kind: string; key: string }> }> };
    const last = listed.reconciliations.find((r) => r.pair === 'xcart-sage300');
    expect(last).toMatchObject({ status: 'differences', by: expect.stringMatching(/^cli:/), differenceCount: report.differences.length });
    expect(last!.differences).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'order-duplicated-in-sage300', key: victim }), expect.objectContaining({ kind: 'order-missing-in-sage300', key: String(lost.order_number) })]));
  }, 120_000);

  it('finds an OE credit note carrying one X-Cart refund twice, with the reference and the amount credited twice, and alerts', async () => {
    const sage = demo.runtime.clients['sage300-main'] as Sage300Client;
    const xcart = demo.runtime.clients['xcart-main'] as XcartClient;
    const order = demo.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1004-BLK', qty: 1 }] });
    const refunded = demo.xcart.storefront.refund(order.id, '5.00');
    const refund = refunded.payment_transactions.flatMap((t) => t.backend_transactions).find((b) => b.type === 'refundPart')!;
    // The credit note the refund flow makes (its Reference is the idempotency key), made once.
    const reference = `X-Cart ${order.order_number} refund ${refund.id}`;
    const note = { CustomerNumber: 'WEBCUST', Reference: reference, CreditDebitNoteDate: new Date().toISOString().slice(0, 10), CreditDebitDetails: [{ LineType: 'Miscellaneous' as const, MiscellaneousChargesCode: 'REFUND', ExtendedAmountMiscellaneousCharge: '5.00' }] };
    expect((await createCreditNote.call(sage, note)).created).toBe(true);
    const once = await reconcileXcartSage300(xcart, sage, { since, parts: ['credit-notes'] });
    expect(once.creditNotes.inSage300).toBeGreaterThanOrEqual(1);
    expect(once.differences).toEqual([]);

    // A second note for the same refund, posted straight to the Web API (no look-up), as a retry that
    // did not wait for the first POST's outcome would.
    const res = await sage.request({ operation: 'test', method: 'POST', path: sage.path('OE', 'OECreditDebitNotes'), idempotent: false, body: { ...note, CreditDebitNoteType: 'CreditNote', CreditDebitDetails: [{ ...note.CreditDebitDetails[0], ExtendedAmountMiscellaneousCharge: 5 }] } });
    expect(res.status).toBe(201);
    const twice = await reconcileXcartSage300(xcart, sage, { since, parts: ['credit-notes'] });
    expect(twice.differences).toEqual([expect.objectContaining({ kind: 'credit-note-duplicated-in-sage300', key: reference, amount: '5.00' })]);

    // `syncline reconcile` reports it and fires the duplicate-reference rule with the reference.
    const before = posts.length;
    const run = await cli('credit-notes');
    const report = JSON.parse(run.stdout) as { differences: Array<{ kind: string; key: string; amount: string }> };
    expect(report.differences).toEqual([expect.objectContaining({ kind: 'credit-note-duplicated-in-sage300', key: reference, amount: '5.00' })]);
    expect(run.stderr).toContain('1 alert sent (duplicate-reference, firing)');
    expect(posts.slice(before)).toEqual([expect.objectContaining({ state: 'firing', message: expect.stringContaining(reference) })]);
  }, 120_000);
});
