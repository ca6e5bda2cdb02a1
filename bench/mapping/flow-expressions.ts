// The per-order expressions of the xcart-order-to-sage300 flow (the risk step's order, the buyer's
// key, the customer create input, the SKU list and each SKU's key, the map step's input), evaluated
// on the bench's 5-line orders: compiled to JS as shipped vs the same texts through jsonata-js
// (compileExpression's interpretOnly, the evaluator every one of them used before the compiler took
// object constructors as path steps, computed keys, $merge and $distinct). One process, the two
// interleaved round by round; thread CPU per order, median of the rounds. The load is printed.
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { shippedFlows } from '../../src/flows/catalog.js';
import { compileExpression, type Expression } from '../../src/mapping/expression.js';
import { threadCpuMs } from '../../src/mapping/budget.js';
import type { Figure } from '../run.js';
import { median } from '../support/stats.js';
import { makeOrders } from './worker/orders.js';

const ROUNDS = Number(process.env.MAPPING_BENCH_ROUNDS ?? 5);
const ORDERS = 2_000;

interface Step {
  id: string;
  order?: string;
  key?: string;
  items?: string;
  input?: string;
  create?: { input?: string };
  steps?: Step[];
}

function expressions(interpretOnly: boolean) {
  const doc = parse(readFileSync(shippedFlows().get('xcart-order-to-sage300')!, 'utf8')) as { steps: Step[] };
  const by = (id: string) => doc.steps.find((s) => s.id === id)!;
  const c = (text: string) => compileExpression(text, { name: 'bench', budget: { timeMs: 500 }, interpretOnly });
  return {
    risk: c(by('risk').order!),
    customerKey: c(by('customer').key!),
    createInput: c(by('customer').create!.input!),
    items: c(by('items').items!),
    itemKey: c(by('items').key!),
    mapInput: c(by('map').input!),
  };
}

async function perOrder(e: Record<string, Expression>, orders: unknown[]): Promise<number> {
  const options = { riskHold: true, riskThreshold: 50, webCustomer: 'WEBCUST' };
  const t0 = threadCpuMs();
  for (const payload of orders) {
    const scope = { event: { payload, connection: 'xcart-main' }, options, steps: {} as Record<string, unknown> };
    await e.risk!(scope, { options });
    const key = await e.customerKey!(scope, { options });
    await e.createInput!({ ...scope, key }, { options });
    const skus = (await e.items!(scope, { options })) as string[];
    const items = [];
    for (const item of skus) items.push({ key: await e.itemKey!({ ...scope, item }, { options }), outputs: { item: { id: item } } });
    scope.steps = { customer: { id: 'C1' }, items: { items } };
    await e.mapInput!(scope, { options });
  }
  return ((threadCpuMs() - t0) * 1000) / orders.length;
}

export default async function (): Promise<Figure[]> {
  const orders = makeOrders(ORDERS);
  const compiled = expressions(false);
  const interpreted = expressions(true);
  if (!Object.values(compiled).every((e) => e.sync)) throw new Error('an expression of the order flow no longer compiles');
  const a: number[] = [];
  const b: number[] = [];
  await perOrder(compiled, orders.slice(0, 200)); // warm-up
  await perOrder(interpreted, orders.slice(0, 200));
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      b.push(await perOrder(interpreted, orders));
      a.push(await perOrder(compiled, orders));
    } else {
      a.push(await perOrder(compiled, orders));
      b.push(await perOrder(interpreted, orders));
    }
  }
  const load = loadavg()[0]!.toFixed(1);
  return [
    { name: `order flow's per-order expressions, compiled (load ${load})`, value: median(a), unit: 'µs/order' },
    { name: `the same through jsonata-js (load ${load})`, value: median(b), unit: 'µs/order' },
  ];
}
