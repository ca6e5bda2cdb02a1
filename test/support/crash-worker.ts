// A worker process for the crash test: runs 'effect' jobs with random delays. Each execution is
// logged at once (autocommit); the effect is written in the ack's transaction. The parent SIGKILLs
// this process mid-run, several times.
import { sql } from 'kysely';
import { openStore, storeOptionsFromUrl } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';
import { Worker } from '../../src/core/worker.js';

const [url, schema] = process.argv.slice(2);
const options = storeOptionsFromUrl(url!);
const store = await openStore(options.dialect === 'postgres' ? { ...options, schema } : options);
const queue = createQueue(store);
const worker = new Worker(
  queue,
  store.db,
  {
    effect: async (job) => {
      const { n } = job.payload as { n: number };
      await sql`insert into crash_executions (n, attempt) values (${n}, ${job.attempt})`.execute(store.db);
      await new Promise((r) => setTimeout(r, Math.random() * 6));
      return { commit: async (trx) => void (await sql`insert into crash_effects (n) values (${n})`.execute(trx)) };
    },
  },
  { concurrency: 8, leaseMs: 1_000, pollMs: 10 },
);
worker.start();
process.send?.('ready');
process.on('SIGTERM', async () => {
  await worker.stop();
  await store.close();
  process.exit(0);
});
