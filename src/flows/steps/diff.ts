// diff: for snapshot syncs (stock read-back, catalog). Compares the source snapshot with the last one
// synced and outputs only the changed items and the removed keys; the new snapshot is written with
// the run's ack, so a run that fails later compares against the old snapshot again.
import { createHash } from 'node:crypto';
import type { DiffStep } from '../document.js';
import { plain } from '../expr.js';
import type { StepKind } from './kind.js';

/** What a snapshot keeps per key (flow test cases seed snapshots with it). */
export const hashOf = (v: unknown) => createHash('sha1').update(JSON.stringify(v ?? null)).digest('base64url');

export const diffStep: StepKind<DiffStep> = {
  kind: 'diff',
  retry: 'never',
  compile(step, env) {
    const snapshot = env.expr(step.snapshot, 'snapshot');
    const key = env.expr(step.key, 'key');
    const value = env.expr(step.value, 'value');
    // An expression, so one snapshot can be kept per record (e.g. a customer's fields, shared by the
    // two flows of a two-way sync: each records what it wrote, so the other does not echo it back).
    const scopeOf = step.scope ? env.expr(step.scope, 'scope') : undefined;
    return async (scope, ctx) => {
      const scopeName = scopeOf ? String(plain(await scopeOf(scope))) : `${env.flow.id}/${step.id}/${ctx.event.connection ?? ctx.event.system}`;
      const list = plain(await snapshot(scope));
      const arr = list === null ? [] : Array.isArray(list) ? list : [list];
      const previous = new Map<string, string>();
      for (const r of await env.db.selectFrom('snapshots').select(['key', 'hash']).where('scope', '=', scopeName).execute()) previous.set(r.key, r.hash);
      const changed: unknown[] = [];
      const writes: Array<{ key: string; hash: string }> = [];
      const seen = new Set<string>();
      for (const item of arr) {
        const k = String(plain(await key({ ...scope, item })));
        const h = hashOf(plain(await value({ ...scope, item })));
        seen.add(k);
        if (previous.get(k) !== h) {
          changed.push(item);
          writes.push({ key: k, hash: h });
        }
      }
      const removed = [...previous.keys()].filter((k) => !seen.has(k));
      ctx.commitWith(async (trx) => {
        const now = Date.now();
        for (let i = 0; i < writes.length; i += 500) {
          await trx
            .insertInto('snapshots')
            .values(writes.slice(i, i + 500).map((w) => ({ scope: scopeName, key: w.key, hash: w.hash, updated_at: now })))
            .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash'), updated_at: now })))
            .execute();
        }
        for (let i = 0; i < removed.length; i += 500) await trx.deleteFrom('snapshots').where('scope', '=', scopeName).where('key', 'in', removed.slice(i, i + 500)).execute();
      });
      return { changed, removed, unchanged: arr.length - changed.length };
    };
  },
};
