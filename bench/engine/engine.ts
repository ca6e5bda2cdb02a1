// The engine's hot path (issue 12): X-Cart orders polled, mapped, validated and created in Sage 300,
// the sandboxes each in their own process, the engine alone in this one on the embedded SQLite store
// (payloads sealed, as `syncline start` runs it). Figures: engine CPU per order, orders/s, SQL
// statements per delivered order (every statement SQLite runs for this process, counted at the driver,
// the bench's own progress queries excluded) and the peak RSS of `syncline demo --orders 10000 --exit`
// without any heap flag.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { request } from 'undici';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import type { Figure } from '../run.js';
import { median } from '../support/stats.js';
import { sandboxProcess } from './skeleton.js';

const ORDERS = Number(process.env.BENCH_ENGINE_ORDERS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_MS = 3_000;
const root = path.resolve(import.meta.dirname, '../..');

/** Every statement better-sqlite3 executes in this process (Kysely runs each through one of these). */
const statements = { counting: false, n: 0 };
/** BENCH_SQL_PROFILE=1: time and count per SQL text, printed to stderr after each run (to find what costs). */
const sqlProfile = process.env.BENCH_SQL_PROFILE ? new Map<string, { n: number; ms: number }>() : undefined;
{
  const probe = new SqliteDatabase(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!statements.counting) return original.apply(this, args);
      statements.n++;
      if (!sqlProfile) return original.apply(this, args);
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const e = sqlProfile.get(this.source) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t0;
        sqlProfile.set(this.source, e);
      }
    };
  }
}

export interface EngineRun {
  perSec: number;
  cpuUsPerOrder: number;
  /** Of cpuUsPerOrder, what the engine would have burnt idle over the run's duration. */
  idleUsPerOrder: number;
  statementsPerOrder: number;
}

/**
 * BENCH_CPU_PROFILE=DIR: a V8 CPU profile of this thread over the measured run and the idle window
 * after it (start-up excluded), written to DIR for DevTools or any .cpuprofile reader.
 */
