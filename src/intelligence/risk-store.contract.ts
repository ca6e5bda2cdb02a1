// The hold step's scorer survives a restart (migration 0017): orders scored through the step are
// stored; a new process (here: the store closed and opened again, a fresh in-process cache) rebuilds
// velocity and known buyers from the store. Run on a real SQLite file and on PostgreSQL.
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/db/database.js';
import type { StepContext } from '../core/flow.js';
import { compileFlowExpr } from '../flows/expr.js';
import type { FlowDocument, HoldStep } from '../flows/document.js';
import { holdStep } from '../flows/steps/hold.js';
import type { StepEnv } from '../flows/steps/kind.js';
import { prune, saveRecorded } from './risk-store.js';

export function riskStoreContract(name: string, open: () => Promise<Store>, cleanup: () => Promise<void>): void {
  describe(`order scorer history in the store (${name})`, () => {
    afterAll(cleanup);
    const flow = { id: 'shop-to-erp' } as FlowDocument;
    const step: HoldStep = { id: 'risk', kind: 'hold', order: 'event.payload', threshold: '50' };
    const hour = (i: number) => new Date(Date.UTC(2026, 11, 7, 8) + i * 3_600_000).toISOString();
    const order = (i: number) => ({
      id: `R${i}`, at: hour(i), email: 'Repeat.Buyer@example.com', buyer: 'c-77', billingCountry: 'US', shippingCountry: 'US',
      shippingAddress: '12 Elm St 98101 US', total: '35.00', shop: 'shop-1', lines: [{ sku: 'S1', price: '35.00', quantity: 1 }],
    });
    const scoreWith = async (store: Store, i: number) => {
      const run = holdStep.compile(step, { flow, db: store.db, expr: (t: string, f: string) => compileFlowExpr(t, `test ${f}`) } as unknown as StepEnv);
      const ctx = { event: { system: 'shop', entity: 'order', id: `R${i}`, version: '1', payload: null, connection: 'shop-1' }, note: () => {} } as unknown as StepContext<unknown>;
      return (await run({ event: { payload: order(i) }, steps: {}, options: {} }, ctx)) as { score: number; reasons: string[] };
    };

    it('keeps velocity and the known buyer across a restart, counts a replayed order once, stores no e-mail or address', async () => {
      let store = await open();
      try {
        const first = await scoreWith(store, 0);
        expect(first.reasons.join('; ')).toMatch(/first order/);
        for (let i = 1; i < 4; i++) await scoreWith(store, i);
      } finally {
        await store.close();
      }
      store = await open();
      try {
        // Four orders of this buyer in the last 24 h were scored before the restart.
        const fifth = await scoreWith(store, 4);
        const why = fifth.reasons.join('; ');
        expect(why).toMatch(/4 orders from this e-mail in 24 h/);
        expect(why).toMatch(/4 orders from this buyer in 24 h/);
        expect(why).not.toMatch(/first order/);
        // A replay of the same order after another restart: still 4 before it, not 5.
        await store.close();
        store = await open();
        const replay = await scoreWith(store, 4);
        expect(replay.reasons.join('; ')).toMatch(/4 orders from this e-mail in 24 h/);
        const rows = await store.db.selectFrom('risk_orders').selectAll().execute();
        expect(rows).toHaveLength(5);
        const keys = await store.db.selectFrom('risk_keys').selectAll().execute();
        expect(keys).toHaveLength(3);
        const stored = JSON.stringify([rows, keys]).toLowerCase();
        expect(stored).not.toContain('repeat.buyer');
        expect(stored).not.toContain('elm');
        // Bounded: two weeks on, only the newest `window` orders stay; keys stay a year.
        const scope = 'shop-to-erp|shop-1';
        await prune(store.db, scope, Date.UTC(2026, 11, 21), 2);
        expect((await store.db.selectFrom('risk_orders').select('order_id').orderBy('at').execute()).map((r) => r.order_id)).toEqual(['R3', 'R4']);
        await prune(store.db, scope, Date.UTC(2028, 0, 1), 2);
        expect(await store.db.selectFrom('risk_keys').selectAll().execute()).toHaveLength(0);
      } finally {
        await store.close();
      }
    });

    it('saves the orders scored in one turn in two statements, each key once with its first and last time', async () => {
      const store = await open();
      try {
        let statements = 0;
        // Counted as executed (transformResult), which also sees statements not built with the query builder.
        const counted = store.db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => (statements++, a.result) });
        const scope = 'batch|shop-1';
        const at = (i: number) => Date.UTC(2026, 11, 7, 8) + i * 60_000;
        await Promise.all(Array.from({ length: 10 }, (_, i) => saveRecorded(counted, scope, { id: `B${i}`, at: at(i), keys: ['k-shared', `k-${i}`], total: '10.00', observations: [] })));
        expect(statements).toBe(2);
        expect(await store.db.selectFrom('risk_orders').select('order_id').where('scope', '=', scope).execute()).toHaveLength(10);
        const shared = await store.db.selectFrom('risk_keys').selectAll().where('scope', '=', scope).where('key', '=', 'k-shared').executeTakeFirstOrThrow();
        expect([Number(shared.first_at), Number(shared.last_at)]).toEqual([at(0), at(9)]);
      } finally {
        await store.close();
      }
    });
  });
}
