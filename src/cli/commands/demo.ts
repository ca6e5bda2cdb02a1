// `syncline demo`: the X-Cart and Sage 300 sandboxes, the engine and the server in one process, on
// the embedded SQLite store. Plain `npm start` keeps running with live traffic; `--orders N --exit
// --json` places N orders, waits until each is delivered or dead-lettered, and prints a summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { sql } from 'kysely';
import { parseConfig } from '../../config.js';
import { startSyncline, type Runtime } from '../../main.js';
import { start as startXcart, type XcartSandbox } from '../../sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import type { Sage300Client } from '../../connectors/sage300/index.js';
import { progressBar } from '../progress.js';
import { consoleSigninUrl } from '../../server/console/users.js';

export interface DemoOptions {
  orders: number;
  exit: boolean;
  port: number;
  dataDir?: string;
  timeoutMs?: number;
  /** Keep placing orders every this many ms while running (interactive demo only). */
  trickleMs?: number;
  quiet?: boolean;
}

export interface DemoSummary {
  orders: number;
  /** Orders placed in this run that Sage 300 holds, counted over its API (never from our own records). */
  delivered: number;
  deadLettered: number;
  duplicatesAbsorbed: number;
  /** Every order Sage 300 holds, over its API. */
  sage300Orders: number;
  /** Purchase-order numbers Sage 300 holds more than once (exactly-once broken if > 0). */
  sage300Duplicates: number;
  seconds: number;
}

export interface Demo {
  runtime: Runtime;
  xcart: XcartSandbox;
  sage300: Sage300Sandbox;
  adminToken: string;
  stop(): Promise<void>;
}

const UNLIMITED = { ratePerSec: 100_000, burst: 100_000 };

/** Starts sandboxes + engine + server. The sandboxes are local and answer at once, so the demo lifts the connectors' conservative default rate limits. */
export async function startDemo(opts: { port: number; dataDir: string; sandboxPorts?: { xcart: number; sage300: number } }): Promise<Demo> {
  // The poller's starting point (docs/configuration.md, "First start"): the demo's orders, none older.
  const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
  const xcart = await startXcart({ port: opts.sandboxPorts?.xcart ?? 0, seed: 1 });
  const sage300 = await startSage300({ port: opts.sandboxPorts?.sage300 ?? 0, seed: 1 });
  const config = parseConfig({
    dataDir: opts.dataDir,
    server: { port: opts.port },
    worker: { concurrency: 32, pollMs: 5 },
    connections: [
      { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, webhookSecret: 'demo-webhook-secret-0123456789', rateLimits: { listOrders: UNLIMITED, getOrder: UNLIMITED } },
      {
        id: 'sage300-main',
        system: 'sage300',
        config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password },
        rateLimits: { createOrder: UNLIMITED, findOrdersByReference: UNLIMITED, updateOrder: UNLIMITED, findCustomerByEmail: UNLIMITED, createCustomer: UNLIMITED, getItem: UNLIMITED },
      },
    ],
    flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 100, since }],
  });
  const runtime = await startSyncline(config, { listen: true });
  const adminToken = (await runtime.tokens.create('demo', 'admin')).token;
  return {
    runtime,
    xcart,
    sage300,
    adminToken,
    async stop() {
      await runtime.stop();
      await Promise.all([xcart.close(), sage300.close()]);
    },
  };
}

/**
 * Dead letters and duplicates absorbed by the inbox: the engine's own records (they exist nowhere
 * else). `linked` counts xref links — a cheap progress signal for benchmarks; what was delivered is
 * counted in the target (`targetCounts`), never here.
 */
export async function demoProgress(runtime: Runtime): Promise<{ linked: number; deadLettered: number; duplicatesAbsorbed: number }> {
  const db = runtime.store.db;
  const linked = await db.selectFrom('xref').select((eb) => eb.fn.countAll<number>().as('n')).where('a_system', '=', 'xcart').where('b_system', '=', 'sage300').executeTakeFirstOrThrow();
  const dead = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'dead').executeTakeFirstOrThrow();
  const dup = await sql<{ n: number | null }>`select sum(duplicates) as n from events`.execute(db);
  return { linked: Number(linked.n), deadLettered: Number(dead.n), duplicatesAbsorbed: Number(dup.rows[0]?.n ?? 0) };
}

/** Sage 300's orders, asked over its own API: what was delivered is what the target holds. */
export async function sage300Orders(client: Sage300Client): Promise<Array<{ OrderNumber: string; PurchaseOrderNumber?: string }>> {
  return client.list('countOrders', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), PurchaseOrderNumber: z.string().optional() }), { select: ['OrderNumber', 'PurchaseOrderNumber'] });
}

/** Counted by asking the Sage 300 sandbox over its own API, not our database. */
export async function countSage300Orders(client: Sage300Client): Promise<number> {
  return (await sage300Orders(client)).length;
}

