// Child process for durability.test.ts: a real server on a SQLite file, to be killed with SIGKILL.
// Prints its URL as one line once listening.
import { openStore } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { ConnectionStore } from '../core/connections.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { defineFlow } from '../core/flow.js';
import { buildServer } from './index.js';

const [file, secret] = process.argv.slice(2);
const store = await openStore({ dialect: 'sqlite', file: file! });
const flow = defineFlow({ id: 'shop-orders', description: 'd', source: { system: 'shop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'noop', run: (x: unknown) => x }] });
const engine = new Engine({ store, flows: [flow], deps: {} });
const app = buildServer({
  engine,
  connections: new ConnectionStore(store.db, SecretBox.fromKey('0'.repeat(64))),
  tokens: new ApiTokenStore(store.db),
  webhookSecrets: (id) => (id === 'shop-main' ? secret : undefined),
});
console.log(await app.listen({ port: 0, host: '127.0.0.1' }));
