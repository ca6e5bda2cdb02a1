// `npm run chaos -- [--orders N] [--kills K] [--store sqlite|postgres] [--invalid M] [--json]`: X-Cart →
// Sage 300 orders through the real order flow (`syncline start --config`) while Sage 300 injects
// faults — 10 % 5xx, 5 % 429 with Retry-After, 2 % timeouts, 1 % record locks — and the engine process
// is SIGKILLed at random moments and started again. `--store sqlite`: one process, embedded SQLite.
// `--store postgres`: a fresh database on $SYNCLINE_TEST_PG_URL's server and two worker processes
// (`start --role worker`, pollers leased in PostgreSQL); each kill hits one of them at random.
// `--invalid M`: M more orders of a product the shop sells but Sage 300 has no item for — each must
// be dead-lettered, naming the SKU (the only dead letters allowed). The sandboxes run in their own processes, so
// their state survives the kills. At the end Sage 300 is counted over its own API (orders per
// PurchaseOrderNumber, faults off for the count) and one JSON object is printed, last:
// {"orders","erpRecords","lost","duplicated","deadLettered","kills","seconds"}.
// lost = orders with no Sage 300 order and no dead letter. Exits 1 when lost or duplicated ≠ 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { z } from 'zod';
import { Sage300Client } from '../../src/connectors/sage300/client.js';
import { XcartClient } from '../../src/connectors/xcart/client.js';
import { createProduct } from '../../src/connectors/xcart/index.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const ORDERS = Number(opt('orders', '1000'));
const KILLS = Number(opt('kills', '3'));
const STORE = opt('store', 'sqlite');
const INVALID = Number(opt('invalid', '0'));
const JSON_OUT = args.includes('--json');
const INVALID_SKU = 'CHAOS-NO-ITEM';
const root = path.resolve(import.meta.dirname, '../..');
const say = (s: string) => (JSON_OUT ? console.error(s) : console.log(s));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (STORE !== 'sqlite' && STORE !== 'postgres') {
  console.error(`chaos: --store sqlite|postgres, got ${STORE}`);
  process.exit(2);
}
const PG_SERVER = process.env.SYNCLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgDb = `chaos_${randomBytes(4).toString('hex')}`;
const pgUrl = (() => {
  const u = new URL(PG_SERVER);
  u.pathname = `/${pgDb}`;
  return u.toString();
})();
if (STORE === 'postgres') {
  const admin = new pg.Client({ connectionString: PG_SERVER });
  await admin.connect();
  await admin.query(`create database ${pgDb}`);
  await admin.end();
}

