// Idle workers on PostgreSQL wake on LISTEN/NOTIFY: a job enqueued by another process (here: another
// pool, as a second process would have) runs at once although the worker's idle poll is 5 s, and a
// job whose ordering key is freed by an ack in another process runs at once too. (Bounds are loose:
// the machine may be loaded; the idle poll of 30 s is what they are measured against.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/database.js';
import { Worker } from '../worker.js';
import { createQueue } from './sql-queue.js';
import { dropSchema, openPgStore, uniqueSchema } from '../../../test/support/pg.js';

describe('PostgreSQL queue: LISTEN/NOTIFY wakes idle workers', () => {
  const schema = uniqueSchema('notify');
  const other = uniqueSchema('notify');
  let a: Store;
  let b: Store;
  let c: Store;
  beforeAll(async () => {
    a = await openPgStore(schema, 4);
    b = await openPgStore(schema, 4);
    c = await openPgStore(other, 4);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await c.close();
    await dropSchema(schema);
    await dropSchema(other);
  });

  it('an enqueue elsewhere wakes the worker within 300 ms, not after its 30 s poll; another schema does not wake it', async () => {
    const done: Array<{ n: number; at: number }> = [];
    const queueA = createQueue(a);
    // Its queue only, as an engine's worker claims its own flows' jobs: 'other' below is for another.
    const worker = new Worker(queueA, a.db, { q: async (job) => void done.push({ n: (job.payload as { n: number }).n, at: Date.now() }) }, { pollMs: 30_000, queues: ['q'] });
    const claims: number[] = [];
    const claim = queueA.claim.bind(queueA);
    queueA.claim = async (o) => (claims.push(Date.now()), claim(o));
    worker.start();
    try {
      for (let i = 0; i < 50 && !queueA.wakesAcrossProcesses; i++) await new Promise((r) => setTimeout(r, 20));
      expect(queueA.wakesAcrossProcesses).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      // A deployment in another schema of the same database: its NOTIFY must not wake this worker.
      const before = claims.length;
      await createQueue(c).enqueue([{ queue: 'q', payload: { n: 0 } }]);
      await new Promise((r) => setTimeout(r, 300));
      expect(claims.length).toBe(before);

      const t0 = Date.now();
      await b.db.transaction().execute(async (trx) => {
        await createQueue(b).enqueue([{ queue: 'q', payload: { n: 1 } }], trx);
        await new Promise((r) => setTimeout(r, 200)); // not before the commit
        expect(done).toEqual([]);
      });
      for (let i = 0; i < 300 && done.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(done.map((d) => d.n)).toEqual([1]);
      expect(done[0]!.at - t0).toBeGreaterThanOrEqual(200);
      expect(done[0]!.at - t0).toBeLessThan(2_000); // the idle poll is 30 s: only the NOTIFY explains this

      // Two jobs of one key: the second waits for the first; an ack in the other process frees it.
      const queueB = createQueue(b);
      await queueB.enqueue([{ queue: 'other', payload: null, orderingKey: 'k' }, { queue: 'q', payload: { n: 2 }, orderingKey: 'k' }]);
      const [head] = await queueB.claim({ workerId: 'b', limit: 1, leaseMs: 10_000, queues: ['other'] });
      expect(head).toBeDefined();
      await new Promise((r) => setTimeout(r, 300));
      expect(done.map((d) => d.n)).toEqual([1]);
      const acked = Date.now();
      expect(await queueB.ack([{ id: head!.id, attempt: head!.attempt }])).toBe(1);
      for (let i = 0; i < 300 && done.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(done.map((d) => d.n)).toEqual([1, 2]);
      expect(done[1]!.at - acked).toBeLessThan(2_000);
    } finally {
      await worker.stop();
    }
    // The last worker stopped: the LISTEN connection is closed, so the process can exit.
    expect(queueA.wakesAcrossProcesses).toBe(false);
  });
});