/** How many of `placed` (X-Cart order numbers) Sage 300 holds, and how many references it holds twice. */
export async function targetCounts(client: Sage300Client, placed: Set<string>, prefix = ''): Promise<{ delivered: number; total: number; duplicates: number }> {
  const rows = await sage300Orders(client);
  const seen = new Map<string, number>();
  for (const r of rows) if (r.PurchaseOrderNumber) seen.set(r.PurchaseOrderNumber, (seen.get(r.PurchaseOrderNumber) ?? 0) + 1);
  let delivered = 0;
  for (const n of placed) if (seen.has(prefix + n)) delivered++;
  return { delivered, total: rows.length, duplicates: [...seen.values()].filter((c) => c > 1).length };
}

export async function runDemo(opts: DemoOptions): Promise<DemoSummary | undefined> {
  const tempDir = opts.exit && !opts.dataDir ? mkdtempSync(path.join(tmpdir(), 'syncline-demo-')) : undefined;
  const dataDir = opts.dataDir ?? tempDir ?? path.resolve('data/demo');
  // The sandboxes start empty each time: a store left from an earlier demo would hold cursors and
  // dedupe keys of orders that no longer exist.
  if (!opts.dataDir && !tempDir) rmSync(dataDir, { recursive: true, force: true });
  if (!opts.exit) return runBothPairs({ ...opts, dataDir });
  const demo = await startDemo({ port: opts.port, dataDir });
  const { runtime, xcart, sage300 } = demo;
  const erp = runtime.clients['sage300-main'] as Sage300Client;
  // While waiting, Sage 300's own count ($count) of the orders added since the start; listing every
  // order twice a second made 10,000 orders of garbage per look (issue 12). The summary lists once.
  const countOrders = () => erp.count('countOrders', 'OE', 'OEOrders');
  const before = await countOrders();
  const started = Date.now();
  const placed = new Set(xcart.storefront.placeOrders(opts.orders).map((o) => String(o.order_number)));
  const deadline = started + (opts.timeoutMs ?? 600_000);
  const bar = progressBar('orders in Sage 300', opts.orders, opts.quiet);
  let progress = await demoProgress(runtime);
  let added = (await countOrders()) - before;
  while (added + progress.deadLettered < opts.orders && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    progress = await demoProgress(runtime);
    added = (await countOrders()) - before;
    bar.update(added, { dead: progress.deadLettered });
  }
  bar.update(added, { dead: progress.deadLettered });
  bar.stop();
  const seconds = (Date.now() - started) / 1000;
  const target = await targetCounts(erp, placed);
  await demo.stop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  return {
    orders: opts.orders,
    delivered: target.delivered,
    deadLettered: progress.deadLettered,
    duplicatesAbsorbed: progress.duplicatesAbsorbed,
    sage300Orders: target.total,
    sage300Duplicates: target.duplicates,
    seconds: Math.round(seconds * 100) / 100,
  };
}

/**
 * `npm start`: both pairs side by side, each its own Syncline (engine, admin API, web console) on the
 * embedded SQLite store, each with every shipped flow of its pair and a steady stream of business:
 * one simulated minute of each pair's day (scenario.ts) every `minuteMs`, and for Amazon a
 * settlement every simulated hour. Runs until SIGINT/SIGTERM.
 */
