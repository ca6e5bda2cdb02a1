// A disabled flow loses nothing (decision 0017): its events are still stored and its jobs are
// enqueued paused — not run, and not holding up another flow of the same records; enabling it runs
// them, in order, each once. Before, a disabled flow was not routed: its events were never stored
// for it and enabling it again never picked them up. Run on a SQLite file and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import type { Store } from './db/database.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';

export function disabledFlowContract(name: string, open: () => Promise<Store>, cleanup: () => Promise<void>): void {
  describe(`a disabled flow pauses its jobs (${name})`, () => {
    it('B runs, A is paused and does not block B; enabled, A runs its three versions in order, each once', async () => {
      const store = await open();
      const seen: Record<'a' | 'b', string[]> = { a: [], b: [] };
      // Same source entity, default ordering key (system:entity:id) for both flows.
      const flow = (id: 'a' | 'b') =>
        defineFlow<unknown>({ id, description: id, source: { system: 'shop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'deliver', run: (input: any) => void seen[id].push(`${input.id}@${input.version}`) }] });
      const engine = new Engine({ store, flows: [flow('a'), flow('b')], deps: {}, worker: { pollMs: 20 } });
      const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) => {
        for (const end = Date.now() + ms; Date.now() < end; ) {
          if (await ok()) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      try {
        await engine.setEnabled('a', false);
        engine.start();
        for (const version of ['0001', '0002', '0003']) {
          expect(await engine.intake([{ system: 'shop', entity: 'order', id: 'o-1', version, payload: { id: 'o-1', version, total: '10.00' } }])).toMatchObject({ accepted: 1, jobs: 2 });
        }
        await until('B to run its three jobs', () => seen.b.length === 3);
        expect(seen.b).toEqual(['o-1@0001', 'o-1@0002', 'o-1@0003']);
        // A's jobs wait, paused (not run), while B's of the same ordering key went past them.
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.a).toEqual([]);
        const a = await engine.queue.list({ queue: 'a' });
        expect(a.map((j) => [j.state, (j.payload as { version: string }).version])).toEqual([['paused', '0001'], ['paused', '0002'], ['paused', '0003']]);
        expect(await engine.queue.list({ queue: 'b' })).toEqual([]);

        expect(await engine.setEnabled('a', true)).toBe(3);
        await until('A to run its three jobs', async () => seen.a.length === 3 && (await engine.queue.list({})).length === 0);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.a).toEqual(['o-1@0001', 'o-1@0002', 'o-1@0003']);
        expect(seen.b).toHaveLength(3);
        const runs = await store.db.selectFrom('runs').select(['flow', 'status']).execute();
        expect(runs.filter((r) => r.flow === 'a').map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
        // Enabled, a new version runs straight away.
        await engine.intake([{ system: 'shop', entity: 'order', id: 'o-1', version: '0004', payload: { id: 'o-1', version: '0004', total: '10.00' } }]);
        await until('the new version to run for both', () => seen.a.length === 4 && seen.b.length === 4);
      } finally {
        await engine.stop();
        await store.close();
        await cleanup();
      }
    });

    it('disabling marks only: a job queued before still runs; a process starting with the flow enabled releases its paused jobs', async () => {
      const store = await open();
      const seen: string[] = [];
      const flow = defineFlow<unknown>({ id: 'a', description: 'a', source: { system: 'shop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'deliver', run: (input: any) => void seen.push(`${input.id}@${input.version}`) }] });
      const engine = new Engine({ store, flows: [flow], deps: {}, worker: { pollMs: 20 } });
      // A process that starts with the flow enabled (it was enabled while the first was down).
      const next = new Engine({ store, flows: [flow], deps: {}, worker: { pollMs: 20 } });
      try {
        await engine.intake([{ system: 'shop', entity: 'order', id: 'o-1', version: '0001', payload: { id: 'o-1', version: '0001' } }]);
        await engine.setEnabled('a', false);
        await engine.intake([{ system: 'shop', entity: 'order', id: 'o-2', version: '0001', payload: { id: 'o-2', version: '0001' } }]);
        expect((await engine.queue.list({ queue: 'a' })).map((j) => j.state)).toEqual(['queued', 'paused']);
        engine.start();
        for (let i = 0; i < 500 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 300));
        expect(seen).toEqual(['o-1@0001']);
        await engine.stop();
        expect(await next.releaseEnabled()).toBe(1);
        next.start();
        for (let i = 0; i < 500 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
        expect(seen).toEqual(['o-1@0001', 'o-2@0001']);
      } finally {
        await engine.stop();
        await next.stop();
        await store.close();
        await cleanup();
      }
    });
  });
}
