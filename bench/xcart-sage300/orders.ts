// `npm run bench -- xcart-sage300`: orders per second through one Sage 300 connection when every Sage
// 300 call takes what an on-premise Web API shows (80–300 ms, the sandbox's latency fault), and the
// worker concurrency that reaches it. Both sandboxes over HTTP and Syncline as `syncline start` runs
// it (test/e2e/xcart-sage300-pair.ts); the shop buys as the demo does (registered buyers and guests).
// Per concurrency: the wall time from the first order placed to the last one in Sage 300.
import type { Figure } from '../run.js';
import { startPair, sleep } from '../../test/e2e/xcart-sage300-pair.js';

const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,4,16,32,64,128').split(',').map(Number);
const LATENCY = { min: 80, max: 300 };

async function ordersPerSecond(concurrency: number): Promise<number> {
  const pair = await startPair({
    concurrency,
    // The risk hold scores orders offline (no Sage call) and would park the bench's repeat buyers for review.
    flows: ({ shop, erp }) => [{ use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100, options: { riskHold: false } }] });
  try {
    await pair.faults('sage300', [{ route: '/Sage300WebApi', latencyMs: LATENCY }]);
    const n = Math.max(24, concurrency * 3);
    const before = pair.sage300.backOffice.countOrders();
    const t0 = performance.now();
    pair.xcart.storefront.placeOrders(n);
    while (pair.sage300.backOffice.countOrders() - before < n) {
      if (performance.now() - t0 > 600_000) throw new Error(`concurrency ${concurrency}: ${pair.sage300.backOffice.countOrders() - before} of ${n} orders after 10 min`);
      await sleep(20);
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await pair.stop();
  }
}

export default async function orders(): Promise<Figure[]> {
  const rates = [];
  for (const c of LEVELS) rates.push({ c, rate: await ordersPerSecond(c) });
  const max = Math.max(...rates.map((r) => r.rate));
  return [
    ...rates.map(({ c, rate }) => ({ name: `orders: Sage 300 latency 80–300 ms, concurrency ${c}`, value: rate, unit: 'orders/s' })),
    { name: 'orders: per Sage 300 connection (best)', value: max, unit: 'orders/s' },
    { name: 'orders: lowest concurrency within 10 % of the best', value: rates.find((r) => r.rate >= 0.9 * max)!.c, unit: 'workers' },
  ];
}