async function runBothPairs(opts: DemoOptions & { dataDir: string; minuteMs?: number }): Promise<undefined> {
  const { startXcartSage300World, xcartSage300Day, xcartSimpleSkus, startAmazonX3World, amazonX3Day } = await import('./scenario.js');
  const { mkdirSync } = await import('node:fs');
  const dirs = { xcart: path.join(opts.dataDir, 'xcart-sage300'), amazon: path.join(opts.dataDir, 'amazon-x3') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  if (!opts.quiet) console.log('Starting the X-Cart ↔ Sage 300 and Amazon ↔ Sage X3 pairs (sandboxes, engines, consoles)…');
  const xw = await startXcartSage300World({ dataDir: dirs.xcart, port: opts.port, quiet: true, pollIntervalMs: 1000 });
  const aw = await startAmazonX3World({ dataDir: dirs.amazon, port: opts.port ? opts.port + 100 : 0, quiet: true, pollIntervalMs: 1000 });
  const xday = xcartSage300Day(xw, await xcartSimpleSkus(xw));
  const aday = amazonX3Day(aw);
  if (opts.orders > 0) xw.xcart.storefront.placeOrders(opts.orders);
  if (!opts.quiet) {
    console.log(`Syncline demo: both pairs running side by side (data in ${opts.dataDir}); one simulated minute of each every ${(opts.minuteMs ?? 2000) / 1000} s`);
    for (const [name, rt, systems] of [
      ['X-Cart ↔ Sage 300', xw.runtime, [`X-Cart      ${xw.xcart.url}/api/orders`, `Sage 300    ${xw.sage300.url}/Sage300WebApi/v1.0/-/${xw.sage300.credentials.company}/OE/OEOrders`]],
      ['Amazon ↔ Sage X3', aw.runtime, [`Amazon      ${aw.amazon.url}/orders/v0/orders`, `Sage X3     ${aw.x3.url} (SOAP, api1)`]],
    ] as const) {
      const token = (await rt.tokens.create('demo', 'admin')).token;
      console.log(`\n${name}: ${(name.startsWith('X') ? xw.flowIds : aw.flowIds).length} flows`);
      // At column 0: the line an operator (or a script) looks for is the one beginning "console".
      console.log(`console       ${await consoleSigninUrl(rt.store.db, rt.url)}  (${name}; signs in as admin; the link works once)`);
      console.log(`  admin API   ${rt.url}/api/  (Authorization: Bearer ${token})`);
      console.log(`  OpenAPI     ${rt.url}/api/docs/json`);
      console.log(`  metrics     ${rt.url}/metrics`);
      for (const line of systems) console.log(`  ${line}`);
    }
  }
  let minute = 0;
  let busy = false;
  const stream = setInterval(() => {
    if (busy) return;
    busy = true;
    const m = minute++;
    xday.minute(m);
    void aday
      .minute(m)
      .then(() => {
        if (m % 60 === 59) aday.market.closeSettlement();
      })
      .catch((e: unknown) => console.error(`demo stream: ${(e as Error).message}`))
      .finally(() => (busy = false));
  }, opts.minuteMs ?? 2000);
  const stop = async () => {
    clearInterval(stream);
    await Promise.all([xw.stop(), aw.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the X-Cart and Sage 300 sandboxes, the engine and the server in one process (SQLite)')
    .option('--orders <n>', 'orders to place in the X-Cart sandbox at start', '25')
    .option('--exit', 'wait until every order is delivered or dead-lettered, print a summary and exit')
    .option('--json', 'print the summary as one JSON object')
    .option('--port <port>', 'server port (default 4100; 0 with --exit)')
    .option('--data <dir>', 'data directory (default ./data/demo, wiped at start; a temporary one with --exit)')
    .option('--scenario <pair>', 'the whole cycle of a pair in scaled time (one simulated minute a second): xcart-sage300 or amazon-x3')
    .option('--minutes <m>', 'simulated minutes of activity for --scenario', '10')
    .option('--faults <json|file>', "with --scenario: the sandboxes' fault rules during the activity, e.g. '[{\"error5xx\":0.1},{\"rate429\":0.05}]'")
    .action(async (o: { orders: string; exit?: boolean; json?: boolean; port?: string; data?: string; scenario?: string; minutes: string; faults?: string }) => {
      if (o.scenario) {
        const minutes = Number(o.minutes);
        if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`--minutes must be a whole number ≥ 1, got ${o.minutes}`);
        const { readFileSync, existsSync } = await import('node:fs');
        const faults = o.faults ? (JSON.parse(existsSync(o.faults) ? readFileSync(o.faults, 'utf8') : o.faults) as unknown) : undefined;
        const rules = Array.isArray(faults) ? faults : (faults as { rules?: unknown[] } | undefined)?.rules;
        let summary: unknown;
        if (o.scenario === 'xcart-sage300') {
          const { runXcartSage300Scenario } = await import('./scenario.js');
          summary = await runXcartSage300Scenario({ minutes, ...(rules ? { faults: rules } : {}), quiet: true, onMinute: o.json ? undefined : (m) => process.stderr.write(`\rminute ${m}/${minutes}`) });
        } else if (o.scenario === 'amazon-x3') {
          const { runAmazonX3Scenario } = await import('./scenario.js');
          summary = await runAmazonX3Scenario({ minutes, ...(rules ? { faults: rules } : {}), quiet: true, onMinute: o.json ? undefined : (m) => process.stderr.write(`\rminute ${m}/${minutes}`) });
        } else throw new Error(`--scenario must be xcart-sage300 or amazon-x3, got ${o.scenario}`);
        if (o.json) console.log(JSON.stringify(summary));
        else console.log(JSON.stringify(summary, null, 2));
        const s = summary as { reconciliation: { differences: number } };
        process.exit(s.reconciliation.differences === 0 ? 0 : 1);
      }
      const orders = Number(o.orders);
      if (!Number.isInteger(orders) || orders < 0) throw new Error(`--orders must be a whole number ≥ 0, got ${o.orders}`);
      const summary = await runDemo({ orders, exit: Boolean(o.exit), port: o.port !== undefined ? Number(o.port) : o.exit ? 0 : 4100, dataDir: o.data, quiet: Boolean(o.json) });
      if (!summary) return;
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`orders ${summary.orders}: in Sage 300 ${summary.delivered}, dead-lettered ${summary.deadLettered}, duplicates absorbed ${summary.duplicatesAbsorbed}; Sage 300 holds ${summary.sage300Orders} orders (${summary.sage300Duplicates} references twice); ${summary.seconds} s`);
      process.exit(summary.delivered + summary.deadLettered === orders && summary.sage300Duplicates === 0 ? 0 : 1);
    });
}
