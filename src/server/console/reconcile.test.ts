// The last reconciliation of each pair is stored: it survives a restart of the server (a new store
// handle on the same SQLite file or PostgreSQL schema), masked, newest first; a run in progress is joined.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../alerts/alerts.js';
import { openStore, type Store } from '../../core/db/database.js';
import { userError } from '../../core/errors.js';
import { dropSchema, openPgStore, uniqueSchema } from '../../../test/support/pg.js';
import { startWebhookReceiver } from '../../../test/support/webhooks.js';
import { Reconciliations } from './reconcile.js';

const dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-'));
const schema = uniqueSchema('rec');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

const stores: Record<string, () => Promise<Store>> = {
  sqlite: () => openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') }),
  postgres: () => openPgStore(schema, 2),
};

describe.each(Object.keys(stores))('reconciliation results on %s', (dialect) => {
  it('are kept across a restart, personal data masked; the newest of each pair is shown; a run in progress is joined', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const reconcilers = {
      'xcart-sage300': async () => {
        calls++;
        await gate;
        return { summary: `orders 3 in X-Cart, 2 in Sage 300 (run ${calls})`, differences: [{ kind: 'missing in Sage 300', key: 'xcart:order:7', amount: '12.50', detail: 'buyer ann.lee@example.com' }] };
      },
      'amazon-x3': async () => {
        throw userError('RECONCILE_FAILED', 'X3 refused the query');
      },
    };
    let store = await stores[dialect]!();
    let recs = new Reconciliations(reconcilers, store.db);
    expect((await recs.list()).map((r) => [r.pair, r.status])).toEqual([['amazon-x3', 'never run'], ['xcart-sage300', 'never run']]);
    const a = recs.run('xcart-sage300', 'user:rita');
    const b = recs.run('xcart-sage300', 'user:olga');
    expect(b).toBe(a);
    expect((await recs.list()).find((r) => r.pair === 'xcart-sage300')!.status).toBe('running');
    release();
    await a;
    await recs.run('amazon-x3', 'token:ops');
    expect(calls).toBe(1);
    await store.close();

    // A restart: a new store handle and a new server-side object see the same results.
    store = await stores[dialect]!();
    recs = new Reconciliations(reconcilers, store.db);
    const [x3, xc] = await recs.list();
    expect(xc).toMatchObject({ pair: 'xcart-sage300', status: 'differences', by: 'user:rita', summary: 'orders 3 in X-Cart, 2 in Sage 300 (run 1)', differenceCount: 1, error: null });
    expect(xc!.at).toBeGreaterThan(0);
    expect(xc!.differences[0]).toMatchObject({ kind: 'missing in Sage 300', key: 'xcart:order:7', amount: '12.50' });
    expect(JSON.stringify(xc)).not.toContain('ann.lee@example.com');
    expect(x3).toMatchObject({ pair: 'amazon-x3', status: 'failed', by: 'token:ops', error: 'RECONCILE_FAILED: X3 refused the query', differences: [] });
    // A later run is the one shown.
    await recs.run('xcart-sage300', 'user:vic');
    expect((await recs.list())[1]).toMatchObject({ by: 'user:vic', summary: 'orders 3 in X-Cart, 2 in Sage 300 (run 2)' });
    await store.close();
  });
});

describe('a reconciliation-difference alert rule', () => {
  it('fires into its webhook when a run over the API finds more differences than its threshold, and resolves when one finds no more', async () => {
    const hook = await startWebhookReceiver<{ state: string; message: string }>();
    const got = hook.bodies;
    const store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'alerts.sqlite') });
    try {
      const rules = new AlertStore(store.db);
      const url = hook.url;
      await rules.create({ name: 'Pair differs', kind: 'reconciliation-difference', threshold: 1, windowMinutes: 60, subject: 'xcart-sage300', channel: 'webhook', target: url, enabled: true });
      await rules.create({ name: 'Other pair', kind: 'reconciliation-difference', threshold: 0, windowMinutes: 60, subject: 'amazon-x3', channel: 'webhook', target: url, enabled: true });
      const diff = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'missing in Sage 300', key: `xcart:order:${i}`, amount: '1.00' }));
      let n = 1;
      const recs = new Reconciliations({ 'xcart-sage300': async () => ({ summary: `orders ${n}`, differences: diff(n) }) }, store.db);
      await recs.run('xcart-sage300', 'user:rita'); // 1: not more than the threshold
      expect(got).toEqual([]);
      n = 2;
      await recs.run('xcart-sage300', 'user:rita');
      expect(got).toMatchObject([{ state: 'firing', message: 'reconcile xcart-sage300: 2 differences (threshold: more than 1) · orders 2' }]);
      expect((await rules.list()).find((r) => r.name === 'Pair differs')!.firing).toBe(true);
      n = 0;
      await recs.run('xcart-sage300', 'user:rita');
      expect(got.map((g) => g.state)).toEqual(['firing', 'resolved']);
      expect((await rules.history()).map((h) => [h.state, h.delivered])).toEqual([['resolved', true], ['firing', true]]);
    } finally {
      await store.close();
      await hook.close();
    }
  });
});

