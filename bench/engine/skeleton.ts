// The walking skeleton end to end: orders placed in the X-Cart sandbox, polled, mapped, validated and
// created in the Sage 300 sandbox (both at zero latency, faults off), on the embedded SQLite store.
// Also: peak RSS of `syncline demo --orders 10000 --exit`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { parseConfig } from '../../src/config.js';
import { startSyncline } from '../../src/main.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { demoProgress, startDemo } from '../../src/cli/commands/demo.js';
import type { Figure } from '../run.js';
import { median, percentile } from '../support/stats.js';

const ORDERS = Number(process.env.BENCH_SKELETON_ORDERS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = path.resolve(import.meta.dirname, '../..');

async function once(): Promise<{ perSec: number; p50: number; p99: number; cpuMsPerOrder: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-e2e-'));
  process.env.SYNCLINE_LOG_LEVEL ??= 'warn';
  const demo = await startDemo({ port: 0, dataDir: dir });
  try {
    const placedAt = new Map<string, number>();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const wall0 = Date.now();
    for (const o of demo.xcart.storefront.placeOrders(ORDERS)) placedAt.set(String(o.id), Date.now());
    for (;;) {
      const p = await demoProgress(demo.runtime);
      if (p.linked + p.deadLettered >= ORDERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const runs = await demo.runtime.store.db.selectFrom('runs').select(['record_key', 'finished_at']).where('status', '=', 'succeeded').execute();
    const latencies = runs.map((r) => Number(r.finished_at) - (placedAt.get(r.record_key.split(':')[2]!) ?? wall0));
    return { perSec: ORDERS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMsPerOrder: (cpu.user + cpu.system) / 1000 / ORDERS };
  } finally {
    await demo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A sandbox in its own process (`syncline sandbox NAME --port 0 --json`), as the real systems are. */
export async function sandboxProcess(name: string): Promise<{ child: ChildProcess; url: string; credentials: Record<string, string> }> {
  const child = spawn(process.execPath, ['bin/syncline.js', 'sandbox', name, '--port', '0', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox ${name} exited (${code})`)));
  });
  const { url, credentials } = JSON.parse(line) as { url: string; credentials: Record<string, string> };
  return { child, url, credentials };
}

/** The engine alone in this process; X-Cart and Sage 300 sandboxes each in their own. */
/**
 * With `rate`, orders arrive at that steady rate (a bulk of rate/10 every 100 ms) instead of as one
 * backlog, so latency is the pipeline's own, not the time spent queueing behind the backlog.
 */
export async function separateProcesses(rate?: number): Promise<{ perSec: number; p50: number; p99: number; cpuMsPerOrder: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-sep-'));
  const [xcart, sage] = await Promise.all([sandboxProcess('xcart'), sandboxProcess('sage300')]);
  const unlimited = { ratePerSec: 100_000, burst: 100_000 };
  const runtime = await startSyncline(
    parseConfig({
      dataDir: dir,
      server: { port: 0 },
      worker: { concurrency: 32, pollMs: 5 },
      connections: [
        { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: unlimited } },
        { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage.url, ...sage.credentials }, rateLimits: { createOrder: unlimited, findOrdersByReference: unlimited } },
      ],
      flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 100 }],
    }),
    { listen: false },
  );
  try {
    const cpu0 = process.cpuUsage();
    const wall0 = Date.now();
    const t0 = performance.now();
    // Order id → when it was placed (ids are consecutive within one bulk call).
    const placedAt: Array<[number, number, number]> = [];
    const bulk = async (count: number) => {
      const at = Date.now();
      const res = await request(`${xcart.url}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count }), headers: { 'content-type': 'application/json' } });
      const { firstId, lastId } = (await res.body.json()) as { firstId: number; lastId: number };
      placedAt.push([firstId, lastId, at]);
    };
    if (rate === undefined) await bulk(ORDERS);
    else {
      const perTick = Math.max(1, Math.round(rate / 10));
      for (let placed = 0; placed < ORDERS; placed += perTick) {
        const tick = Date.now();
        await bulk(Math.min(perTick, ORDERS - placed));
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
      }
    }
    for (;;) {
      const p = await demoProgress(runtime);
      if (p.linked + p.deadLettered >= ORDERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const runs = await runtime.store.db.selectFrom('runs').select(['record_key', 'finished_at']).where('status', '=', 'succeeded').execute();
    const placed = (id: number) => placedAt.find(([a, b]) => id >= a && id <= b)?.[2] ?? wall0;
    const latencies = runs.map((r) => Number(r.finished_at) - placed(Number(r.record_key.split(':')[2])));
    return { perSec: ORDERS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMsPerOrder: (cpu.user + cpu.system) / 1000 / ORDERS };
  } finally {
    await runtime.stop();
    xcart.child.kill('SIGTERM');
    sage.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function demoPeakRssMb(orders: number): Promise<number> {
  // GNU time reports the child's peak resident set (kB) on stderr.
  const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, '--max-old-space-size=256', 'bin/syncline.js', 'demo', '--orders', String(orders), '--exit', '--json'], {
    cwd: root,
    env: { ...process.env, SYNCLINE_LOG_LEVEL: 'error' },
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const kb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]);
  return kb / 1024;
}

export default async function (): Promise<Figure[]> {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await once());
  const separate = [];
  for (let i = 0; i < RUNS; i++) separate.push(await separateProcesses());
  const STEADY = Number(process.env.BENCH_SKELETON_RATE ?? 200);
  const steady = [];
  for (let i = 0; i < RUNS; i++) steady.push(await separateProcesses(STEADY));
  const rss = await demoPeakRssMb(10_000);
  return [
    { name: `skeleton X-Cart → Sage 300, ${ORDERS} orders (median of ${RUNS})`, value: median(results.map((r) => r.perSec)), unit: 'orders/s', target: '>= 1000' },
    { name: 'skeleton latency order placed → Sage 300 order, p50', value: median(results.map((r) => r.p50)), unit: 'ms' },
    { name: 'skeleton latency order placed → Sage 300 order, p99', value: median(results.map((r) => r.p99)), unit: 'ms' },
    { name: 'skeleton CPU per order (engine + both sandboxes, one process)', value: median(results.map((r) => r.cpuMsPerOrder)), unit: 'ms' },
    { name: `skeleton, sandboxes in their own processes, ${ORDERS} orders (median of ${RUNS})`, value: median(separate.map((r) => r.perSec)), unit: 'orders/s', target: '>= 1000' },
    { name: 'skeleton (own processes) latency, backlog placed at once, p50', value: median(separate.map((r) => r.p50)), unit: 'ms' },
    { name: 'skeleton (own processes) latency, backlog placed at once, p99', value: median(separate.map((r) => r.p99)), unit: 'ms' },
    { name: `skeleton (own processes) at a steady ${STEADY} orders/s: latency p50`, value: median(steady.map((r) => r.p50)), unit: 'ms' },
    { name: `skeleton (own processes) at a steady ${STEADY} orders/s: latency p99`, value: median(steady.map((r) => r.p99)), unit: 'ms' },
    { name: 'skeleton (own processes) engine CPU per order', value: median(separate.map((r) => r.cpuMsPerOrder)), unit: 'ms' },
    { name: 'demo --orders 10000 --exit, peak RSS', value: rss, unit: 'MB', target: '< 400' },
  ];
}
