// `npm run bench -- xcart-sage300`: is the order flow as a document (flows/xcart-sage300/
// xcart-order-to-sage300.yaml, compiled: step kinds, JSONata expressions) slower than the same flow
// written as closures, the way flows were before (bench/support/xcart-sage300-order-closures.ts says
// what it is and what differs)? Same engine, same sandboxes over HTTP, same connector: each run starts
// a fresh pair (test/e2e/xcart-sage300-pair.ts, fresh SQLite file) with the document deployed; the
// closure run then makes the closures the flow's current version (engine.addFlowVersion, as an edit
// from the designer does), so every order of that run goes through them. The sandboxes add no latency:
// the figure is what the flow costs, not what Sage 300 waits. Runs are interleaved (ABBA…) after one
// warm-up run of each; medians. CPU is the whole process's (Syncline and both sandboxes share it; the
// sandboxes' part is the same in both), from the first order placed to the last one in Sage 300;
// "net" takes off what the idle pair burns per second (pollers, timers: measured for 2 s before the
// orders), which a slower variant would otherwise pay more of. Each run first delivers WARMUP orders
// unmeasured (steady state, see run()).
import type { Figure } from '../run.js';
import { startPair, sleep } from '../../test/e2e/xcart-sage300-pair.js';
import { orderClosuresFlow } from '../support/xcart-sage300-order-closures.js';

const ORDERS = Number(process.env.BENCH_FORMAT_ORDERS ?? 200);
const ROUNDS = Number(process.env.BENCH_FORMAT_ROUNDS ?? 4);
const WARMUP = 100;

type Variant = 'document' | 'closures';

type Result = { rate: number; cpuUsPerOrder: number; netCpuUsPerOrder: number };
const cpuUs = (c: NodeJS.CpuUsage) => c.user + c.system;

async function run(variant: Variant): Promise<Result> {
  const pair = await startPair({
    flows: ({ shop, erp }) => [{ use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100, options: { riskHold: false } }],
  });
  try {
    const warmT0 = performance.now();
    if (variant === 'closures') {
      pair.runtime.engine.addFlowVersion(await orderClosuresFlow({ db: pair.runtime.store.db, client: () => pair.erp, shop: 'xcart-main', erp: 'sage300-main' }));
    }
    // Steady state, as a deployed flow runs for days: each run's first orders meet cold code (a fresh
    // pair compiles the document's expressions into new closures; the closures are module functions
    // already warm from earlier runs), so WARMUP orders go through before the clock starts.
    const warm = pair.sage300.backOffice.countOrders();
    pair.xcart.storefront.placeOrders(WARMUP);
    while (pair.sage300.backOffice.countOrders() - warm < WARMUP) {
      if (performance.now() - warmT0 > 300_000) throw new Error(`${variant}: warm-up not done after 5 min`);
      await sleep(10);
    }
    const idle0 = process.cpuUsage();
    const idleT0 = performance.now();
    await sleep(2_000);
    const idleUsPerS = cpuUs(process.cpuUsage(idle0)) / ((performance.now() - idleT0) / 1000);
    const before = pair.sage300.backOffice.countOrders();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    pair.xcart.storefront.placeOrders(ORDERS);
    while (pair.sage300.backOffice.countOrders() - before < ORDERS) {
      if (performance.now() - t0 > 300_000) throw new Error(`${variant}: ${pair.sage300.backOffice.countOrders() - before} of ${ORDERS} orders after 5 min`);
      await sleep(10);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuUs(process.cpuUsage(cpu0));
    await pair.idle(['xcart-order-to-sage300'], 300);
    const dead = await pair.dead();
    if (dead.length) throw new Error(`${variant}: ${dead.length} dead letters, e.g. ${JSON.stringify(dead[0]).slice(0, 500)}`);
    // The closures carry no document version: every run of the closure variant must show none, and the other variant's all one.
    const byClosures = await pair.runtime.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('flow_version', 'is', null).where('status', '=', 'succeeded').executeTakeFirstOrThrow();
    if (Number(byClosures.n) !== (variant === 'closures' ? WARMUP + ORDERS : 0)) throw new Error(`${variant}: ${byClosures.n} of ${WARMUP + ORDERS} orders ran the closures`);
    return { rate: ORDERS / seconds, cpuUsPerOrder: cpu / ORDERS, netCpuUsPerOrder: (cpu - idleUsPerS * seconds) / ORDERS };
  } finally {
    await pair.stop();
  }
}

export default async function orderFormat(): Promise<Figure[]> {
  await run('document');
  await run('closures');
  const results: Record<Variant, Result[]> = { document: [], closures: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Variant[] = r % 2 === 0 ? ['document', 'closures'] : ['closures', 'document'];
    for (const v of order) results[v].push(await run(v));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const rate = (v: Variant) => median(results[v].map((x) => x.rate));
  const cpu = (v: Variant) => median(results[v].map((x) => x.cpuUsPerOrder));
  const net = (v: Variant) => median(results[v].map((x) => x.netCpuUsPerOrder));
  return [
    { name: `order format: document, ${ORDERS} orders × ${ROUNDS} (median)`, value: rate('document'), unit: 'orders/s' },
    { name: `order format: closures, ${ORDERS} orders × ${ROUNDS} (median)`, value: rate('closures'), unit: 'orders/s' },
    { name: 'order format: orders/s document ÷ closures', value: rate('document') / rate('closures'), unit: '×', target: '>= 1 (no slower)' },
    { name: 'order format: CPU per order, document (process)', value: cpu('document'), unit: 'µs' },
    { name: 'order format: CPU per order, closures (process)', value: cpu('closures'), unit: 'µs' },
    { name: 'order format: CPU per order document ÷ closures', value: cpu('document') / cpu('closures'), unit: '×', target: '<= 1 (no slower)' },
    { name: 'order format: CPU per order net of idle, document', value: net('document'), unit: 'µs' },
    { name: 'order format: CPU per order net of idle, closures', value: net('closures'), unit: 'µs' },
    { name: 'order format: CPU per order net of idle, document ÷ closures', value: net('document') / net('closures'), unit: '×', target: '<= 1 (no slower)' },
  ];
}