async function startProfile(): Promise<{ stop(): Promise<void> } | undefined> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path.join(dir, `engine-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

export interface EngineRunOptions {
  /** Orders delivered before the measurement starts (steady state: compiled code warm). */
  warmup?: number;
  /** Runs once the engine is up, before any order (e.g. order-format installs the closure flow). */
  prepare?: (runtime: Runtime) => Promise<void>;
  /** Runs after the measured orders, before the engine stops (e.g. checks which flow ran them). */
  verify?: (runtime: Runtime) => Promise<void>;
}

export async function engineRun(orders = ORDERS, opts: EngineRunOptions = {}): Promise<EngineRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-engine-'));
  const [xcart, sage] = await Promise.all([sandboxProcess('xcart'), sandboxProcess('sage300')]);
  const unlimited = { ratePerSec: 100_000, burst: 100_000 };
  process.env.SYNCLINE_LOG_LEVEL ??= 'warn';
  const runtime = await startSyncline(
    parseConfig({
      dataDir: dir,
      server: { port: 0 },
      worker: { concurrency: 32 },
      connections: [
        { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: unlimited } },
        // Every Sage 300 operation the flow calls is unlimited: the connector's defaults (createCustomer
        // 5/s, getItem and findCustomerByEmail 20/s) left the engine waiting, and idle time's CPU was
        // then charged to each order.
        { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage.url, ...sage.credentials }, rateLimits: Object.fromEntries(['findCustomerByEmail', 'createCustomer', 'getItem', 'createOrder', 'findOrdersByReference'].map((op) => [op, unlimited])) },
      ],
      // Risk holds off: the sandbox's random orders are not a shop's real mix, and the bench measures deliveries.
      flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 100, options: { riskHold: false } }],
    }),
    { listen: false },
  );
  try {
    await opts.prepare?.(runtime);
    // Progress is read on a connection of its own, synchronously, and during the measured run its CPU
    // is taken out of the engine's: the bench's own counting is not the engine's work.
    const progressDb = new SqliteDatabase(path.join(dir, 'syncline.db'), { readonly: true });
    const countLinked = progressDb.prepare(`select count(*) as n from xref where a_system = 'xcart' and b_system = 'sage300' and b_entity = 'oe-order'`);
    const countDead = progressDb.prepare(`select count(*) as n from jobs where state = 'dead'`);
    const warmup = opts.warmup ?? 0;
    if (warmup > 0) {
      await placeOrders(xcart.url, warmup);
      while ((countLinked.get() as { n: number }).n < warmup) await new Promise((r) => setTimeout(r, 100));
    }
    // What the engine burns with nothing to do (pollers, lease and queue timers, metrics), per second,
    // measured before the orders come: part of every order's figure below, reported beside it, so
    // a run the machine's load slows down shows how much of its figure is waiting.
    await new Promise((r) => setTimeout(r, 1_000));
    const idle0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = process.cpuUsage(idle0);
    await placeOrders(xcart.url, orders);
    let benchCpuUs = 0;
    const readProgress = () => {
      const c0 = process.cpuUsage();
      const p = { linked: (countLinked.get() as { n: number }).n, deadLettered: (countDead.get() as { n: number }).n };
      const c = process.cpuUsage(c0);
      benchCpuUs += c.user + c.system;
      return p;
    };
    statements.n = 0;
    statements.counting = true;
    const profile = await startProfile();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let progress;
    for (;;) {
      statements.counting = false;
      progress = readProgress();
      statements.counting = true;
      if (progress.linked + progress.deadLettered >= warmup + orders) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    statements.counting = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await profile?.stop();
    progressDb.close();
    if (sqlProfile) {
      for (const [source, { n, ms }] of [...sqlProfile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.error(`${ms.toFixed(0).padStart(7)} ms ${String(n).padStart(7)}× ${source.replace(/\s+/g, ' ').slice(0, 160)}`);
      sqlProfile.clear();
    }
    if (progress.deadLettered) {
      const [dead] = await runtime.engine.queue.list({ state: 'dead', limit: 1 });
      throw new Error(`${progress.deadLettered} orders dead-lettered (the bench measures deliveries), e.g. ${JSON.stringify(dead?.lastError)}`);
    }
    await opts.verify?.(runtime);
    const idleUsPerSec = (idle.user + idle.system) / (IDLE_MS / 1000);
    return { perSec: orders / seconds, cpuUsPerOrder: (cpu.user + cpu.system - benchCpuUs) / orders, idleUsPerOrder: (idleUsPerSec * seconds) / orders, statementsPerOrder: statements.n / (progress.linked - warmup) };
  } finally {
    await runtime.stop();
    xcart.child.kill('SIGTERM');
    sage.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function placeOrders(xcartUrl: string, count: number): Promise<void> {
  const res = await request(`${xcartUrl}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count }), headers: { 'content-type': 'application/json' } });
  await res.body.json();
}

/** Peak resident set (MB) of the whole demo (engine and both sandboxes in one process), no heap flag. */
export async function demoPeakRssMb(orders = 10_000): Promise<number> {
  const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, 'bin/syncline.js', 'demo', '--orders', String(orders), '--exit', '--json'], {
    cwd: root,
    env: { ...process.env, SYNCLINE_LOG_LEVEL: 'error', NODE_OPTIONS: '' },
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]) / 1024;
}

export default async function (): Promise<Figure[]> {
  const runs: EngineRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await engineRun());
  const rss = await demoPeakRssMb();
  return [
    { name: `engine CPU per order (sandboxes in their own processes; median of ${RUNS})`, value: median(runs.map((r) => r.cpuUsPerOrder)), unit: 'µs', target: '<= 400' },
    { name: `  of which idle background over the run (measured idle CPU/s × run time)`, value: median(runs.map((r) => r.idleUsPerOrder)), unit: 'µs' },
    { name: `engine orders/s end to end, ${ORDERS} orders`, value: median(runs.map((r) => r.perSec)), unit: 'orders/s' },
    { name: 'engine SQL statements per delivered order (counted)', value: median(runs.map((r) => r.statementsPerOrder)), unit: 'stmts', target: '<= 3' },
    { name: 'demo --orders 10000 --exit, peak RSS, no heap flag', value: rss, unit: 'MB', target: '< 250' },
  ];
}
