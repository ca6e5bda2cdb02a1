// Rebuilds src/intelligence/data/labelled.json from the shipped templates:
// `npx tsx src/intelligence/build-dataset.ts`. The split is fixed here, by template.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemName } from './catalogue.js';
import { dataFile, type Dataset } from './dataset.js';
import { reverse, templateLabels } from './labels.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const split: Dataset['split'] = {
  'xcart-sage300/order-to-oe-order': 'tuning',
  'amazon-sagex3/order-to-soh': 'tuning',
  'xcart-sage300/payment-to-gl-journal': 'tuning',
  'sage300-xcart/item-to-product': 'tuning',
  'sagex3-amazon/order-to-mcf': 'tuning',
  'xcart-sage300/profile-to-ar-customer': 'heldout',
  'amazon-sagex3/buyer-to-bpc': 'heldout',
  'amazon-sagex3/settlement-to-journal': 'heldout',
  'xcart-sage300/payment-to-ar-receipt': 'heldout',
  'sage300-xcart/ar-customer-to-profile': 'heldout',
  'sagex3-amazon/item-to-listing': 'heldout',
  // Fresh held-out (added after two rules were tuned on held-out misses): every shipped template of an
  // entity pair none of the above has, whose entities the catalogue knows. Committed before the
  // suggester was run on it; never tuned on. Returns, refunds, shipments from Amazon, settlement
  // orders, X3 stock and listing reports have no source catalogue yet and are not in it.
  'amazon-sagex3/order-status-to-soh': 'fresh',
  'amazon-sagex3/mcf-status-to-soh': 'fresh',
  'amazon-sagex3/fba-inventory-to-stock-count': 'fresh',
  'sage300-xcart/shipment-to-shipping-status': 'fresh',
  'sage300-xcart/credit-note-to-refund': 'fresh',
  'sage300-xcart/item-quantity-to-product-amount': 'fresh',
  'sage300-xcart/item-to-attributes': 'fresh',
  'sagex3-amazon/delivery-to-shipment-confirmation': 'fresh',
  'xcart-sage300/order-status-to-oe-order': 'fresh',
  'xcart-sage300/customer-changes-to-ar-customer': 'fresh',
};
// Hand corrections, each with its reason (data/corrections.json).
const corrections = (JSON.parse(readFileSync(path.join(path.dirname(dataFile), 'corrections.json'), 'utf8')) as { add: Array<{ template: string; source: string; target: string }> }).add;
const pairs = [];
for (const id of Object.keys(split)) {
  const fwd = templateLabels(path.join(root, 'mappings', `${id}.yaml`));
  for (const c of corrections.filter((x) => x.template === id)) fwd.labels[c.source] = [...new Set([...(fwd.labels[c.source] ?? []), c.target])].sort();
  fwd.source = systemName(fwd.source);
  fwd.target = systemName(fwd.target);
  // Samples: the first case's input (forward) and its expected output (reverse), as --sample gets them.
  let first: { input?: unknown; expect?: { output?: unknown } } | undefined;
  try {
    first = (parseYaml(readFileSync(path.join(root, 'mappings', `${id}.cases.yaml`), 'utf8')) as { cases?: Array<typeof first> }).cases?.[0];
  } catch {
    first = undefined;
  }
  const rev = reverse(fwd);
  if (first?.input) fwd.sample = first.input;
  if (first?.expect?.output) rev.sample = first.expect.output;
  pairs.push(fwd, rev);
}
writeFileSync(dataFile, `${JSON.stringify({ split, pairs } satisfies Dataset, null, 1)}\n`);
console.log(`${pairs.length} entity pairs, ${pairs.reduce((n, p) => n + Object.keys(p.labels).length, 0)} labelled source fields → ${path.relative(root, dataFile)}`);
