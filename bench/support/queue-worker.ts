// A worker process for the queue benchmark: drains no-op jobs until told to stop.
import { openStore, storeOptionsFromUrl } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';
import { Worker } from '../../src/core/worker.js';

const [url, schema, concurrency] = process.argv.slice(2);
const options = storeOptionsFromUrl(url!);
const store = await openStore(options.dialect === 'postgres' ? { ...options, schema, poolSize: 4 } : options);
const worker = new Worker(createQueue(store), store.db, { noop: async () => {} }, { concurrency: Number(concurrency ?? 64), pollMs: 2 });
worker.start();
process.send?.('ready');
process.on('message', async () => {
  await worker.stop();
  await store.close();
  process.exit(0);
});
