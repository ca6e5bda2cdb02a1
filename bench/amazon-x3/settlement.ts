// Settlement reconciliation (issue 9): 1,000,000 V2 lines parsed, categorised and summarised
// (src/settlement, dry run: journal built, orders drilled down, referral fees checked) in a child
// process running the bundled module, peak RSS measured there. Median of 3 runs.
// The file is generated here with the shape of a real one: orders of 1–3 items, 4–8 lines per item
// (price, tax, withheld tax, commission, FBA fee or shipping, promotions), 3 % refunds, and
// storage, advertising, reimbursement and reserve lines, ~150,000 distinct orders.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Figure } from '../run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COLUMNS = 'settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id';

/** Writes an n-line settlement; returns its total. Deterministic (a fixed LCG seed). */
async function generate(file: string, n: number): Promise<string> {
  let seed = 0x2545f491;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const start = Date.UTC(2026, 10, 1);
  const span = 13 * 86_400_000;
  const money = (c: number) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
  const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  let total = 0;
  let lines = 0;
  let chunk = '';
  const out = createWriteStream(file);
  const flush = async () => {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    chunk = '';
  };
  const row = (type: string, order: string, item: string, at: string, ad: string, cents: number, posted: number, sku: string, qty: string, ful: string) => {
    total += cents;
    lines++;
    const day = stamp(posted);
    chunk += `\t\t\t\t\t\t${type}\t${order}\t${order}\t\t${order ? 'D' + (lines % 99_991) : ''}\t${order ? 'Amazon.com' : ''}\t${at}\t${ad}\t${money(cents)}\t${ful}\t${day.slice(0, 10)}\t${day}\t${item}\t\t\t${sku}\t${qty}\t\n`;
  };
  let orderNo = 0;
  while (lines < n) {
    const posted = start + Math.floor((span * lines) / n);
    if (lines % 5_000 === 4_999) {
      row('other-transaction', '', '', 'other-transaction', 'Storage Fee', -int(10, 900), posted, '', '', '');
      if (lines < n) row('ServiceFee', '', '', 'Cost of Advertising', 'TransactionTotalAmount', -int(500, 20_000), posted, '', '', '');
      if (lines < n) row('other-transaction', '', '', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE', int(500, 5_000), posted, `SKU-${int(1, 997)}`, '', '');
      await flush();
      continue;
    }
    const order = `${111 + (orderNo % 4)}-${String(1_000_000 + orderNo).padStart(7, '0')}-${String(7_000_000 + (orderNo * 7919) % 3_000_000).padStart(7, '0')}`;
    orderNo++;
    const afn = rnd() < 0.7;
    const refund = rnd() < 0.03;
    for (let it = int(1, 3); it > 0 && lines < n; it--) {
      const item = String(10_000_000_000_000 + orderNo * 3 + it);
      const sku = `SKU-${int(1, 997)}`;
      const qty = int(1, 3);
      const price = int(500, 25_000) * qty;
      const tax = Math.round(price * 0.0825);
      const ship = afn ? 0 : int(0, 1_200);
      const type = refund ? 'Refund' : 'Order';
      const s = refund ? -1 : 1;
      const r = (at: string, ad: string, c: number, q = '') => lines < n && row(type, order, item, at, ad, c, posted, sku, q, afn ? 'AFN' : 'MFN');
      r('ItemPrice', 'Principal', s * price, refund ? '' : String(qty));
      r('ItemPrice', 'Tax', s * tax);
      r('ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -s * tax);
      if (ship) {
        r('ItemPrice', 'Shipping', s * ship);
        r('ItemPrice', 'ShippingTax', s * Math.round(ship * 0.0825));
        r('ItemWithheldTax', 'MarketplaceFacilitatorTax-Shipping', -s * Math.round(ship * 0.0825));
      }
      if (!refund && rnd() < 0.1) r('Promotion', 'Principal', -Math.round(price * 0.1));
      r('ItemFees', 'Commission', -s * Math.round((price + ship) * 0.15));
      if (refund) r('ItemFees', 'RefundCommission', -Math.min(500, Math.round((price + ship) * 0.03)));
      else if (afn) r('ItemFees', 'FBAPerUnitFulfillmentFee', -322 * qty);
    }
    if (chunk.length > 256 * 1024) await flush();
  }
  await flush();
  await new Promise((r) => out.end(r));
  // The header and summary go first: write them into a second file with the body appended.
  const totalText = money(total);
  const final = `${file}.v2`;
  const w = createWriteStream(final);
  w.write(`${COLUMNS}\n70000000001\t${stamp(start)}\t${stamp(start + span)}\t${stamp(start + span + 2 * 86_400_000)}\t${totalText}\tUSD${'\t'.repeat(18)}\n`);
  const { createReadStream } = await import('node:fs');
  await new Promise<void>((resolve, reject) => createReadStream(file).on('error', reject).pipe(w).on('finish', () => resolve()).on('error', reject));
  await rm(file, { force: true });
  return totalText;
}

function runChild(args: string[]): Promise<Record<string, number | string | boolean>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function (): Promise<Figure[]> {
  const n = 1_000_000;
  const file = path.join(tmpdir(), `syncline-settlement-${process.pid}.txt`);
  const bundle = path.join(tmpdir(), `syncline-settlement-import-${process.pid}.mjs`);
  try {
    const total = await generate(file, n);
    await build({
      entryPoints: [path.join(root, 'bench/support/settlement-import.child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error',
      banner: { js: "import { createRequire as __syncline_cr } from 'node:module'; const require = __syncline_cr(import.meta.url);" },
    });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const r = await runChild([bundle, `${file}.v2`, path.join(root, 'mappings/amazon-sagex3/settlement-to-journal.yaml'), path.join(root, 'mappings/lookups/settlement-accounts.yaml')]);
      if (r.lines !== n || r.total !== total || r.difference !== '0.00' || r.balanced !== true || r.sumsBack !== true) throw new Error(`settlement import mismatch: ${JSON.stringify(r)} (total ${total})`);
      runs.push(r);
    }
    const ms = median(runs.map((r) => Number(r.ms)));
    return [
      { name: `settlement ${n.toLocaleString('en')} lines parsed, categorised, summarised: time (child)`, value: ms / 1000, unit: 's', target: '< 5' },
      { name: `settlement ${n.toLocaleString('en')} lines: CPU time (child)`, value: median(runs.map((r) => Number(r.cpuMs))) / 1000, unit: 's' },
      { name: `settlement ${n.toLocaleString('en')} lines: peak RSS (child)`, value: median(runs.map((r) => Number(r.peakRssMb))), unit: 'MB', target: '< 200' },
      { name: `settlement ${n.toLocaleString('en')} lines: throughput`, value: n / (ms / 1000), unit: 'lines/s' },
      { name: `settlement ${n.toLocaleString('en')} lines: distinct orders drilled down`, value: Number(runs[0]!.orders), unit: 'orders' },
    ];
  } finally {
    await rm(file, { force: true });
    await rm(`${file}.v2`, { force: true });
    await rm(bundle, { force: true });
  }
}
