// X-Cart order (5 lines, two addresses, shipping + tax + coupon) → Sage 300 OE order, on one core.
// Each variant runs in a process of its own (worker/variant.ts), the variants interleaved round by
// round (the order rotated each round), and each figure is the median over the rounds:
//   compiled              — the engine as shipped: expressions compiled to JS, target-schema
//                           validation and both totals checks, under the budget (budget.ts);
//   compiled, no budget   — the same with the budget's checks made no-ops: what the budget costs;
//   jsonata-js, same spec — the same spec written as ONE JSONata expression (worker/order.jsonata:
//                           the same lets, fields, lines, built-ins and totals checks; built-ins and
//                           options bound once), the same validator on its output. `check` first
//                           verifies it gives the compiled mapping's output on 100 orders;
//   jsonata-js, simple    — a simpler one-expression mapping (worker/simple.jsonata): the same
//                           target fields without lookups, currency, decimal money, checks or
//                           validation: what plain jsonata-js does for a mapping that does less;
//   per-expression jsonata — the earlier baseline (the spec's walk, each of its 72 expressions a
//                           separate jsonata evaluate()), for continuity with older figures;
//   compiled, 100k SKUs   — a 100,000-item SKU table instead of 300 (lookups are indexed).
// `MAPPING_BENCH_ROUNDS` (default 5) sets the rounds. Orders per second of CPU time of the worker.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { Figure } from '../run.js';

// Other suites build their orders here too (bench/privacy).
export { makeOrders } from './worker/orders.js';

const worker = path.join(import.meta.dirname, 'worker/variant.ts');
const root = path.resolve(import.meta.dirname, '../..');

function runWorker(args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', worker, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`mapping bench worker ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export default async function (): Promise<Figure[]> {
  runWorker(['check']);
  const variants = ['compiled', 'compiled-unbudgeted', 'jsonata-spec', 'jsonata-simple', 'jsonata-per-expression', 'compiled-100k'];
  const rounds = Number(process.env.MAPPING_BENCH_ROUNDS ?? 5);
  const rates: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
  const loads: number[] = [loadavg()[0]!];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length]!;
      rates[v]!.push(runWorker([v, '1500', '1500']).ordersPerCpuSecond!);
    }
    loads.push(loadavg()[0]!);
  }
  const m = Object.fromEntries(variants.map((v) => [v, median(rates[v]!)])) as Record<string, number>;
  // Per-round ratios (same round, neighbouring processes), then their median.
  const ratio = (a: string, b: string) => median(rates[a]!.map((x, i) => x / rates[b]![i]!));
  const round = (x: number) => Math.round(x);
  return [
    { name: 'order → OE order, compiled, with budget (orders/s)', value: round(m.compiled!), unit: 'orders/s', target: '>= 20000' },
    { name: 'same, budget checks off (orders/s)', value: round(m['compiled-unbudgeted']!), unit: 'orders/s' },
    { name: 'budget overhead (1 − with ÷ without, median of rounds)', value: Number(((1 - ratio('compiled', 'compiled-unbudgeted')) * 100).toFixed(1)), unit: '%' },
    { name: 'same spec as one JSONata expression, jsonata-js (orders/s)', value: round(m['jsonata-spec']!), unit: 'orders/s' },
    { name: 'compiled ÷ jsonata-js same spec', value: Number(ratio('compiled', 'jsonata-spec').toFixed(1)), unit: '×', target: '>= 5' },
    { name: 'simpler one-expression mapping, jsonata-js (orders/s)', value: round(m['jsonata-simple']!), unit: 'orders/s' },
    { name: 'per-expression jsonata, earlier baseline (orders/s)', value: round(m['jsonata-per-expression']!), unit: 'orders/s' },
    { name: 'compiled with a 100,000-item SKU table (orders/s)', value: round(m['compiled-100k']!), unit: 'orders/s' },
    { name: '100k-item ÷ 300-item table throughput', value: Number(ratio('compiled-100k', 'compiled').toFixed(2)), unit: 'ratio', target: '≈ 1' },
    { name: 'rounds (medians over)', value: rounds, unit: 'rounds' },
    { name: 'machine load (1-min average), start', value: Number(loads[0]!.toFixed(1)), unit: 'load' },
    { name: 'machine load (1-min average), highest after a round', value: Number(Math.max(...loads.slice(1)).toFixed(1)), unit: 'load' },
  ];
}
