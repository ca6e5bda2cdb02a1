// `npm run chaos -- [--orders N] [--kills K] [--store sqlite] [--json]`: X-Cart → Sage 300 orders
// through the real order flow (`syncline start --config`, embedded SQLite) while Sage 300 injects
// faults — 10 % 5xx, 5 % 429 with Retry-After, 2 % timeouts, 1 % record locks — and the engine process
// is SIGKILLed at random moments and started again. The sandboxes run in their own processes, so
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
import { request } from 'undici';
import { z } from 'zod';
import { Sage300Client } from '../../src/connectors/sage300/client.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const ORDERS = Number(opt('orders', '1000'));
const KILLS = Number(opt('kills', '3'));
const STORE = opt('store', 'sqlite');
const JSON_OUT = args.includes('--json');
const root = path.resolve(import.meta.dirname, '../..');
const say = (s: string) => (JSON_OUT ? console.error(s) : console.log(s));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (STORE !== 'sqlite') {
  console.error('chaos: only --store sqlite is built so far (the PostgreSQL variant with two worker processes is not)');
  process.exit(2);
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
    worker: { concurrency: 16, leaseMs: 5_000 },
    connections: [
      { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: unlimited } },
      // A 2 s timeout: the injected timeouts resolve quickly (as unknown outcomes, looked up before a retry).
      { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage.url, ...sage.credentials, timeoutMs: 2_000 }, rateLimits: { createOrder: unlimited, findOrdersByReference: unlimited, getItem: unlimited } },
    ],
    flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 200 }],
  }),
);
const env = { ...process.env, SYNCLINE_LOG_LEVEL: 'info', SYNCLINE_LOG_FORMAT: 'json', SYNCLINE_MASTER_KEY: randomBytes(32).toString('hex') };

let engine: ChildProcess | undefined;
async function startEngine(): Promise<void> {
  const child = spawn(process.execPath, ['bin/syncline.js', 'start', '--config', configFile], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  engine = child;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('engine did not start in 90 s')), 90_000);
    for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => l.includes('syncline started') && (clearTimeout(timer), resolve()));
    child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`engine exited (${code ?? signal}) before it started`))));
  });
}

/** Orders settled so far, read from the store file beside the running engine (WAL allows a reader). */
function progress(): { delivered: number; dead: number } {
  try {
    const db = new SqliteDatabase(path.join(dir, 'syncline.db'), { readonly: true, fileMustExist: true });
    try {
      const delivered = (db.prepare(`select count(distinct record_key) as n from runs where status = 'succeeded'`).get() as { n: number }).n;
      const dead = (db.prepare(`select count(*) as n from jobs where state = 'dead'`).get() as { n: number }).n;
      return { delivered, dead };
    } finally {
      db.close();
    }
  } catch {
    return { delivered: 0, dead: 0 };
  }
}

let kills = 0;
try {
  await startEngine();
  // Orders arrive over time (a tenth every 500 ms), so the kills land mid-flow.
  const placing = (async () => {
    const chunk = Math.max(1, Math.ceil(ORDERS / 10));
    for (let placed = 0; placed < ORDERS; placed += chunk) {
      const res = await request(`${xcart.url}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count: Math.min(chunk, ORDERS - placed) }), headers: { 'content-type': 'application/json' } });
      await res.body.dump();
      await sleep(500);
    }
  })();
  for (let k = 0; k < KILLS; k++) {
    // Mid-flow: once this incarnation has delivered something, at a random moment 0.2–1.5 s later.
    const before = progress().delivered;
    while (progress().delivered === before && progress().delivered < ORDERS) await sleep(100);
    await sleep(200 + Math.random() * 1_300);
    engine!.kill('SIGKILL');
    kills++;
    const p = progress();
    say(`kill ${kills}/${KILLS}: SIGKILL with ${p.delivered} delivered, ${p.dead} dead-lettered so far`);
    await new Promise((r) => (engine!.exitCode !== null || engine!.signalCode !== null ? r(null) : engine!.once('exit', r)));
    await startEngine();
  }
  await placing;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const p = progress();
    if (p.delivered + p.dead >= ORDERS) break;
    if (Date.now() > deadline) throw new Error(`only ${p.delivered} delivered and ${p.dead} dead after 30 min`);
    await sleep(500);
  }
} finally {
  if (engine && engine.exitCode === null) {
    engine.kill('SIGTERM');
    await new Promise((r) => engine!.once('exit', r));
  }
}

// The count goes over Sage 300's own API, with its faults off.
await request(`${sage.url}/__sandbox/faults`, { method: 'PUT', body: JSON.stringify({ rules: [] }), headers: { 'content-type': 'application/json' } }).then((r) => r.body.dump());
const client = new Sage300Client({ baseUrl: sage.url, company: sage.credentials.company!, user: sage.credentials.user!, password: sage.credentials.password! }, { connection: 'chaos-count' });
const orders = await client.list('countOrders', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), PurchaseOrderNumber: z.string() }), { select: ['OrderNumber', 'PurchaseOrderNumber'] });
const perReference = new Map<string, number>();
for (const o of orders) perReference.set(o.PurchaseOrderNumber, (perReference.get(o.PurchaseOrderNumber) ?? 0) + 1);
const { dead } = progress();
const deadDb = new SqliteDatabase(path.join(dir, 'syncline.db'), { readonly: true });
const reasons = deadDb.prepare(`select last_error from jobs where state = 'dead'`).all() as Array<{ last_error: string | null }>;
deadDb.close();
for (const r of reasons) say(`dead letter: ${r.last_error ? (JSON.parse(r.last_error) as { code: string; message: string }).code : '(no reason!)'}`);
const summary = {
  orders: ORDERS,
  erpRecords: perReference.size,
  lost: Math.max(0, ORDERS - perReference.size - dead),
  duplicated: [...perReference.values()].reduce((n, c) => n + (c - 1), 0),
  deadLettered: dead,
  kills,
  seconds: Math.round((performance.now() - started) / 100) / 10,
};
xcart.child.kill('SIGTERM');
sage.child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(summary));
process.exit(summary.lost === 0 && summary.duplicated === 0 && reasons.every((r) => r.last_error) ? 0 : 1);
