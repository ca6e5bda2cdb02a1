// Sage 300 sandbox throughput with faults off: simple keyed GETs and order creates per second, over
// loopback HTTP with keep-alive, client and sandbox in one process (so the figures are a floor).
// `npm run bench -- sandboxes`
import { Pool } from 'undici';
import type { Figure } from '../run.js';
import { start } from '../../src/sandboxes/sage300/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 2_000);
const CONCURRENCY = 32;

/** Requests per wall-clock second, and per CPU-second of this process (client and sandbox together). */
async function measure(pool: Pool, durationMs: number, make: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string }, expect: number): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  let done = 0;
  let failed = 0;
  let i = 0;
  const until = Date.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) {
      const r = make(i++);
      const res = await pool.request({ method: r.method, path: r.path, headers, ...(r.body ? { body: r.body } : {}) });
      await res.body.dump();
      if (res.statusCode === expect) done++;
      else failed++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (failed) throw new Error(`${failed} requests failed during the benchmark`);
  return { wall: Math.round(done / secs), cpu: Math.round(done / ((cpu.user + cpu.system) / 1e6)) };
}

let headers: Record<string, string> = {};

export default async function bench(): Promise<Figure[]> {
  const sb = await start({ seed: 1 });
  headers = { authorization: `Basic ${Buffer.from(`${sb.credentials.user}:${sb.credentials.password}`).toString('base64')}`, 'content-type': 'application/json' };
  const pool = new Pool(sb.url, { connections: 16, pipelining: 1 });
  const base = `/Sage300WebApi/v1.0/-/${sb.credentials.company}`;
  const customers = sb.company.customers.table.rows().map((r) => String(r.CustomerNumber)).filter((c) => c.startsWith('C'));
  const items = sb.company.items.table.rows().map((r) => String(r.ItemNumber));
  try {
    // Warm up JIT and keep-alive connections.
    await measure(pool, 300, (i) => ({ method: 'GET', path: `${base}/AR/ARCustomers('${customers[i % customers.length]}')` }), 200);
    const gets = await measure(pool, DURATION_MS, (i) => ({ method: 'GET', path: `${base}/AR/ARCustomers('${customers[i % customers.length]}')` }), 200);
    const creates = await measure(pool, DURATION_MS, (i) => ({
      method: 'POST',
      path: `${base}/OE/OEOrders`,
      body: JSON.stringify({
        CustomerNumber: sb.webCustomer, PurchaseOrderNumber: `BENCH-${i}`, OrderReference: `bench ${i}`,
        OrderDetails: [
          { LineType: 'Item', Item: items[i % items.length], Location: '1', QuantityOrdered: 1 },
          { LineType: 'Item', Item: items[(i * 7) % items.length], Location: '2', QuantityOrdered: 2 },
          { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: 5.95 },
        ],
      }),
    }), 201);
    const lookups = await measure(pool, Math.min(DURATION_MS, 1_000), (i) => ({ method: 'GET', path: `${base}/OE/OEOrders?$filter=${encodeURIComponent(`PurchaseOrderNumber eq 'BENCH-${i}'`)}&$select=OrderUniquifier` }), 200);
    // The CPU figure is what one free core would do: on a loaded shared machine the wall figure is lower.
    return [
      { name: 'sage300: simple GETs (customer by key)', value: gets.wall, unit: 'req/s', target: '>= 5000' },
      { name: 'sage300: simple GETs per CPU-second (client+sandbox)', value: gets.cpu, unit: 'req/cpu-s' },
      { name: 'sage300: order creates (2 items + misc charge)', value: creates.wall, unit: 'req/s', target: '>= 2000' },
      { name: 'sage300: order creates per CPU-second (client+sandbox)', value: creates.cpu, unit: 'req/cpu-s' },
      { name: `sage300: order lookups by PO over ${sb.backOffice.countOrders()} orders`, value: lookups.wall, unit: 'req/s' },
    ];
  } finally {
    await pool.close();
    await sb.close();
  }
}