async function sandbox(name: string, faults?: unknown): Promise<{ child: ChildProcess; url: string; credentials: Record<string, string> }> {
  const child = spawn(process.execPath, ['bin/syncline.js', 'sandbox', name, '--port', '0', '--json', ...(faults ? ['--faults', JSON.stringify(faults)] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox ${name} exited (${code})`)));
  });
  return { child, ...(JSON.parse(line) as { url: string; credentials: Record<string, string> }) };
}

const SAGE_FAULTS = { seed: 7, rules: [{ route: '/Sage300WebApi', error5xx: 0.1, status5xx: 503, rate429: 0.05, retryAfterS: 1, timeout: 0.02, custom: { lock: 0.01 } }] };

const started = performance.now();
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-chaos-'));
const xcart = await sandbox('xcart');
const sage = await sandbox('sage300', SAGE_FAULTS);
const unlimited = { ratePerSec: 100_000, burst: 100_000 };
const configFile = path.join(dir, 'syncline.json');
writeFileSync(
  configFile,
  JSON.stringify({
    dataDir: dir,
    ...(STORE === 'postgres' ? { database: pgUrl } : {}),
    worker: { concurrency: 16, leaseMs: 5_000 },
    connections: [
      { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: unlimited } },
      // A 2 s timeout: the injected timeouts resolve quickly (as unknown outcomes, looked up before a retry).
      { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage.url, ...sage.credentials, timeoutMs: 2_000 }, rateLimits: { createOrder: unlimited, findOrdersByReference: unlimited, getItem: unlimited } },
    ],
    // The risk screen holds random sandbox orders for review (big first orders, many from one address):
    // not what this run measures, and a hold would count as a dead letter.
    flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 200, options: { riskHold: false } }],
  }),
);
const env = { ...process.env, SYNCLINE_LOG_LEVEL: 'info', SYNCLINE_LOG_FORMAT: 'json', SYNCLINE_MASTER_KEY: randomBytes(32).toString('hex') };

const engines: Array<ChildProcess | undefined> = STORE === 'postgres' ? [undefined, undefined] : [undefined];
async function startEngine(i: number): Promise<void> {
  const role = STORE === 'postgres' ? ['--role', 'worker'] : [];
  const child = spawn(process.execPath, ['bin/syncline.js', 'start', '--config', configFile, ...role], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  engines[i] = child;
  const last: string[] = []; // the engine's last lines, for the error when it does not start
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start in 240 s; its last lines:\n${last.join('\n')}`)), 240_000); // a restart at load 20+ on 2 cores
    for (const s of [child.stdout!, child.stderr!]) {
      createInterface({ input: s }).on('line', (l) => {
        last.push(l.slice(0, 500));
        if (last.length > 20) last.shift();
        if (l.includes('syncline started')) (clearTimeout(timer), resolve());
      });
    }
    child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`engine exited (${code ?? signal}) before it started; its last lines:\n${last.join('\n')}`))));
  });
}

const pgPool = STORE === 'postgres' ? new pg.Pool({ connectionString: pgUrl, max: 2 }) : undefined;
/** Rows of a read-only query on the store the engines use (SQLite: a reader beside the WAL writer). */
async function storeQuery<T>(sql: string): Promise<T[]> {
  if (pgPool) return (await pgPool.query(sql)).rows as T[];
  const db = new SqliteDatabase(path.join(dir, 'syncline.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Orders settled so far: delivered (a succeeded run) or dead-lettered. */
async function progress(): Promise<{ delivered: number; dead: number }> {
  try {
    const [d] = await storeQuery<{ n: number | string }>(`select count(distinct record_key) as n from runs where status = 'succeeded' and flow = 'xcart-order-to-sage300'`);
    const [x] = await storeQuery<{ n: number | string }>(`select count(*) as n from jobs where state = 'dead'`);
    return { delivered: Number(d?.n ?? 0), dead: Number(x?.n ?? 0) };
  } catch {
    return { delivered: 0, dead: 0 };
  }
}

let kills = 0;
const TOTAL = ORDERS + INVALID;
let finished = false;
async function dropPgDatabase(): Promise<void> {
  if (STORE !== 'postgres') return;
  await pgPool?.end().catch(() => undefined);
  const admin = new pg.Client({ connectionString: PG_SERVER });
  await admin.connect();
  await admin.query(`drop database if exists ${pgDb} with (force)`);
  await admin.end();
}
try {
  for (let i = 0; i < engines.length; i++) await startEngine(i);
  // Orders arrive over time (a tenth every 500 ms), so the kills land mid-flow; the invalid ones last.
  const placing = (async () => {
    const chunk = Math.max(1, Math.ceil(ORDERS / 10));
    for (let placed = 0; placed < ORDERS; placed += chunk) {
      const res = await request(`${xcart.url}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count: Math.min(chunk, ORDERS - placed) }), headers: { 'content-type': 'application/json' } });
      await res.body.dump();
      await sleep(500);
    }
    if (INVALID) {
      // A product the shop sells and Sage 300 has no item for: its orders cannot be delivered. Added
      // only now, so no valid order picks it as a random line.
      const shop = new XcartClient({ baseUrl: xcart.url, token: xcart.credentials.writeToken! } as never, { connection: 'chaos-setup' });
      await createProduct.call(shop, { sku: INVALID_SKU, name: 'Chaos: no Sage 300 item', price: '9.99', amount: 100_000 } as never);
      const r = await request(`${xcart.url}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count: INVALID, spec: { guest: true, lines: [{ sku: INVALID_SKU, qty: 1 }] } }), headers: { 'content-type': 'application/json' } });
      if (r.statusCode !== 200) throw new Error(`invalid orders: ${r.statusCode} ${await r.body.text()}`);
      await r.body.dump();
    }
  })();
  for (let k = 0; k < KILLS; k++) {
    // Mid-flow: once something more was delivered, at a random moment 0.2–1.5 s later.
    const before = (await progress()).delivered;
    for (let p = await progress(); p.delivered === before && p.delivered + p.dead < TOTAL; p = await progress()) await sleep(100);
    await sleep(200 + Math.random() * 1_300);
    const victim = Math.floor(Math.random() * engines.length);
    const engine = engines[victim]!;
    engine.kill('SIGKILL');
    kills++;
    const p = await progress();
    say(`kill ${kills}/${KILLS}: SIGKILL of ${STORE === 'postgres' ? `worker ${victim + 1} of 2` : 'the engine'} with ${p.delivered} delivered, ${p.dead} dead-lettered so far`);
    await new Promise((r) => (engine.exitCode !== null || engine.signalCode !== null ? r(null) : engine.once('exit', r)));
    await startEngine(victim);
  }
  await placing;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const p = await progress();
    if (p.delivered + p.dead >= TOTAL) break;
    if (Date.now() > deadline) throw new Error(`only ${p.delivered} delivered and ${p.dead} dead after 30 min`);
    await sleep(500);
  }
  finished = true;
} finally {
  await Promise.all(
    engines.map(async (engine) => {
      if (engine && engine.exitCode === null && engine.signalCode === null) {
        engine.kill('SIGTERM');
        await new Promise((r) => engine.once('exit', r));
      }
    }),
  );
  if (!finished) {
    xcart.child.kill('SIGTERM');
    sage.child.kill('SIGTERM');
    await dropPgDatabase();
  }
}

