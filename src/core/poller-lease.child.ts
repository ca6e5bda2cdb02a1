// A worker process for poller-lease.pg.test.ts: an engine on PostgreSQL whose one poller logs each
// poll (owner, time) to poll_log. The test SIGKILLs whichever process owns the poller.
import { sql } from 'kysely';
import { openStore } from './db/database.js';
import { Engine } from './engine.js';
import { PollerLease } from './poller-lease.js';

const [url, schema, owner] = process.argv.slice(2);
const store = await openStore({ dialect: 'postgres', url: url!, schema: schema! });
const engine = new Engine({ store, flows: [] });
const lease = new PollerLease({ db: store.db, dialect: store.dialect, owner: owner!, ttlMs: 900 });
engine.startPoller(
  {
    id: 'shop:orders',
    async poll(cursor) {
      await sql`insert into poll_log (owner, at) values (${owner}, ${Date.now()})`.execute(store.db);
      return { events: [], cursor };
    },
  },
  50,
  'shop',
  lease,
);
process.send?.('ready');
process.on('SIGTERM', async () => {
  await engine.stop();
  await store.close();
  process.exit(0);
});
