// Stock for `syncline reconcile amazon-x3`: Amazon's quantities against Sage X3's, over both APIs,
// every difference in units (X3 − Amazon) with what each side holds.
//   - Merchant-fulfilled (MFN) listings, from Amazon's GET_MERCHANT_LISTINGS_ALL_DATA report: the
//     quantity Amazon offers against X3's sellable stock at the MFN site (accepted − allocated −
//     reserve, whole units, never below 0) — what sagex3-stock-to-amazon sends.
//   - FBA listings, from the FBA Inventory API (every summary, details): per stock status at the X3
//     FBA site — A fulfillable + reserved, Q researching, R unfulfillable — what
//     amazon-fba-inventory-to-sagex3 counts.
// X3 stock comes from the site's stock subprogram, one call per site (500 lines at most: a site
// with more stock lines is refused as X3_TRUNCATED rather than compared in part).
import { Decimal } from 'decimal.js';
import { getInventorySummaries, reportLines, requestReport, type SpApiClient } from '../connectors/amazon/index.js';
import type { SageX3Client } from '../connectors/sagex3/index.js';
import { getSellableStock, getStock } from '../connectors/sagex3/operations/get-stock.js';

export interface StockDifference {
  kind: 'mfn-quantity' | 'fba-quantity';
  /** The Amazon SKU. */
  id: string;
  /** Units, signed: X3 − Amazon. */
  amount: string;
  item: string;
  status?: string;
  x3: string;
  amazon: string;
  detail: string;
}

export interface StockReconcileOptions {
  mfnSite?: string;
  fbaSite?: string;
  /** Units held back from Amazon at the MFN site (the stock flow's `reserve`). */
  reserve?: number;
  /** Amazon SKU → X3 item (the sku table); undefined = not an X3 item, not compared. Default: the same code. */
  itemOf?: (sku: string) => string | undefined;
  /** Pause between getReport polls (Amazon takes minutes; the sandbox seconds). */
  reportPollMs?: number;
}

export interface StockReconcileReport {
  stock: { mfnCompared: number; fbaCompared: number };
  differences: StockDifference[];
}

export async function reconcileAmazonX3Stock(amazon: SpApiClient, x3: SageX3Client, o: StockReconcileOptions = {}): Promise<StockReconcileReport> {
  const mfnSite = o.mfnSite ?? 'US011';
  const fbaSite = o.fbaSite ?? 'US014';
  const itemOf = o.itemOf ?? ((s: string) => s);
  const differences: StockDifference[] = [];

  // MFN: the listings report, one row per SKU.
  const report = await requestReport(amazon, { reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA' }, { pollMs: o.reportPollMs ?? 30_000 });
  const sellable = new Map((await getSellableStock.call(x3, { site: mfnSite, status: 'A*' })).map((r) => [r.item, Decimal.max(0, new Decimal(r.available).minus(o.reserve ?? 0).floor())]));
  let header: string[] | undefined;
  let mfnCompared = 0;
  for await (const line of reportLines(amazon, report.reportDocumentId!)) {
    const cells = line.replace(/\r?\n$/, '').split('\t');
    if (!header) {
      header = cells;
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    if (row['fulfillment-channel'] !== 'DEFAULT') continue;
    const sku = row['seller-sku']!;
    const item = itemOf(sku);
    if (!item) continue;
    mfnCompared++;
    const want = sellable.get(item) ?? new Decimal(0);
    const has = new Decimal(row.quantity || '0');
    if (!want.equals(has)) differences.push({ kind: 'mfn-quantity', id: sku, item, amount: want.minus(has).toString(), x3: want.toString(), amazon: has.toString(), detail: `Amazon offers ${has}, X3 can sell ${want} at ${mfnSite}` });
  }

  // FBA: every summary, per status.
  const atFba = new Map<string, Decimal>();
  for (const l of await getStock.call(x3, { site: fbaSite })) {
    const k = `${l.item}|${l.status[0]}`;
    atFba.set(k, (atFba.get(k) ?? new Decimal(0)).plus(l.quantity));
  }
  let fbaCompared = 0;
  let token: string | undefined;
  do {
    const page = await getInventorySummaries.call(amazon, { details: true, ...(token ? { nextToken: token } : {}) });
    for (const s of page.summaries) {
      const sku = s.sellerSku;
      const item = sku ? itemOf(sku) : undefined;
      if (!sku || !item) continue;
      fbaCompared++;
      const d = (s.inventoryDetails ?? {}) as Record<string, any>;
      const expected: Record<string, number> = {
        A: (d.fulfillableQuantity ?? 0) + (d.reservedQuantity?.totalReservedQuantity ?? 0),
        Q: d.researchingQuantity?.totalResearchingQuantity ?? 0,
        R: d.unfulfillableQuantity?.totalUnfulfillableQuantity ?? 0,
      };
      for (const [status, qty] of Object.entries(expected)) {
        const has = atFba.get(`${item}|${status}`) ?? new Decimal(0);
        if (!has.equals(qty)) differences.push({ kind: 'fba-quantity', id: sku, item, status, amount: has.minus(qty).toString(), x3: has.toString(), amazon: String(qty), detail: `status ${status} at ${fbaSite}: X3 holds ${has}, Amazon ${qty}` });
      }
    }
    token = page.nextToken;
  } while (token);
  return { stock: { mfnCompared, fbaCompared }, differences };
}
