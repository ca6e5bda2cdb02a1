// getOrderItems under the published SP-API usage plan (issue 9): a spike of SYNCLINE_BENCH_SPIKE
// (10,000) orders whose items are fetched at once by 32 concurrent callers (the engine's worker
// count) through the connector, against the Amazon sandbox's token bucket (0.5/s, burst 30, per
// seller and operation, as Amazon keeps it). The sandbox clock runs SYNCLINE_BENCH_SCALE (100)
// times real time, so the ≈ 5.5 h the quota needs for 10,000 calls take ≈ 200 s; every figure is in
// sandbox time. The sandbox sends x-amzn-RateLimit-Limit here, so the connector paces by the
// scaled rate it is told (calls on every worker's connection before the spike teach it; the buckets
// are then reset full). Scaling time scales the network's jitter too: 100 ms real is 5 tokens here,
// so the connector keeps SYNCLINE_BENCH_RESERVE (20) tokens of Amazon's burst unspent, 400 ms of
// real jitter (in real time its default of 2 covers 4 s); the share below pays for them. At ×200 and
// load 19-25 the process stalled longer than that: 37 steady 429s, 94.6 %.
// Figures: the share of the quota used over the spike (calls served ÷ burst + rate × the time from
// the first to the last served call), the 429s Amazon answered, and the drain time against the
// least the quota allows ((N − burst) ÷ rate). The engine's own cost per order is orders.ts.
import { loadavg } from 'node:os';
import { start } from '../../src/sandboxes/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { getOrderItems } from '../../src/connectors/amazon/operations/getOrderItems.js';
import type { Figure } from '../run.js';

const N = Number(process.env.SYNCLINE_BENCH_SPIKE ?? 10_000);
const SCALE = Number(process.env.SYNCLINE_BENCH_SCALE ?? 100);
const RESERVE = Number(process.env.SYNCLINE_BENCH_RESERVE ?? 20);
const WORKERS = 32;
const PLAN = { rate: 0.5, burst: 30 };

export default async function (): Promise<Figure[]> {
  const sb = await start({ timeScale: SCALE, historicalOrders: 0, seed: 23, features: { rateLimitHeader: 'always' } });
  try {
    const market = sb.sandbox.market;
    const ids = Array.from({ length: N }, () => market.placeOrder({ channel: 'MFN', status: 'Unshipped' }).id);
    const client = clientFor(sb, { burstReserve: RESERVE });
    await getOrderItems.call(client, { orderId: ids[0]! });
    await Promise.all(ids.slice(0, WORKERS).map((orderId) => getOrderItems.call(client, { orderId })));
    if (Math.abs(client.limits.get('getOrderItems')!.ratePerSec - PLAN.rate * SCALE) > 1e-9) throw new Error('the connector did not learn the scaled rate from x-amzn-RateLimit-Limit');
    await new Promise((r) => setTimeout(r, 1_000)); // the connector's bucket refills
    sb.sandbox.buckets.reset(); // Amazon's too: the spike meets two full buckets
    const served: number[] = [];
    // 429s by the calls served before them: those in the first tenth meet the start-up (connections,
    // JIT, the burst), the rest are steady.
    const throttledAfter: number[] = [];
    sb.sandbox.recorder = (x) => {
      if (x.operation !== 'getOrderItems') return;
      if (x.status === 200) served.push(sb.sandbox.clock.now());
      else if (x.status === 429) throttledAfter.push(served.length);
    };
    const t0 = sb.sandbox.clock.now();
    let next = 0;
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (next < N) await getOrderItems.call(client, { orderId: ids[next++]! });
    }));
    sb.sandbox.recorder = undefined;
    if (served.length !== N) throw new Error(`${served.length} of ${N} getOrderItems calls served`);
    served.sort((a, b) => a - b);
    const drainS = (served.at(-1)! - t0) / 1000;
    const leastS = (N - PLAN.burst) / PLAN.rate;
    const allowed = PLAN.burst + PLAN.rate * ((served.at(-1)! - served[0]!) / 1000);
    return [
      { name: `amazon getOrderItems quota used over a ${N}-order spike (0.5/s, burst 30)`, value: (N / allowed) * 100, unit: '%', target: '>= 98' },
      { name: 'amazon getOrderItems 429s in the spike\'s first tenth', value: throttledAfter.filter((n) => n < N / 10).length, unit: 'count' },
      { name: 'amazon getOrderItems 429s in the rest (steady)', value: throttledAfter.filter((n) => n >= N / 10).length, unit: 'count', target: '0' },
      { name: `amazon ${N}-order spike drained (sandbox time)`, value: drainS, unit: 's' },
      { name: `amazon ${N}-order spike: least the quota allows`, value: leastS, unit: 's' },
      { name: 'amazon spike drain / least allowed', value: drainS / leastS, unit: '×' },
      { name: `amazon spike: real seconds (sandbox clock ×${SCALE}, ${RESERVE} tokens kept)`, value: drainS / SCALE, unit: 's' },
      { name: 'amazon spike: machine load (1-min average) at the end', value: loadavg()[0]!, unit: 'load' },
    ];
  } finally {
    await sb.close();
  }
}
