// One variant of the mapping benchmark, in a process of its own (so no variant shares V8's inline
// caches or type feedback with another): `node --import tsx variant.ts <variant> <warm ms> <ms>`
// prints {"ordersPerCpuSecond": N}. `check` instead verifies that the one-expression JSONata version
// maps the bench orders exactly as the compiled mapping does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsonata from 'jsonata';
import { parse } from 'yaml';
import { Budget, DEFAULT_BUDGET } from '../../../src/mapping/budget.js';
import { builtins, RuntimeState } from '../../../src/mapping/functions.js';
import { createLookupTable, createRateTable, loadLookupTable, loadMapping, loadTargetSchema, type CompiledMapping, type LookupTables } from '../../../src/mapping/index.js';
import { validateTarget } from '../../../src/mapping/validate.js';
import { catalog, makeOrders } from './orders.js';

const mappings = path.resolve(import.meta.dirname, '../../../mappings');
const specFile = path.join(mappings, 'xcart-sage300/order-to-oe-order.yaml');
const now = new Date('2026-11-22T12:00:00Z');
const orders = makeOrders(500);

type Run = (order: unknown) => unknown;

async function compiledRun(m: CompiledMapping): Promise<Run> {
  if (!m.sync) throw new Error('the order template no longer compiles entirely');
  return (o) => {
    const r = m.runSync(o, { now });
    if (r.errors.length) throw new Error(`bench order did not map: ${JSON.stringify(r.errors)}`);
    return r.output;
  };
}

/** The spec as one JSONata expression; built-ins and options bound once, a fresh run state per order. */
async function jsonataSpecRun(): Promise<Run> {
  const spec = parse(readFileSync(specFile, 'utf8')) as { lookups: string[]; options: Record<string, unknown> };
  const lookups: LookupTables = {};
  for (const name of spec.lookups) lookups[name] = await loadLookupTable(path.join(mappings, 'lookups', `${name}.yaml`));
  const rates = createRateTable(parse(readFileSync(path.join(mappings, 'lookups/fx-rates.yaml'), 'utf8')));
  const target = await loadTargetSchema(path.join(mappings, 'targets/sage300/oe-order.yaml'));
  const expr = jsonata(readFileSync(path.join(import.meta.dirname, 'order.jsonata'), 'utf8'));
  let rt!: RuntimeState;
  const bindings: Record<string, unknown> = { options: spec.options };
  for (const [name, fn] of Object.entries(builtins)) bindings[name] = (...args: unknown[]) => fn(rt, undefined, ...args);
  return async (o) => {
    rt = new RuntimeState(lookups, rates, now, spec.options, new Budget(DEFAULT_BUDGET));
    const out = await expr.evaluate(o, bindings);
    validateTarget(out, target.root, '', rt.errors);
    if (rt.errors.length) throw new Error(`bench order did not map: ${JSON.stringify(rt.errors)}`);
    return out;
  };
}

async function simpleRun(): Promise<Run> {
  const expr = jsonata(readFileSync(path.join(import.meta.dirname, 'simple.jsonata'), 'utf8'));
  return (o) => expr.evaluate(o);
}

async function variant(name: string): Promise<Run> {
  switch (name) {
    case 'compiled':
      return compiledRun(await loadMapping(specFile));
    case 'compiled-unbudgeted':
      return compiledRun(await loadMapping(specFile, { unbudgeted: true }));
    case 'compiled-100k': {
      // The demo items plus 99,700 others: lookups are indexed, so the table's size must not matter.
      const big: Record<string, string> = {};
      for (const it of catalog.items) big[it.itemNo] = it.itemNo;
      for (let i = 0; i < 100_000 - catalog.items.length; i++) big[`Z9-${String(i).padStart(6, '0')}-XXX`] = `Z9-${String(i).padStart(6, '0')}-XXX`;
      const sku = createLookupTable({ name: 'sku', label: 'SKU', normalize: ['trim', 'upper', { stripPrefix: ['AMZ-', 'FBA-', 'XC-'] }, { remove: '-/. _' }], entries: big });
      return compiledRun(await loadMapping(specFile, { lookups: { sku } }));
    }
    case 'jsonata-spec':
      return jsonataSpecRun();
    case 'jsonata-simple':
      return simpleRun();
    case 'jsonata-per-expression': {
      // The earlier baseline: the spec's walk with each of its 72 expressions evaluated by jsonata-js.
      const m = await loadMapping(specFile, { interpretOnly: true });
      return async (o) => {
        const r = await m.run(o, { now });
        if (r.errors.length) throw new Error(`bench order did not map: ${JSON.stringify(r.errors)}`);
        return r.output;
      };
    }
  }
  throw new Error(`unknown variant ${name}`);
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Orders per second of this process's CPU time: the machine is shared, wall time measures the neighbours. */
async function rate(run: Run, ms: number): Promise<number> {
  let n = 0;
  const c0 = cpuMs();
  while (cpuMs() - c0 < ms) {
    for (let i = 0; i < 100; i++) {
      const r = run(orders[n % orders.length]);
      if (r instanceof Promise) await r;
      n++;
    }
  }
  return (n * 1000) / (cpuMs() - c0);
}

const [name = 'compiled', warm = '1500', ms = '1000'] = process.argv.slice(2);
if (name === 'check') {
  const a = await variant('compiled');
  const b = await variant('jsonata-spec');
  for (const o of orders.slice(0, 100)) {
    const x = JSON.stringify(await a(o));
    const y = JSON.stringify(await b(o));
    if (x !== y) throw new Error(`one-expression JSONata differs from the compiled mapping:\n${x}\n${y}`);
  }
  console.log(JSON.stringify({ same: 100 }));
} else {
  const run = await variant(name);
  await rate(run, Number(warm));
  console.log(JSON.stringify({ ordersPerCpuSecond: await rate(run, Number(ms)) }));
}
