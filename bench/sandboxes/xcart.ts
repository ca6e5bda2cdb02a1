// X-Cart sandbox throughput with faults off, and the order poller over 100,000 orders.
// The sandbox runs in its own process (`syncline sandbox xcart`), the load comes from this one over
// loopback keep-alive connections, so the figures are the sandbox's, not shared with the client.
// `npm run bench -- sandboxes` (BENCH_MS sets the length of each throughput run, default 2,000 ms).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Figure } from '../run.js';
import { median } from '../support/stats.js';
import { createOrderPoller, xcartConnector } from '../../src/connectors/xcart/index.js';
import { start as startInProcess } from '../../src/sandboxes/xcart/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 2_000);
const CONCURRENCY = 64;
const ORDERS = 100_000;
const CHANGED = 100;
const here = path.dirname(fileURLToPath(import.meta.url));

async function startChild(): Promise<{ child: ChildProcess; url: string; read: string; write: string }> {
  const child = spawn(process.execPath, [path.join(here, '../../bin/syncline.js'), 'sandbox', 'xcart', '--port', '0', '--json', '--credentials', '{"readToken":"bench-r","writeToken":"bench-w"}'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`xcart sandbox exited with ${code}`)));
  });
  const info = JSON.parse(line) as { url: string };
  return { child, url: info.url, read: 'bench-r', write: 'bench-w' };
}

/** CPU seconds the sandbox process has used (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function measure(pool: Pool, pid: number, durationMs: number, make: (i: number) => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string }, expect: number) {
  const cpu0 = cpuSeconds(pid);
  let done = 0;
  let failed = 0;
  let i = 0;
  const until = Date.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) {
      const r = make(i++);
      const res = await pool.request({ method: r.method, path: r.path, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
      await res.body.dump();
      if (res.statusCode === expect) done++;
      else failed++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  if (failed) throw new Error(`${failed} requests failed during the benchmark`);
  return { wall: Math.round(done / secs), perCpu: cpu > 0 ? Math.round(done / cpu) : 0, done };
}

/** Order placement without HTTP: what the storefront simulation itself costs. */
async function placementsPerSecond(): Promise<number> {
  const local = await startInProcess({ seed: 2 });
  try {
    local.storefront.placeOrders(5_000, { paid: true }); // warm-up
    const t0 = performance.now();
    local.storefront.placeOrders(20_000, { paid: true });
    return Math.round(20_000 / ((performance.now() - t0) / 1000));
  } finally {
    await local.close();
  }
}

export default async function bench(): Promise<Figure[]> {
  const inProcess = await placementsPerSecond();
  const sb = await startChild();
  const pool = new Pool(sb.url, { connections: 16, pipelining: 4 });
  const post = async (p: string, body: unknown) => {
    const res = await pool.request({ method: 'POST', path: p, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.body.json()) as Record<string, unknown>;
    if (res.statusCode >= 300) throw new Error(`${p}: ${res.statusCode} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    await post('/__sandbox/storefront/orders/bulk', { count: 1_000, spec: { paid: true } });
    const read = { 'x-auth-token': sb.read, accept: 'application/json' };
    const get = (i: number) => ({ method: 'GET' as const, path: `/api/orders/${1 + (i % 1_000)}`, headers: read });
    // Warm-ups: the first seconds of a fresh process run cold code (tsx-compiled, not yet JIT-ed)
    // at a fraction of its speed; a sandbox serving a test run is warm.
    const create = () => ({ method: 'POST' as const, path: '/__sandbox/storefront/orders', headers: { 'content-type': 'application/json' }, body: '{"paid":true}' });
    await measure(pool, sb.child.pid!, 1_500, get, 200);
    const gets = await measure(pool, sb.child.pid!, DURATION_MS, get, 200);
    const warm = await measure(pool, sb.child.pid!, 1_000, create, 201);
    const creates = await measure(pool, sb.child.pid!, DURATION_MS, create, 201);

    // Poller: top the store up to 100,000 orders, take a watermark, change 100, time one poll.
    const clock = async () => ((await (await pool.request({ method: 'GET', path: '/__sandbox/clock' })).body.json()) as { now: number }).now;
    const have = 1_000 + warm.done + creates.done;
    for (let left = ORDERS - have; left > 0; left -= 20_000) await post('/__sandbox/storefront/orders/bulk', { count: Math.min(20_000, left), spec: { paid: false } });
    await post('/__sandbox/clock/advance', { seconds: 5 });
    const client = xcartConnector.createClient({ baseUrl: sb.url, token: sb.read }, { connection: 'bench-xcart' });
    const poller = createOrderPoller(client, { id: 'bench:orders', since: await clock() });
    let cursor = (await poller.poll(null)).cursor;
    // Five rounds: 100 orders change (spread over the store), one poll must find exactly those.
    // The first round runs with a cold JIT; a live poller is warm, so the median is the figure.
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      await post('/__sandbox/clock/advance', { seconds: 2 });
      for (let k = 0; k < CHANGED; k++) await post(`/__sandbox/storefront/orders/${1 + ((k * 997 + round * 31) % ORDERS)}/notes`, { notes: `bench ${round}.${k}` });
      const t0 = performance.now();
      const res = await poller.poll(cursor);
      times.push(performance.now() - t0);
      cursor = res.cursor;
      if (res.events.length !== CHANGED) throw new Error(`poller found ${res.events.length} changes, expected ${CHANGED}`);
    }
    return [
      { name: 'xcart: simple GETs (order by id), separate process', value: gets.wall, unit: 'req/s', target: '>= 5000' },
      { name: 'xcart: simple GETs per sandbox CPU-second', value: gets.perCpu, unit: 'req/cpu-s' },
      { name: 'xcart: order creates (storefront, HTTP)', value: creates.wall, unit: 'req/s', target: '>= 2000' },
      { name: 'xcart: order creates per sandbox CPU-second', value: creates.perCpu, unit: 'req/cpu-s' },
      { name: 'xcart: order placements in process (no HTTP)', value: inProcess, unit: 'orders/s' },
      { name: `xcart: poller finds ${CHANGED} changed of ${ORDERS} orders (median of 5)`, value: Math.round(median(times)), unit: 'ms', target: '< 1000' },
      { name: `xcart: poller, first round (cold JIT)`, value: Math.round(times[0]!), unit: 'ms' },
    ];
  } finally {
    await pool.close();
    sb.child.kill('SIGTERM');
  }
}