// The count goes over Sage 300's own API, with its faults off.
await request(`${sage.url}/__sandbox/faults`, { method: 'PUT', body: JSON.stringify({ rules: [] }), headers: { 'content-type': 'application/json' } }).then((r) => r.body.dump());
const client = new Sage300Client({ baseUrl: sage.url, company: sage.credentials.company!, user: sage.credentials.user!, password: sage.credentials.password! }, { connection: 'chaos-count' });
const orders = await client.list('countOrders', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), PurchaseOrderNumber: z.string() }), { select: ['OrderNumber', 'PurchaseOrderNumber'] });
const perReference = new Map<string, number>();
for (const o of orders) perReference.set(o.PurchaseOrderNumber, (perReference.get(o.PurchaseOrderNumber) ?? 0) + 1);
const { dead } = await progress();
const reasons = await storeQuery<{ last_error: string | null }>(`select last_error from jobs where state = 'dead'`);
// Only the deliberately invalid orders may be dead-lettered, each naming what is wrong with it.
const explained = reasons.filter((r) => {
  const e = r.last_error ? (JSON.parse(r.last_error) as { code: string; message: string }) : undefined;
  say(`dead letter: ${e ? `${e.code}: ${e.message}` : '(no reason!)'}`);
  return e?.code === 'MAPPING_INVALID' && e.message.includes(INVALID_SKU);
}).length;
const summary = {
  orders: TOTAL,
  erpRecords: perReference.size,
  lost: Math.max(0, TOTAL - perReference.size - dead),
  duplicated: [...perReference.values()].reduce((n, c) => n + (c - 1), 0),
  deadLettered: dead,
  invalid: INVALID,
  deadLetteredWithReason: explained,
  kills,
  store: STORE,
  workers: engines.length,
  seconds: Math.round((performance.now() - started) / 100) / 10,
};
xcart.child.kill('SIGTERM');
sage.child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
await dropPgDatabase();
console.log(JSON.stringify(summary));
process.exit(summary.lost === 0 && summary.duplicated === 0 && dead === INVALID && explained === INVALID ? 0 : 1);
