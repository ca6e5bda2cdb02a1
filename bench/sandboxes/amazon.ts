// Amazon SP-API sandbox and connector figures (issue 4):
// - simple GETs/s from the sandbox with faults and rate limits off (sandbox in its own process);
// - getOrderItems through the connector with the published limits on, over a 60 s scaled run
//   (--time-scale 20): steady rate as a share of the allowed 0.5/s, and 429s after warm-up;
// - a generated 1,000,000-line V2 settlement streamed through the connector in a child process,
//   peak RSS measured there.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Pool } from 'undici';
import type { Figure } from '../run.js';
import { start } from '../../src/sandboxes/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { getOrderItems } from '../../src/connectors/amazon/operations/getOrderItems.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runNode(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void, viaTsx = true): { done: Promise<string>; child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [...(viaTsx ? ['--import', 'tsx'] : []), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (onLine) for (const l of d.split('\n').filter(Boolean)) onLine(l, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<string>((resolve, reject) => child.on('exit', (code) => (code === 0 || code === null ? resolve(out) : reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`)))));
  return { done, child };
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function simpleGets(): Promise<Figure[]> {
  // The sandbox runs in its own process, as `syncline sandbox amazon` would.
  let resolveInfo!: (v: { url: string; credentials: Record<string, string> }) => void;
  const info = new Promise<{ url: string; credentials: Record<string, string> }>((r) => (resolveInfo = r));
  const { child } = runNode(['bin/syncline.js', 'sandbox', 'amazon', '--port', '0', '--json'], (l) => {
    if (l.startsWith('{')) resolveInfo(JSON.parse(l));
  });
  try {
    const sb = await info;
    await fetch(`${sb.url}/__sandbox/rate-limits`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) });
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken!, client_id: sb.credentials.clientId!, client_secret: sb.credentials.clientSecret! });
    const token = ((await (await fetch(sb.credentials.lwaUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json()) as { access_token: string }).access_token;
    const orders = ((await (await fetch(`${sb.url}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2000-01-01T00:00:00Z`, { headers: { 'x-amz-access-token': token } })).json()) as { payload: { Orders: Array<{ AmazonOrderId: string }> } }).payload.Orders.map((o) => o.AmazonOrderId);
    const pool = new Pool(sb.url, { connections: 32, pipelining: 4 });
    const get = async (i: number) => {
      const r = await pool.request({ path: `/orders/v0/orders/${orders[i % orders.length]}`, method: 'GET', headers: { 'x-amz-access-token': token } });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
    const run = async (ms: number) => {
      let n = 0;
      const until = Date.now() + ms;
      await Promise.all(Array.from({ length: 128 }, async () => {
        while (Date.now() < until) await get(n++);
      }));
      return n;
    };
    await run(1_000); // warm-up: JIT, connections
    const cpu0 = cpuSeconds(child.pid!);
    const t = Date.now();
    const n = await run(4_000);
    const cpu = cpuSeconds(child.pid!) - cpu0;
    await pool.close();
    // On a shared, loaded machine wall-clock req/s mostly measures the contention; the sandbox's own
    // CPU time per request says what one free core would do.
    return [
      { name: 'amazon sandbox simple GETs (getOrder, limits off)', value: n / ((Date.now() - t) / 1000), unit: 'req/s', target: '>= 5000' },
      { name: 'amazon sandbox simple GETs per sandbox CPU-second', value: n / cpu, unit: 'req/cpu-s', target: '>= 5000' },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

async function steadyRate(): Promise<Figure[]> {
  const SCALE = 20;
  // A seller whose answers carry x-amzn-RateLimit-Limit (the sandbox leaves it out of getOrderItems by
  // default, as sellers observe): the figure is how closely the connector follows a granted rate. Without
  // the header it keeps the published plan, which on a time-scaled sandbox is 1/SCALE of the grant.
  const sb = await start({ timeScale: SCALE, historicalOrders: 50, seed: 17, features: { rateLimitHeader: 'always' } });
  try {
    const client = clientFor(sb);
    const ids = sb.sandbox.market.orders.map((o) => o.id);
    const t0 = sb.sandbox.clock.now();
    const times: number[] = [];
    const throttled0 = sb.sandbox.stats.throttled;
    let i = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (sb.sandbox.clock.now() - t0 < 60_000) {
        await getOrderItems.call(client, { orderId: ids[i++ % ids.length]! });
        times.push(sb.sandbox.clock.now());
      }
    }));
    times.sort((a, b) => a - b);
    const burst = 30;
    const steady = times.slice(burst);
    const rate = (steady.length - 1) / ((steady.at(-1)! - steady[0]!) / 1000);
    return [
      { name: 'amazon getOrderItems steady rate / allowed (0.5/s, 60 s scaled)', value: (rate / 0.5) * 100, unit: '%', target: '>= 95' },
      { name: 'amazon getOrderItems 429s after warm-up (60 s scaled)', value: sb.sandbox.stats.throttled - throttled0, unit: 'count', target: '0' },
      { name: 'amazon getOrderItems calls in the 60 s scaled run', value: times.length, unit: 'calls' },
    ];
  } finally {
    await sb.close();
  }
}

async function settlementStream(lines: number): Promise<Figure[]> {
  const sb = await start({ historicalOrders: 0, seed: 19 });
  try {
    const r = sb.sandbox.publishSyntheticSettlement(lines);
    // The child runs the connector as plain bundled JS, as a deployment would (not through tsx).
    const bundle = path.join(tmpdir(), `syncline-amazon-settlement-${process.pid}.mjs`);
    await build({
      entryPoints: [path.join(root, 'src/connectors/amazon/settlement-stream.child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error',
      banner: { js: "import { createRequire as __syncline_cr } from 'node:module'; const require = __syncline_cr(import.meta.url);" },
    });
    const { done } = runNode([bundle, JSON.stringify({ url: sb.url, credentials: sb.credentials }), r.reportDocumentId], undefined, false);
    const outText = await done.finally(() => rm(bundle, { force: true }));
    const out = JSON.parse(outText.trim().split('\n').pop()!) as { lines: number; sum: string; total: string; peakRssMb: number; ms: number };
    if (out.lines !== lines || out.sum !== r.total) throw new Error(`settlement stream mismatch: ${JSON.stringify(out)} vs total ${r.total}`);
    return [
      { name: `amazon settlement ${lines.toLocaleString('en')} lines streamed: peak RSS (child)`, value: out.peakRssMb, unit: 'MB', target: '< 256' },
      { name: `amazon settlement ${lines.toLocaleString('en')} lines streamed: throughput`, value: out.lines / (out.ms / 1000), unit: 'lines/s' },
    ];
  } finally {
    await sb.close();
  }
}

export default async function (): Promise<Figure[]> {
  return [...(await simpleGets()), ...(await steadyRate()), ...(await settlementStream(1_000_000))];
}
