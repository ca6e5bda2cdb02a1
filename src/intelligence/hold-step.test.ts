// The hold step kind on a real SQLite store: an anomalous order is noted with its reason and alerted
// to an `order-flagged` rule's webhook (a real local HTTP server), an order at the threshold is held
// with its reasons (dead letter code, row in order_holds), a released one passes, a cancelled one stops.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../alerts/alerts.js';
import { openStore, type Store } from '../core/db/database.js';
import { FlowStop, type StepContext } from '../core/flow.js';
import { compileFlowExpr } from '../flows/expr.js';
import type { FlowDocument, HoldStep } from '../flows/document.js';
import { holdStep } from '../flows/steps/hold.js';
import type { StepEnv } from '../flows/steps/kind.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhooks.js';
import { HoldStore } from './holds.js';

describe('hold step', () => {
  let store: Store;
  let hook: WebhookReceiver<{ state: string; message: string }>;
  let received: Array<{ state: string; message: string }>;
  beforeAll(async () => {
    store = await openStore({ dialect: 'sqlite', file: path.join(mkdtempSync(path.join(tmpdir(), 'hold-step-')), 'syncline.db') });
    hook = await startWebhookReceiver<{ state: string; message: string }>();
    received = hook.bodies;
    await new AlertStore(store.db).create({ name: 'flagged orders', kind: 'order-flagged', threshold: 0, windowMinutes: 60, subject: 'shop-to-erp', channel: 'webhook', target: hook.url, enabled: true });
  });
  afterAll(async () => {
    await hook?.close();
    await store?.close();
  });

  const flow = { id: 'shop-to-erp' } as FlowDocument;
  const step: HoldStep = { id: 'risk', kind: 'hold', order: 'event.payload', threshold: '50' };
  const run = () => holdStep.compile(step, { flow, db: store.db, expr: (t: string, f: string) => compileFlowExpr(t, `test ${f}`) } as unknown as StepEnv);
  const ctx = (id: string, notes: string[]) => ({ event: { system: 'shop', entity: 'order', id, version: '1', payload: null, connection: 'shop-1' }, note: (t: string) => notes.push(t) }) as unknown as StepContext<unknown>;
  const minute = (i: number) => new Date(Date.UTC(2026, 11, 7) + i * 60_000).toISOString();
  const order = (i: number, extra: Record<string, unknown> = {}) => ({
    id: `A${i}`, at: minute(i), email: `buyer${i}@example.com`, buyer: `b${i}`, billingCountry: 'US', shippingCountry: 'US',
    shippingAddress: `${i} Main St 98101 US`, total: String(40 + (i % 7) * 3), shop: 'shop-1', lines: [{ sku: 'S1', price: '20.00', quantity: 2 }], ...extra,
  });

  it('notes and alerts an anomalous order total, holds a risky order with its reasons', async () => {
    const hold = run();
    for (let i = 0; i < 64; i++) {
      const notes: string[] = [];
      const out = (await hold({ event: { payload: order(i) }, steps: {}, options: {} }, ctx(`A${i}`, notes))) as { held: boolean; score: number };
      expect(out.held).toBe(false);
      expect(out.score).toBeLessThan(50);
    }
    const notes: string[] = [];
    // A known buyer (b5) ordering far above the shop's usual totals: an anomaly, not a risk.
    const odd = (await hold({ event: { payload: order(5, { id: 'A100', at: minute(100), total: '4200.00' }) }, steps: {}, options: {} }, ctx('A100', notes))) as { held: boolean; anomalies: string[] };
    expect(odd.held).toBe(false);
    expect(odd.anomalies.join()).toMatch(/order\.total of shop-1 is 4200, usually \d+/);
    expect(notes.join()).toMatch(/risk: anomaly: order\.total of shop-1 is 4200/);
    const alert = await (async () => {
      for (let i = 0; i < 50 && !received.length; i++) await new Promise((r) => setTimeout(r, 50));
      return received[0];
    })();
    expect(alert).toMatchObject({ state: 'firing', message: expect.stringMatching(/shop-to-erp: order A100 flagged: risk \d+\/50; .*anomaly: order\.total/) });

    const risky = order(200, { at: minute(200), email: 'x@mailinator.com', shippingCountry: 'NG' });
    const err = await hold({ event: { payload: risky }, steps: {}, options: {} }, ctx('A200', [])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ORDER_HELD_FOR_REVIEW', details: { threshold: 50, order: 'A200' } });
    const reasons = (err as { details: { reasons: string[]; score: number } }).details;
    expect(reasons.score).toBeGreaterThanOrEqual(50);
    expect(reasons.reasons.join('\n')).toMatch(/billing country US ≠ shipping country NG[\s\S]*disposable e-mail domain mailinator\.com/);
    const row = await new HoldStore(store.db).get('shop-to-erp', 'shop:order:A200');
    expect(row).toMatchObject({ status: 'held', score: reasons.score, threshold: 50 });

    // Released by a person: the same order passes on replay; cancelled: the run stops, nothing sent.
    await new HoldStore(store.db).decide('shop-to-erp', 'shop:order:A200', 'released', 'user:ann', null);
    const passed = (await hold({ event: { payload: risky }, steps: {}, options: {} }, ctx('A200', []))) as { held: boolean; released: boolean };
    expect(passed).toMatchObject({ held: false, released: true });
    await new HoldStore(store.db).decide('shop-to-erp', 'shop:order:A200', 'cancelled', 'user:ann', 'stolen card');
    await expect(hold({ event: { payload: risky }, steps: {}, options: {} }, ctx('A200', []))).rejects.toBeInstanceOf(FlowStop);
  }, 30_000);

  it('asks for the decisions of the orders of one turn in one statement, each order its own', async () => {
    let selects = 0;
    const db = store.db.withPlugin({
      transformQuery: (a) => (a.node.kind === 'SelectQueryNode' && JSON.stringify(a.node.from).includes('order_holds') && selects++, a.node),
      transformResult: async (a) => a.result,
    });
    const hold = holdStep.compile(step, { flow, db, expr: (t: string, f: string) => compileFlowExpr(t, `test ${f}`) } as unknown as StepEnv);
    await new HoldStore(store.db).hold({ flow: 'shop-to-erp', recordKey: 'shop:order:B3', version: '1', score: 60, threshold: 50, reasons: ['r'], jobId: null });
    await new HoldStore(store.db).decide('shop-to-erp', 'shop:order:B3', 'released', 'user:ann', null);
    const outs = (await Promise.all(Array.from({ length: 8 }, (_, i) => hold({ event: { payload: order(300 + i, { id: `B${i}`, at: minute(300 + i) }) }, steps: {}, options: {} }, ctx(`B${i}`, []))))) as Array<{ released?: boolean }>;
    expect(selects).toBe(1);
    expect(outs.map((o) => o.released === true)).toEqual([false, false, false, true, false, false, false, false]);
  });
});
