// Error triage on 1,000 mixed dead letters. Mapping dead letters (unknown SKUs, unknown surcharge
// types) are the real MAPPING_INVALID errors of the shipped X-Cart → Sage 300 order mapping run on
// mutated orders; "too long" and "closed fiscal period" ones carry the sandboxes' own error texts
// (X-Cart 422 and Sage 300 FieldInvalid). Fixed = the order maps cleanly after the cluster's one
// action (lookup entries added) — the replay check, done by re-running the mapping.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import type { Figure } from '../run.ts';
import { createLookupTable, loadMapping, type LookupTableSpec } from '../../src/mapping/index.js';
import { triage, type DeadLetter } from '../../src/intelligence/triage.js';

const rnd = (() => {
  let s = 42;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
})();
const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];

export default async function (): Promise<Figure[]> {
  const spec = 'mappings/xcart-sage300/order-to-oe-order.yaml';
  const m = await loadMapping(spec);
  const base = JSON.parse(readFileSync('mappings/xcart-sage300/samples/order.json', 'utf8')) as Record<string, unknown> & { items: Array<{ sku: string }>; surcharges: Array<{ type: string }> };
  const skuSpec = parseYaml(readFileSync('mappings/lookups/sku.yaml', 'utf8')) as LookupTableSpec;
  const surSpec = parseYaml(readFileSync('mappings/lookups/xcart-surcharges.yaml', 'utf8')) as LookupTableSpec;
  const skus = Object.keys(skuSpec.entries);
  const ctx = { now: new Date('2026-12-01T00:00:00Z') };
  const letters: DeadLetter[] = [];
  const inputs = new Map<number, unknown>();
  const kinds = new Map<number, string>();
  let id = 0;
  const original = new Map<string, string>(); // typo → the SKU it was made from
  while (letters.length < 1000) {
    const o = structuredClone(base);
    o.customer_id = 0;
    const r = rnd();
    let kind: string;
    if (r < 0.45) {
      // A typo in a known SKU: one character changed.
      const s = pick(skus);
      const i = 3 + Math.floor(rnd() * (s.length - 3));
      const c = s[i] === '-' ? '-' : String.fromCharCode(65 + Math.floor(rnd() * 26));
      o.items[0].sku = s.slice(0, i) + c + s.slice(i + 1);
      original.set(o.items[0].sku, s);
      kind = 'sku-typo';
    } else if (r < 0.6) {
      o.items[0].sku = `N${Math.floor(rnd() * 9)}-${8000 + Math.floor(rnd() * 1999)}-NEW`;
      kind = 'sku-new';
    } else if (r < 0.75) {
      if (!o.surcharges.length) o.surcharges.push({ type: 'shipping', value: 0, include: false, available: true } as never);
      o.surcharges[0].type = pick(['shiping', 'handlng', 'gift_wrap', 'Shipping ', 'taxe']);
      kind = 'surcharge';
    } else if (r < 0.88) {
      letters.push({ id: ++id, queue: 'xcart-product-sync', lastError: { code: 'XCART_VALIDATION', message: `X-Cart rejected the product: code: This value is too long. It should have 4 characters or less.`, details: { violations: [{ propertyPath: 'code', message: 'This value is too long. It should have 4 characters or less.' }] } } });
      kinds.set(id, 'too-long');
      continue;
    } else {
      const d = `20${10 + Math.floor(rnd() * 5)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`;
      letters.push({ id: ++id, queue: 'xcart-sage300-orders', lastError: { code: 'SAGE300_FIELD_INVALID', message: `Order Date ${d} is not in a valid fiscal period. Fiscal periods exist for 2024 to 2027.` } });
      kinds.set(id, 'fiscal');
      continue;
    }
    const res = await m.run(o, ctx);
    if (!res.errors.length) continue; // the mutation happened to resolve (a normalised key): not a dead letter
    const n = res.errors.length;
    letters.push({ id: ++id, queue: 'xcart-sage300-orders', lastError: { code: 'MAPPING_INVALID', message: `${n} problem(s): ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, details: { errors: res.errors } } });
    inputs.set(id, o);
    kinds.set(id, kind);
  }
  const labels: Record<string, string> = { SKU: 'sku', 'X-Cart surcharge type': 'xcart-surcharges' };
  const t0 = performance.now();
  const clusters = triage(letters, (l) => labels[l]);
  const ms = performance.now() - t0;
  // One action per cluster: its lookup entries added; then every letter of it replayed (re-mapped).
  let fixed = 0;
  const sku = structuredClone(skuSpec);
  const sur = structuredClone(surSpec);
  for (const c of clusters) {
    if (c.fix.kind !== 'lookup-entry') continue;
    const target = c.fix.table === 'sku' ? sku : c.fix.table === 'xcart-surcharges' ? sur : undefined;
    if (!target) continue;
    for (const [k, v] of Object.entries(c.fix.entries ?? {})) target.entries[k] = target.entries[v] ?? v;
  }
  const lookups = { sku: createLookupTable(sku), 'xcart-surcharges': createLookupTable(sur) };
  const fixedByKind = new Map<string, number>();
  for (const c of clusters) {
    if (c.fix.kind !== 'lookup-entry') continue;
    for (const i of c.ids) {
      const input = inputs.get(i);
      if (!input) continue;
      const r = await m.run(input, { ...ctx, lookups });
      if (!r.errors.length) (fixed++, fixedByKind.set(kinds.get(i)!, (fixedByKind.get(kinds.get(i)!) ?? 0) + 1));
    }
  }
  // A fix is right when the typo now points to the SKU it was made from (a "fix" to a neighbour is wrong).
  let right = 0;
  let proposed = 0;
  for (const c of clusters)
    if (c.fix.table === 'sku')
      for (const [k, v] of Object.entries(c.fix.entries ?? {}))
        if (original.has(k)) (proposed++, (right += original.get(k) === v ? 1 : 0));
  const byKind = (k: string): number => [...kinds.values()].filter((x) => x === k).length;
  if (process.env.TRIAGE_VERBOSE) for (const c of clusters) console.log(c.count, c.signature, '→', c.fix.text);
  return [
    { name: 'dead letters', value: letters.length, unit: 'letters' },
    { name: 'clusters', value: clusters.length, unit: 'clusters' },
    { name: 'clusters with a suggested fix (not "other")', value: clusters.filter((c) => c.fix.kind !== 'other').length, unit: 'clusters' },
    { name: 'share fixed by one action per cluster', value: Math.round((1000 * fixed) / letters.length) / 10, unit: '%' },
    { name: 'SKU typos fixed (of generated)', value: Math.round((1000 * (fixedByKind.get('sku-typo') ?? 0)) / byKind('sku-typo')) / 10, unit: '%' },
    { name: 'surcharge-type misses fixed (of generated)', value: Math.round((1000 * (fixedByKind.get('surcharge') ?? 0)) / Math.max(1, byKind('surcharge'))) / 10, unit: '%' },
    { name: 'SKU typo entries pointing to the right SKU', value: Math.round((1000 * right) / Math.max(1, proposed)) / 10, unit: '%' },
    { name: 'new SKUs wrongly "fixed"', value: fixedByKind.get('sku-new') ?? 0, unit: 'letters', target: '= 0' },
    { name: 'triage time for 1,000 letters', value: Math.round(ms * 10) / 10, unit: 'ms' },
  ];
}
