// `npm run bench -- xcart-sage300`: is the order flow as a document (flows/xcart-sage300/
// xcart-order-to-sage300.yaml, compiled: step kinds, JSONata expressions) slower than the same flow
// written as closures, the way flows were before (bench/support/xcart-sage300-order-closures.ts says
// what it is and what differs)? Both run on the engine bench's harness (bench/engine/engine.ts): the
// X-Cart and Sage 300 sandboxes each in their own process, the engine alone in this one, a fresh
// SQLite store per run, the document deployed; the closure run then makes the closures the flow's
// current version (engine.addFlowVersion, as an edit from the designer does), so every order of that
// run goes through them. Measured: the engine process's CPU per order (only what differs between the
// two, plus what they share: engine, queue, connector — the sandboxes' CPU is not in it) and orders/s.
// Each run first delivers WARMUP orders unmeasured (steady state: a fresh store compiles the
// document's expressions into new closures). Runs are interleaved (ABBA…) after one warm-up run of
// each; medians, and every run on stderr.
import type { Figure } from '../run.js';
import { engineRun, type EngineRun } from '../engine/engine.js';
import { median } from '../support/stats.js';
import { orderClosuresFlow } from '../support/xcart-sage300-order-closures.js';

const ORDERS = Number(process.env.BENCH_FORMAT_ORDERS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_FORMAT_ROUNDS ?? 4);
const WARMUP = 200;

type Variant = 'document' | 'closures';

async function run(variant: Variant): Promise<EngineRun> {
  return engineRun(ORDERS, {
    warmup: WARMUP,
    prepare: async (runtime) => {
      if (variant !== 'closures') return;
      const flow = await orderClosuresFlow({ db: runtime.store.db, client: () => runtime.clients['sage300-main'] as never, shop: 'xcart-main', erp: 'sage300-main' });
      runtime.engine.addFlowVersion(flow);
    },
    // The closures carry no document version: every order of the closure run must show none, the other's all one.
    verify: async (runtime) => {
      const { n } = await runtime.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('flow_version', 'is', null).where('status', '=', 'succeeded').executeTakeFirstOrThrow();
      const want = variant === 'closures' ? WARMUP + ORDERS : 0;
      if (Number(n) !== want) throw new Error(`${variant}: ${n} orders ran the closures, expected ${want}`);
    },
  });
}

export default async function orderFormat(): Promise<Figure[]> {
  await run('document');
  await run('closures');
  const results: Record<Variant, EngineRun[]> = { document: [], closures: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Variant[] = r % 2 === 0 ? ['document', 'closures'] : ['closures', 'document'];
    for (const v of order) {
      const x = await run(v);
      results[v].push(x);
      process.stderr.write(`order format: round ${r + 1} ${v}: ${x.perSec.toFixed(1)} orders/s, ${x.cpuUsPerOrder.toFixed(0)} µs engine CPU/order\n`);
    }
  }
  const rate = (v: Variant) => median(results[v].map((x) => x.perSec));
  const cpu = (v: Variant) => median(results[v].map((x) => x.cpuUsPerOrder));
  return [
    { name: `order format: document, ${ORDERS} orders × ${ROUNDS} (median)`, value: rate('document'), unit: 'orders/s' },
    { name: `order format: closures, ${ORDERS} orders × ${ROUNDS} (median)`, value: rate('closures'), unit: 'orders/s' },
    { name: 'order format: orders/s document ÷ closures', value: rate('document') / rate('closures'), unit: '×', target: '>= 1 (no slower)' },
    { name: 'order format: engine CPU per order, document', value: cpu('document'), unit: 'µs' },
    { name: 'order format: engine CPU per order, closures', value: cpu('closures'), unit: 'µs' },
    { name: 'order format: engine CPU per order document ÷ closures', value: cpu('document') / cpu('closures'), unit: '×', target: '<= 1 (no slower)' },
  ];
}
