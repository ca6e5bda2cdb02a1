// Sage 300 sandbox throughput with faults off: simple keyed GETs and order creates per second over
// loopback HTTP with keep-alive. The load comes from a separate process, so the sandbox shares
// neither its event loop nor its CPU account with the client; besides the wall-clock rate, the
// "per CPU-second" figure divides the requests by the CPU time the sandbox process used, which is
// what one free core would serve (on a shared, loaded machine the wall figure is lower).
// `npm run bench -- sandboxes`
import { spawn } from 'node:child_process';
import type { Figure } from '../run.js';
import { start } from '../../src/sandboxes/sage300/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3_000);
const CONCURRENCY = 32;

// Plain CommonJS so the worker needs no TypeScript loader.
const LOAD = `
const workerData = JSON.parse(process.env.SAGE300_BENCH);
const { Pool } = require('undici');
const { url, headers, durationMs, kind, base, customers, items, concurrency, expect } = workerData;
const pool = new Pool(url, { connections: 16 });
let i = 0, done = 0, failed = 0;
function make(n) {
  if (kind === 'get') return { method: 'GET', path: base + "/AR/ARCustomers('" + customers[n % customers.length] + "')" };
  if (kind === 'lookup') return { method: 'GET', path: base + '/OE/OEOrders?$filter=' + encodeURIComponent("PurchaseOrderNumber eq 'BENCH-" + n + "'") + '&$select=OrderUniquifier' };
  return { method: 'POST', path: base + '/OE/OEOrders', body: JSON.stringify({
    CustomerNumber: 'WEBCUST', PurchaseOrderNumber: 'BENCH-' + n, OrderReference: 'bench ' + n,
    OrderDetails: [
      { LineType: 'Item', Item: items[n % items.length], Location: '1', QuantityOrdered: 1 },
      { LineType: 'Item', Item: items[(n * 7) % items.length], Location: '2', QuantityOrdered: 2 },
      { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: 5.95 },
    ] }) };
}
(async () => {
  const until = Date.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      const r = make(i++);
      const res = await pool.request({ method: r.method, path: r.path, headers, body: r.body });
      await res.body.dump();
      if (res.statusCode === expect) done++; else failed++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  process.stdout.write(JSON.stringify({ done, failed, secs }));
})().catch((e) => process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) })));
`;

interface Run { wall: number; capacity: number }


async function load(data: Record<string, unknown>): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const result = await new Promise<{ done: number; failed: number; secs: number; error?: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD], { cwd: process.cwd(), env: { ...process.env, SAGE300_BENCH: JSON.stringify(data) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve(JSON.parse(out) as { done: number; failed: number; secs: number; error?: string });
      } catch {
        reject(new Error(`load process said: ${out.slice(0, 300)}`));
      }
    });
  });
  const cpu = process.cpuUsage(cpu0);
  if (result.error) throw new Error(result.error);
  if (result.failed) throw new Error(`${result.failed} requests failed during the benchmark`);
  return { wall: Math.round(result.done / result.secs), capacity: Math.round(result.done / ((cpu.user + cpu.system) / 1e6)) };
}

export default async function bench(): Promise<Figure[]> {
  const sb = await start({ seed: 1 });
  const base = `/Sage300WebApi/v1.0/-/${sb.credentials.company}`;
  const common = {
    url: sb.url, base, concurrency: CONCURRENCY,
    headers: { authorization: `Basic ${Buffer.from(`${sb.credentials.user}:${sb.credentials.password}`).toString('base64')}`, 'content-type': 'application/json' },
    customers: sb.company.customers.table.rows().map((r) => String(r.CustomerNumber)).filter((c) => c.startsWith('C')),
    items: sb.company.items.table.rows().filter((r) => r.StructureCode === 'CSC').map((r) => String(r.ItemNumber)),
  };
  try {
    await load({ ...common, kind: 'get', durationMs: 500, expect: 200 }); // warm-up: JIT, keep-alive
    const gets = await load({ ...common, kind: 'get', durationMs: DURATION_MS, expect: 200 });
    const creates = await load({ ...common, kind: 'create', durationMs: DURATION_MS, expect: 201 });
    const orders = sb.backOffice.countOrders();
    const lookups = await load({ ...common, kind: 'lookup', durationMs: Math.min(DURATION_MS, 1_000), expect: 200 });
    return [
      { name: 'sage300: simple GETs (customer by key), wall clock', value: gets.wall, unit: 'req/s', target: '>= 5000' },
      { name: 'sage300: simple GETs per CPU-second of the sandbox', value: gets.capacity, unit: 'req/s', target: '>= 5000' },
      { name: 'sage300: order creates (2 items + charge), wall clock', value: creates.wall, unit: 'req/s', target: '>= 2000' },
      { name: 'sage300: order creates per CPU-second of the sandbox', value: creates.capacity, unit: 'req/s', target: '>= 2000' },
      { name: `sage300: order lookups by PO over ${orders} orders, wall clock`, value: lookups.wall, unit: 'req/s' },
    ];
  } finally {
    await sb.close();
  }
}
