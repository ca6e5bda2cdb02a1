// One inventory cycle at scale, in its own process (so its peak RSS is its own): 100,000 ICILOC rows,
// of which 1,000 changed since the last poll → the stock poller's pass over the window and the
// sage300-stock-to-xcart flow for each event, with every operation stubbed (no I/O: the cycle's own
// compute). Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createStockPoller, type StockOut } from '../../src/connectors/sage300/index.js';
import { openStore } from '../../src/core/db/database.js';
import { FlowStop, type InboxEvent, type StepContext } from '../../src/core/flow.js';
import { XrefStore } from '../../src/core/xref.js';
import { compileFlow } from '../../src/flows/compile.js';
import { resolveFlow } from '../../src/flows/catalog.js';
import { MAPPINGS_DIR } from '../../src/flows/document.js';

const SKUS = Number(process.env.BENCH_SKUS ?? 100_000);
const CHANGED = Number(process.env.BENCH_CHANGED ?? 1_000);
const t0 = new Date(Date.now() - 60_000).toISOString();
const rows: StockOut[] = Array.from({ length: SKUS }, (_, i) => ({
  UnformattedItemNumber: `B${i}`, ItemNumber: `B-${i}`, Location: '1',
  QuantityOnHand: '100.0000', QuantityCommitted: '0.0000', QuantityAvailable: '100.0000', DateLastMaintained: t0,
}));
// The shipped mapping checks each item against the demo crosswalk (300 SKUs); the bench's 100,000
// items are not in it, so it runs a copy without that one check (a hash lookup either way).
const benchDir = mkdtempSync(path.join(tmpdir(), 'bench-xs-'));
for (const d of ['targets', 'lookups']) symlinkSync(path.join(MAPPINGS_DIR, d), path.join(benchDir, d));
const mappingFile = path.join(benchDir, 'item-quantity.yaml');
writeFileSync(mappingFile, readFileSync(path.join(MAPPINGS_DIR, 'sage300-xcart/item-quantity-to-product-amount.yaml'), 'utf8')
  .replace(/^lookups: \[sku\]\n/m, '').replace(/^  sku: .*\n/m, ''));
const source = { read: async (since: string, skip: number, limit: number) => {
  const hit = rows.filter((r) => (r.DateLastMaintained ?? '') >= since);
  return { rows: hit.slice(skip, skip + limit), more: hit.length > skip + limit };
}, close: async () => {} };
const poller = createStockPoller({ config: {} } as never, { connection: 'bench', minIntervalMs: 0, maxPerPoll: SKUS + 1, sql: source });

const first = await poller.poll(null); // the initial sync: every row
const t1 = new Date().toISOString();
for (let i = 0; i < CHANGED; i++) {
  const r = rows[Math.floor((i * SKUS) / CHANGED)]!;
  r.QuantityOnHand = '90.0000'; r.QuantityAvailable = '90.0000'; r.DateLastMaintained = t1;
}

const store = await openStore({ dialect: 'sqlite', file: ':memory:' });
const { doc } = resolveFlow('sage300-stock-to-xcart');
let writes = 0;
let current: unknown;
const flow = await compileFlow({
  doc, db: store.db, options: { locations: ['1'] }, mappingFiles: { 'sage300-xcart/item-quantity-to-product-amount': mappingFile },
  bindings: { erp: { id: 'erp', system: 'sage300', client: undefined }, shop: { id: 'shop', system: 'xcart', client: undefined } },
  call: async (ref, input) => {
    const i = input as Record<string, unknown>;
    switch (ref) {
      case 'erp.getStock': return [current];
      case 'shop.findSku': return [{ sku: i.sku, productId: 1, variantId: 2, hasVariants: false, amount: 100, inventoryTraceable: true, enabled: true, price: '1', updatedAt: null }];
      case 'shop.getVariant': return { id: 2, amount: 100, default_amount: false };
      case 'shop.setStock': writes++; return { productId: 1, variantId: 2, amount: i.amount };
      default: throw new Error(`unexpected ${ref}`);
    }
  },
});
const xref = new XrefStore(store.db);

// BENCH_PROFILE=file.cpuprofile: a CPU profile of the measured cycle alone (what to look at when it is slow).
const profiler = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const started = performance.now();
const cpu0 = process.cpuUsage();
const second = await poller.poll(first.cursor);
const pollMs = performance.now() - started;
const pollCpu = process.cpuUsage(cpu0);
for (const e of second.events) {
  const event: InboxEvent = { eventId: 1, system: 'sage300', entity: 'stock', id: e.id, version: e.version, payload: e.payload, connection: 'erp' };
  const ctx: StepContext<unknown> = { event, deps: undefined, xref, mayHaveRun: false, attempt: 1, commitWith: () => {}, link: () => {}, outputs: {}, checkpoint: {}, emit: () => {}, note: () => {} };
  current = e.payload;
  let input: unknown = e.payload;
  for (const step of flow.steps) {
    try {
      input = ctx.outputs[step.name] = await step.run(input, ctx);
    } catch (err) {
      if (err instanceof FlowStop) break;
      throw err;
    }
  }
}
const cycleMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
if (profiler) writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify((await profiler.post('Profiler.stop')).profile));
console.log(JSON.stringify({ skus: SKUS, changed: CHANGED, initialEvents: first.events.length, events: second.events.length, writes, pollMs, cycleMs, cpuMs: (cpu.user + cpu.system) / 1000, pollCpuMs: (pollCpu.user + pollCpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
await store.close();
rmSync(benchDir, { recursive: true, force: true });
