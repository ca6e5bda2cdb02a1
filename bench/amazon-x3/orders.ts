// Orders end to end (issue 9): Amazon orders → X3 sales orders over SOAP through the
// amazon-order-to-sagex3 flow document, with both sandboxes answering at once and every rate limit
// off (the Amazon sandbox's buckets and the connector's), so the figure is Syncline's own cost per
// order: the ORDER_CHANGE notification taken from the SQS destination and its getOrder (the sandbox
// runs in real time, so no getOrders sweep can list these orders: they are younger than Amazon's
// 2 minutes), getOrderItems, the risk hold, the mapping, the CUSORDREF look-up and the SOAP save, on
// the embedded SQLite store. Orders/s counted in X3 (what it holds) plus orders the risk step held,
// from the first order placed to the last one settled; median of SYNCLINE_BENCH_RUNS (3) runs of
// SYNCLINE_BENCH_ORDERS (2000) orders placed at once.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import { startSyncline } from '../../src/main.js';
import { start as startAmazon } from '../../src/sandboxes/amazon/index.js';
import { start as startX3 } from '../../src/sandboxes/sagex3/index.js';
import { AMAZON_RATE_LIMITS } from '../../src/connectors/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { createDestination, createSubscription } from '../../src/connectors/amazon/operations/notifications.js';
import type { Figure } from '../run.js';

const N = Number(process.env.SYNCLINE_BENCH_ORDERS ?? 2000);
const RUNS = Number(process.env.SYNCLINE_BENCH_RUNS ?? 3);
const OFF = { ratePerSec: 1_000_000, burst: 1_000_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once(): Promise<{ perSec: number; seconds: number; delivered: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-ax-'));
  const amazon = await startAmazon({ seed: 1, historicalOrders: 0, rateLimits: false });
  const c = amazon.credentials as Record<string, string>;
  const client = clientFor(amazon);
  const dest = await createDestination.call(client, { name: 'syncline', sqsArn: 'arn:aws:sqs:us-east-1:000000000000:syncline-notifications' });
  await createSubscription.call(client, { notificationType: 'ORDER_CHANGE', destinationId: dest.destinationId });
  const x3 = await startX3({ seed: 1, pools: { SYNCLINE: { channels: 16 } } });
  mkdirSync(path.join(dir, 'lookups'));
  writeFileSync(path.join(dir, 'lookups/marketplaces.yaml'), 'name: marketplaces\nnormalize: [trim, upper]\nentries:\n  ATVPDKIKX0DER: { site: US011, currency: USD, country: US, customer: C00001, orderType: SON, timeZone: America/Los_Angeles }\n');
  const runtime = await startSyncline(parseConfig({
    dataDir: dir,
    lookupsDir: path.join(dir, 'lookups'),
    server: { port: 0 },
    worker: { concurrency: 32, pollMs: 2 },
    log: { level: 'error' },
    connections: [
      { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId, sqsQueueUrl: c.sqsQueueUrl }, rateLimits: Object.fromEntries(Object.keys(AMAZON_RATE_LIMITS).map((k) => [k, OFF])) },
      { id: 'x3-main', system: 'sagex3', config: { baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', maxConcurrent: 16 } },
    ],
    flows: [{ use: 'amazon-order-to-sagex3', connections: { marketplace: 'amazon-main', erp: 'x3-main' }, pollIntervalMs: 50, since: 'now' }],
  }), { listen: false });
  try {
    const market = amazon.sandbox.market;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', status: 'Unshipped' });
    const held = async () => (await runtime.engine.queue.list({ state: 'dead', limit: N })).length;
    let delivered = 0;
    let stopped = 0;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      delivered = x3.state.stores.SOH.size;
      stopped = await held();
      if (delivered + stopped >= N) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    if (delivered + stopped < N) throw new Error(`only ${delivered} SOHs and ${stopped} held of ${N} orders after ${seconds.toFixed(0)} s`);
    return { perSec: (delivered + stopped) / seconds, seconds, delivered };
  } finally {
    await runtime.stop();
    await Promise.all([amazon.close(), x3.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<Figure[]> {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const { loadavg } = await import('node:os');
  return [
    { name: `orders end to end (${N} at once, ORDER_CHANGE → SOH over SOAP, limits off)`, value: median(runs.map((r) => r.perSec)), unit: 'orders/s', target: '>= 800' },
    { name: 'orders end to end: SOHs in X3 (median run; the rest held by the risk step)', value: median(runs.map((r) => r.delivered)), unit: 'orders' },
    { name: 'orders end to end: machine load (1-min average) at the end', value: loadavg()[0]!, unit: 'load' },
  ];
}
