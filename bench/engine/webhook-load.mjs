// Load generator for bench/engine/webhook.ts, run as a SEPARATE process so the server's event loop
// and the client's do not share a thread. Sends `total` distinct signed events (or stops after
// `maxMs`) with `concurrency` requests in flight over keep-alive connections; prints one JSON line.
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';

const { url, secret, connection, total, concurrency, warmup, maxMs, runId } = JSON.parse(process.argv[2]);

// Bodies and signatures are made before the clock starts: the figure is the server's, not ours.
const makeRequest = (i) => {
  const body = JSON.stringify({
    system: 'benchshop',
    entity: 'order',
    id: `${runId}-${i}`,
    version: '2026-11-22T10:00:00Z',
    payload: { orderNumber: String(100000 + i), total: '129.90', currency: 'USD', items: [{ sku: 'ACME-1001-BLK', amount: 2, price: '49.95' }, { sku: 'ACME-2002', amount: 1, price: '30.00' }] },
  });
  const t = Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-syncline-signature': `t=${t},v1=${sig}` } };
};
const requests = Array.from({ length: warmup + total }, (_, i) => makeRequest(i));

const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
const path = `/webhooks/${connection}`;

async function run(from, to, latencies, deadline) {
  let next = from;
  let ok = 0;
  let failed = 0;
  const statuses = {};
  const worker = async () => {
    while (next < to && performance.now() < deadline) {
      const r = requests[next++];
      const t0 = performance.now();
      const res = await pool.request({ method: 'POST', path, headers: r.headers, body: r.body });
      await res.body.text();
      latencies?.push(performance.now() - t0);
      if (res.statusCode === 202) ok++;
      else failed++;
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, statuses };
}

await run(0, warmup, null, Infinity);
const latencies = [];
const t0 = performance.now();
const res = await run(warmup, warmup + total, latencies, t0 + maxMs);
const seconds = (performance.now() - t0) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(JSON.stringify({ sent: latencies.length, ok: res.ok, failed: res.failed, statuses: res.statuses, seconds, rps: latencies.length / seconds, p50: pct(50), p99: pct(99), max: latencies[latencies.length - 1] }));
