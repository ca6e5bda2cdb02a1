// One contract, two adapters: sql-queue.sqlite.test.ts and sql-queue.pg.test.ts run this suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Store } from '../db/database.js';
import { userError, transientError } from '../errors.js';
import { Worker } from '../worker.js';
import { createQueue, type SqlQueue } from './sql-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function queueContract(name: string, openStore: () => Promise<Store>, cleanup: () => Promise<void> = async () => {}): void {
  describe(`queue contract: ${name}`, () => {
    let store: Store;
    let queue: SqlQueue;
    beforeEach(async () => {
      store = await openStore();
      queue = createQueue(store);
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('enqueue → claim → ack removes the job; a claimed job is not claimed twice', async () => {
      const [id] = await queue.enqueue([{ queue: 'q', payload: { n: 1 } }]);
      const first = await queue.claim({ workerId: 'w1', limit: 10, leaseMs: 10_000 });
      expect(first.map((j) => [j.id, j.attempt, j.payload])).toEqual([[id, 1, { n: 1 }]]);
      expect(await queue.claim({ workerId: 'w2', limit: 10, leaseMs: 10_000 })).toEqual([]);
      expect(await queue.ack([{ id: id!, attempt: 1 }])).toBe(1);
      expect(await queue.get(id!)).toBeUndefined();
    });

    it('enqueue joins the caller transaction: rolled back with it, committed with it', async () => {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await queue.enqueue([{ queue: 'q', payload: 'lost' }], trx);
          throw new Error('inbox write failed');
        }),
      ).rejects.toThrow('inbox write failed');
      expect(await queue.list({})).toEqual([]);
      await store.db.transaction().execute(async (trx) => {
        await queue.enqueue([{ queue: 'q', payload: 'kept' }], trx);
      });
      expect((await queue.list({})).map((j) => j.payload)).toEqual(['kept']);
    });

    it('a paused job is never claimed, does not block its key for another queue, and release queues it in order', async () => {
      const [p1, b1, p2, b2] = await queue.enqueue([
        { queue: 'a', payload: 1, orderingKey: 'k', state: 'paused' },
        { queue: 'b', payload: 1, orderingKey: 'k' },
        { queue: 'a', payload: 2, orderingKey: 'k', state: 'paused' },
        { queue: 'b', payload: 2, orderingKey: 'k' },
      ]);
      expect((await queue.list({ state: 'paused' })).map((j) => j.id)).toEqual([p1, p2]);
      const b = await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 });
      expect(b.map((j) => j.id)).toEqual([b1]);
      expect(await queue.ack([{ id: b1!, attempt: 1 }])).toBe(1);
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([b2]);
      expect(await queue.ack([{ id: b2!, attempt: 1 }])).toBe(1);
      expect(await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).toEqual([]);
      expect(await queue.release(['b'])).toBe(0);
      expect(await queue.release(['a'])).toBe(2);
      // Released, they hold their key again: one at a time, in enqueue order.
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([p1]);
      expect(await queue.ack([{ id: p1!, attempt: 1 }])).toBe(1);
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([p2]);
      expect((await queue.counts()).filter((c) => c.state === 'paused')).toEqual([]);
    });

    it('a job whose worker died runs again after its lease expires, and the stale lease cannot ack it', async () => {
      const [id] = await queue.enqueue([{ queue: 'q', payload: null }]);
      await queue.claim({ workerId: 'dies', limit: 1, leaseMs: 150 });
      expect(await queue.reapExpiredLeases()).toBe(0);
      await sleep(200);
      expect(await queue.reapExpiredLeases()).toBe(1);
      const again = await queue.claim({ workerId: 'w2', limit: 1, leaseMs: 10_000 });
      expect(again.map((j) => [j.id, j.attempt])).toEqual([[id, 2]]);
      expect(await queue.ack([{ id: id!, attempt: 1 }])).toBe(0);
      expect((await queue.get(id!))?.history.map((h) => h.outcome)).toEqual(['lease-expired']);
      expect(await queue.ack([{ id: id!, attempt: 2 }])).toBe(1);
    });

    it('a job that loses its lease on every attempt is dead-lettered, not looped', async () => {
      const [id] = await queue.enqueue([{ queue: 'q', payload: null, maxAttempts: 2 }]);
      for (let i = 0; i < 2; i++) {
        await queue.claim({ workerId: 'dies', limit: 1, leaseMs: 50 });
        await sleep(80);
        await queue.reapExpiredLeases();
      }
      const job = await queue.get(id!);
      expect(job?.state).toBe('dead');
      expect(job?.lastError?.code).toBe('JOB_LEASE_EXPIRED');
    });

    it('retry at a time: not claimable before, claimable after', async () => {
      const [id] = await queue.enqueue([{ queue: 'q', payload: null }]);
      const [job] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: 10_000 });
      await queue.retry({ id: id!, attempt: job!.attempt }, Date.now() + 250, transientError('HTTP_SERVER_ERROR', 'down').toJSON());
      expect(await queue.claim({ workerId: 'w', limit: 1, leaseMs: 10_000 })).toEqual([]);
      await sleep(300);
      const later = await queue.claim({ workerId: 'w', limit: 1, leaseMs: 10_000 });
      expect(later.map((j) => j.attempt)).toEqual([2]);
      expect((await queue.get(id!))?.lastError?.code).toBe('HTTP_SERVER_ERROR');
    });

    it('dead letter → list → replay with an edited payload → discard', async () => {
      const [a, b] = await queue.enqueue([
        { queue: 'q', payload: { sku: 'BAD' } },
        { queue: 'q', payload: { sku: 'ALSO-BAD' } },
      ]);
      const jobs = await queue.claim({ workerId: 'w', limit: 2, leaseMs: 10_000 });
      for (const j of jobs) await queue.deadLetter({ id: j.id, attempt: j.attempt }, userError('MAPPING_INVALID', `unknown SKU`).toJSON());
      const dead = await queue.list({ state: 'dead' });
      expect(dead.map((d) => [d.id, d.lastError?.code, d.history.length])).toEqual([
        [a, 'MAPPING_INVALID', 1],
        [b, 'MAPPING_INVALID', 1],
      ]);
      await expect(queue.replay([a!, b!], { payload: {} })).rejects.toThrow(/exactly one/);
      expect(await queue.replay([a!], { payload: { sku: 'GOOD' } })).toBe(1);
      const [replayed] = await queue.claim({ workerId: 'w', limit: 5, leaseMs: 10_000 });
      expect([replayed!.id, replayed!.payload, replayed!.attempt]).toEqual([a, { sku: 'GOOD' }, 1]);
      expect(await queue.discard([b!])).toBe(1);
      expect(await queue.get(b!)).toBeUndefined();
      expect(await queue.discard([a!])).toBe(0); // only dead letters can be discarded
    });

    it('per-key ordering: only the head of each key is claimable; retries and running jobs block their key; dead letters do not', async () => {
      const ids = await queue.enqueue(['A', 'B', 'A', 'A', 'B', null].map((k, i) => ({ queue: 'q', payload: i, orderingKey: k })));
      const [a1, b1, a2, a3, b2, free] = ids as [number, number, number, number, number, number];
      const first = await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 });
      expect(first.map((j) => j.id)).toEqual([a1, b1, free]);
      expect(await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).toEqual([]);
      // A's head goes back to wait for a retry in the future: A2 must still wait.
      await queue.retry({ id: a1, attempt: 1 }, Date.now() + 60_000, transientError('HTTP_TIMEOUT', 't').toJSON());
      expect(await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).toEqual([]);
      await queue.ack([{ id: b1, attempt: 1 }]);
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([b2]);
      // A1 dead-lettered: the rest of A proceeds in order.
      await store.db.updateTable('jobs').set({ run_at: 0 }).where('id', '=', a1).execute();
      const [again] = await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 });
      expect(again!.id).toBe(a1);
      await queue.deadLetter({ id: a1, attempt: again!.attempt }, userError('MAPPING_INVALID', 'bad').toJSON());
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([a2]);
      await queue.ack([{ id: a2, attempt: 1 }]);
      expect((await queue.claim({ workerId: 'w', limit: 10, leaseMs: 10_000 })).map((j) => j.id)).toEqual([a3]);
    });

    it('worker: user errors are dead-lettered at once, transient errors retried, Retry-After honoured', async () => {
      const seen: Record<string, number[]> = {};
      const worker = new Worker(queue, store.db, {
        q: async (job) => {
          const kind = (job.payload as { kind: string }).kind;
          (seen[kind] ??= []).push(Date.now());
          if (kind === 'user') throw userError('MAPPING_INVALID', 'unknown SKU X');
          if (kind === 'flaky' && job.attempt < 3) throw transientError('HTTP_SERVER_ERROR', '503');
          if (kind === 'limited' && job.attempt < 2) throw transientError('HTTP_RATE_LIMITED', '429', { retryAfterMs: 300 });
        },
      }, { concurrency: 4, pollMs: 10, backoff: { baseMs: 20, capMs: 50 } });
      const [user, flaky, limited] = await queue.enqueue(['user', 'flaky', 'limited'].map((kind) => ({ queue: 'q', payload: { kind } })));
      worker.start();
      // One query for both states: two would race a job moving from running back to queued.
      const pending = async () => (await queue.counts()).filter((c) => c.state !== 'dead').reduce((n, c) => n + c.count, 0);
      for (let i = 0; i < 300 && (await pending()) > 0; i++) await sleep(20);
      await worker.stop();
      expect(seen.user).toHaveLength(1);
      expect((await queue.get(user!))?.state).toBe('dead');
      expect(seen.flaky).toHaveLength(3);
      expect(await queue.get(flaky!)).toBeUndefined();
      expect(seen.limited).toHaveLength(2);
      expect(seen.limited![1]! - seen.limited![0]!).toBeGreaterThanOrEqual(290);
      expect(await queue.get(limited!)).toBeUndefined();
    });

    it('graceful stop drains in-flight jobs and commits their acks; nothing new is claimed', async () => {
      let started = 0;
      let finished = 0;
      const worker = new Worker(queue, store.db, {
        slow: async () => {
          started++;
          await sleep(300);
          finished++;
        },
      }, { concurrency: 2, pollMs: 5 });
      await queue.enqueue(Array.from({ length: 6 }, (_, n) => ({ queue: 'slow', payload: n })));
      worker.start();
      while (started < 2) await sleep(5);
      await worker.stop();
      expect(finished).toBe(started);
      expect(started).toBe(2);
      const left = await queue.list({});
      expect(left).toHaveLength(4);
      expect(left.every((j) => j.state === 'queued')).toBe(true);
    });

    it('property: for any interleaving of keys, a key never runs concurrently and runs in enqueue order; keys run in parallel up to the limit', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6'), { minLength: 20, maxLength: 60 }), fc.integer({ min: 2, max: 6 }), async (keys, concurrency) => {
          await store.db.deleteFrom('jobs').execute();
          const running = new Set<string>();
          const order: Record<string, number[]> = {};
          let active = 0;
          let maxActive = 0;
          let violation = '';
          const worker = new Worker(queue, store.db, {
            p: async (job) => {
              const { key, seq } = job.payload as { key: string; seq: number };
              if (running.has(key)) violation = `key ${key} ran concurrently`;
              running.add(key);
              maxActive = Math.max(maxActive, ++active);
              await sleep(Math.random() * 4);
              (order[key] ??= []).push(seq);
              running.delete(key);
              active--;
            },
          }, { concurrency, pollMs: 5 });
          await queue.enqueue(keys.map((key, seq) => ({ queue: 'p', payload: { key, seq }, orderingKey: key })));
          worker.start();
          for (let i = 0; i < 500 && Object.values(order).flat().length < keys.length; i++) await sleep(10);
          await worker.stop();
          expect(violation).toBe('');
          for (const [key, seqs] of Object.entries(order)) {
            const expected = keys.flatMap((k, i) => (k === key ? [i] : []));
            expect(seqs).toEqual(expected);
          }
          expect(Object.values(order).flat()).toHaveLength(keys.length);
          expect(maxActive).toBeLessThanOrEqual(concurrency);
          if (new Set(keys).size > 1) expect(maxActive).toBeGreaterThan(1);
        }),
        { numRuns: 8 },
      );
    });
  });
}
