// Field catalogues of every entity the mapping suggester knows: sources from the connectors' zod
// schemas (the record as a flow sees it after its fetch steps), targets from mappings/targets/**.
// A field is a path with dots for nesting and `[]` for array elements (`items[].sku`).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { userError } from '../core/errors.js';
import { z } from 'zod';
import * as amazon from '../connectors/amazon/schemas.js';
import * as sage300 from '../connectors/sage300/schemas.js';
import * as sagex3 from '../connectors/sagex3/schemas.js';
import * as xcart from '../connectors/xcart/schemas.js';

export type FieldType = 'string' | 'number' | 'integer' | 'decimal' | 'boolean' | 'date' | 'object' | 'array' | 'unknown';

export interface Field {
  path: string;
  type: FieldType;
  maxLength?: number;
  enumValues?: string[];
  /** Set when the field comes from the entity's other side (a target's source schema). */
  origin?: 'other';
}

export interface Catalogue {
  entity: string;
  fields: Field[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const targetsDir = path.join(root, 'mappings', 'targets');

// ---- zod walk (zod 4: every schema carries its definition in `_zod.def`) ----
type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

function walkZod(schema: unknown, prefix: string, out: Field[], depth = 0): void {
  if (depth > 6) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return walkZod(def.innerType, prefix, out, depth);
    case 'pipe':
      // A transform's input is what the API sends; its output type names the field better.
      return walkZod(defOf(def.in).type === 'transform' ? def.out : def.in, prefix, out, depth);
    case 'union': {
      const opts = def.options as unknown[];
      const obj = opts.find((o) => defOf(o).type === 'object');
      if (obj) {
        // Discriminated unions of objects (Sage 300 item / miscellaneous lines): the union of fields.
        const seen = new Set(out.map((f) => f.path));
        for (const o of opts) {
          const tmp: Field[] = [];
          walkZod(o, prefix, tmp, depth);
          for (const f of tmp) if (!seen.has(f.path)) (seen.add(f.path), out.push(f));
        }
        return;
      }
      return walkZod(opts[0], prefix, out, depth);
    }
    case 'object': {
      if (prefix) out.push({ path: prefix, type: 'object' });
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) walkZod(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
      return;
    }
    case 'array': {
      out.push({ path: `${prefix}`, type: 'array' });
      const el = defOf(def.element);
      if (el.type === 'object' || el.type === 'union' || el.type === 'optional') walkZod(def.element, `${prefix}[]`, out, depth + 1);
      return;
    }
    case 'enum':
      out.push({ path: prefix, type: 'string', enumValues: Object.keys(def.entries as object) });
      return;
    case 'literal':
      out.push({ path: prefix, type: 'string', enumValues: (def.values as unknown[]).map(String) });
      return;
    case 'string': {
      const max = (schema as { maxLength?: number | null }).maxLength;
      const fmt = (schema as { format?: string | null }).format;
      out.push({ path: prefix, type: fmt === 'datetime' || fmt === 'date' ? 'date' : 'string', ...(max ? { maxLength: max } : {}) });
      return;
    }
    case 'number':
    case 'int':
      out.push({ path: prefix, type: (schema as { isInt?: boolean }).isInt ? 'integer' : 'number' });
      return;
    case 'boolean':
      out.push({ path: prefix, type: 'boolean' });
      return;
    case 'date':
      out.push({ path: prefix, type: 'date' });
      return;
    case 'transform':
      out.push({ path: prefix, type: 'unknown' });
      return;
    default:
      out.push({ path: prefix, type: 'unknown' });
  }
}

function fromZod(schema: unknown, typeHints: Record<string, FieldType> = {}): Field[] {
  const out: Field[] = [];
  walkZod(schema, '', out);
  for (const f of out) if (typeHints[f.path]) f.type = typeHints[f.path];
  return out.filter((f) => f.path);
}

// ---- target schemas (mappings/targets/<system>/<name>.yaml) ----
interface TargetSpec {
  type?: string;
  maxLength?: number;
  enum?: unknown[];
  fields?: Record<string, TargetSpec>;
  items?: TargetSpec;
}

function walkTarget(fields: Record<string, TargetSpec>, prefix: string, out: Field[]): void {
  for (const [k, spec] of Object.entries(fields)) {
    const p = prefix ? `${prefix}.${k}` : k;
    const t = (spec.type ?? 'string') as FieldType;
    if (t === 'array' && !spec.items?.fields && spec.items?.type && spec.items.type !== 'object' && spec.items.type !== 'array') {
      // A list of values (X3's dimensioned fields: INVDTAAMT holds the invoicing elements' amounts) is one field.
      out.push({ path: p, type: spec.items.type as FieldType });
    } else if (t === 'array') {
      out.push({ path: p, type: 'array' });
      if (spec.items?.fields) walkTarget(spec.items.fields, `${p}[]`, out);
    } else if (t === 'object') {
      out.push({ path: p, type: 'object' });
      if (spec.fields) walkTarget(spec.fields, p, out);
    } else {
      out.push({ path: p, type: t, ...(spec.maxLength ? { maxLength: spec.maxLength } : {}), ...(spec.enum ? { enumValues: spec.enum.map(String) } : {}) });
    }
  }
}

let targetCache: Map<string, Field[]> | undefined;
/** Every target schema by its name (`sage300/oe-order`). */
export function targetSchemas(): Map<string, Field[]> {
  if (targetCache) return targetCache;
  targetCache = new Map();
  for (const sys of readdirSync(targetsDir)) {
    for (const f of readdirSync(path.join(targetsDir, sys))) {
      if (!/\.ya?ml$/.test(f)) continue;
      const doc = parseYaml(readFileSync(path.join(targetsDir, sys, f), 'utf8')) as { name?: string; fields?: Record<string, TargetSpec> };
      const out: Field[] = [];
      walkTarget(doc.fields ?? {}, '', out);
      targetCache.set(doc.name ?? `${sys}/${f.replace(/\.ya?ml$/, '')}`, out);
    }
  }
  return targetCache;
}

// ---- source entities: the record after the flow's fetch steps ----
const xcartDates = { create_date: 'date', update_date: 'date', date: 'date', 'items[].update_date': 'date', first_login_date: 'date', last_login_date: 'date' } as Record<string, FieldType>;
const moneyHints = (paths: string[]): Record<string, FieldType> => Object.fromEntries(paths.map((p) => [p, 'decimal' as FieldType]));

function sourceSchemas(): Record<string, () => Field[]> {
  return {
    'xcart/order': () => fromZod(xcart.orderSchema, { ...xcartDates, ...moneyHints(['total', 'sub_total', 'items[].price', 'items[].item_net_price', 'items[].discounted_subtotal', 'surcharges[].value', 'items[].surcharges[].value']) }),
    'xcart/profile': () => [
      ...fromZod(xcart.profileSchema, xcartDates),
      // The flow fetches the profile's addresses beside it (GET /api/profiles/{id}/addresses).
      ...fromZod(xcart.addressSchema).map((f) => ({ ...f, path: `addresses[].${f.path}` })),
      { path: 'addresses', type: 'array' as FieldType },
    ],
    'xcart/product': () => fromZod(xcart.productSchema, { ...xcartDates, ...moneyHints(['price']) }),
    'xcart/payment_transaction': () => fromZod(xcart.paymentTransactionSchema, { ...xcartDates, ...moneyHints(['value']) }),
    'amazon/order': () => [
      ...fromZod(amazon.orderSchema, { PurchaseDate: 'date', LastUpdateDate: 'date', EarliestShipDate: 'date', LatestShipDate: 'date', LatestDeliveryDate: 'date', 'OrderTotal.Amount': 'decimal' }),
      { path: 'LatestDeliveryDate', type: 'date' as FieldType },
      { path: 'OrderItems', type: 'array' as FieldType },
      ...fromZod(amazon.orderItemSchema).map((f) => ({ ...f, path: `OrderItems[].${f.path}`, type: f.path.endsWith('.Amount') ? ('decimal' as FieldType) : f.type })),
    ],
    // The buyer as the customer flow sees it: the order's buyer block and ship-to.
    'amazon/buyer': () => fromZod(amazon.orderSchema, { PurchaseDate: 'date', LastUpdateDate: 'date', 'OrderTotal.Amount': 'decimal' }),
    // A parsed settlement report (src/settlement/parse.ts): its summary row and its lines.
    'amazon/settlement': () => [
      ...['settlementId', 'currency', 'startDate', 'endDate', 'depositDate', 'totalAmount'].map((k) => ({ path: `summary.${k}`, type: (/Date$/.test(k) ? 'date' : k === 'totalAmount' ? 'decimal' : 'string') as FieldType })),
      { path: 'lines', type: 'array' as FieldType },
      ...['transactionType', 'amountType', 'amountDescription', 'amount', 'orderId', 'sku', 'quantityPurchased', 'postedDate', 'marketplaceName'].map((k) => ({ path: `lines[].${k}`, type: (k === 'amount' ? 'decimal' : k === 'postedDate' ? 'date' : k === 'quantityPurchased' ? 'integer' : 'string') as FieldType })),
    ],
    'amazon/inventory-summary': () => fromZod(amazon.inventorySummarySchema),
    'sage300/OEOrders': () => fromZod(sage300.orderOut),
    'sage300/ICItems': () => fromZod(sage300.itemOut),
    'sage300/ARCustomers': () => fromZod(sage300.customerOut),
    'sage300/OEInvoices': () => fromZod(sage300.invoiceOut),
    'sage300/OEShipments': () => fromZod(sage300.shipmentOut),
    'sage300/ICLocationDetails': () => fromZod(sage300.stockOut),
    'sagex3/SOH': () => fromZod(sagex3.salesOrderInput),
    'sagex3/ITM': () => fromZod(sagex3.itemInput),
    'sagex3/BPC': () => fromZod(sagex3.customerInput),
    'sagex3/SIH': () => fromZod(sagex3.invoiceInput),
    'sagex3/GAS': () => fromZod(sagex3.journalEntryInput),
    'xcart/variant': () => fromZod(xcart.variantSchema, { ...moneyHints(['price']), weight: 'number' }),
    'sage300/ICItemPricing': () => fromZod(sage300.itemPricingOut, moneyHints(['ItemPricingDetails[].UnitPrice'])),
    // Finances v0 ShipmentEvent (financesV0.json; amazon-sp-api.md section 8): an order's charges, fees and
    // promotions per shipped item, money as {CurrencyCode, CurrencyAmount}.
    'amazon/shipment-event': () => [
      ...['AmazonOrderId', 'SellerOrderId', 'MarketplaceName'].map((k) => ({ path: k, type: 'string' as FieldType })),
      { path: 'PostedDate', type: 'date' as FieldType },
      { path: 'ShipmentItemList', type: 'array' as FieldType },
      ...['SellerSKU', 'OrderItemId'].map((k) => ({ path: `ShipmentItemList[].${k}`, type: 'string' as FieldType })),
      { path: 'ShipmentItemList[].QuantityShipped', type: 'integer' as FieldType },
      ...(
        [
          ['ItemChargeList', 'ChargeType', 'ChargeAmount'],
          ['ItemFeeList', 'FeeType', 'FeeAmount'],
          ['PromotionList', 'PromotionType', 'PromotionAmount'],
        ] as const
      ).flatMap(([list, kind, money]) => [
        { path: `ShipmentItemList[].${list}`, type: 'array' as FieldType },
        { path: `ShipmentItemList[].${list}[].${kind}`, type: 'string' as FieldType },
        { path: `ShipmentItemList[].${list}[].${money}.CurrencyCode`, type: 'string' as FieldType },
        { path: `ShipmentItemList[].${list}[].${money}.CurrencyAmount`, type: 'decimal' as FieldType },
      ]),
      { path: 'ShipmentItemList[].PromotionList[].PromotionId', type: 'string' as FieldType },
    ],
  };
}

/**
 * Targets no connector writes yet, with the fields of the Sage 300 Web API samples
 * (/work/shared/specs/sage300-samples: AR/ARInvoiceBatches.txt, AR/ARShipToLocations.txt), so that a
 * mapping to them can be suggested.
 */
function specTargets(): Record<string, () => Field[]> {
  const f = (path: string, type: FieldType = 'string'): Field => ({ path, type });
  return {
    'sage300/ARInvoiceBatches': () => [
      f('BatchDate', 'date'), f('Description'), f('Invoices', 'array'), f('Invoices[].CustomerNumber'), f('Invoices[].DocumentType'),
      f('Invoices[].TransactionType'), f('Invoices[].DocumentDate', 'date'), f('Invoices[].DueDate', 'date'), f('Invoices[].InvoiceType'),
      f('Invoices[].InvoiceDetails', 'array'), f('Invoices[].InvoiceDetails[].LineNumber', 'integer'), f('Invoices[].InvoiceDetails[].DistributionCode'),
      f('Invoices[].InvoiceDetails[].ExtendedAmountWithTIP', 'decimal'), f('Invoices[].InvoicePaymentSchedules', 'array'),
      f('Invoices[].InvoicePaymentSchedules[].PaymentNumber', 'integer'), f('Invoices[].InvoicePaymentSchedules[].AmountDue', 'decimal'),
      f('Invoices[].InvoicePaymentSchedules[].DueDate', 'date'),
    ],
    'sage300/ARShipToLocations': () =>
      ['CustomerNumber', 'ShipToLocationKey', 'Description', 'AddressLine1', 'City', 'StateProvince', 'ZipPostalCode', 'Country', 'ContactName', 'PhoneNumber', 'TaxGroup', 'SpecialInstructions', 'Salesperson1', 'CustomerPriceList', 'FreeOnBoard', 'ShipViaCode', 'ShipViaDescription', 'PrimaryShipToIndicator', 'InventoryLocation'].map((k) => f(k)),
  };
}

/** The names the systems use for an entity, to the schema names above and in mappings/targets. */
const ALIASES: Record<string, string[]> = {
  'sage300/oe-order': ['sage300/OEOrders'],
  'sage300/ar-customer': ['sage300/ARCustomers'],
  'sage300/oe-credit-note': ['sage300/OECreditDebitNotes'],
  'sage300/ar-receipt-batch': ['sage300/ARReceiptAndAdjustmentBatches'],
  'sage300/gl-journal-batch': ['sage300/GLJournalBatches'],
  'sagex3/soh': ['sagex3/SOH'],
  'sagex3/bpc': ['sagex3/BPC'],
  'sagex3/sih': ['sagex3/SIH'],
  'sagex3/journal-entry': ['sagex3/GAS'],
  'xcart/profile': ['xcart/profile'],
  'xcart/product': ['xcart/product'],
  'amazon/mcf-order': ['amazon/FulfillmentOrder'],
  'amazon/listing-put': ['amazon/Listing'],
};

const norm = (e: string): string => e.replace('.', '/').toLowerCase();

export type Side = 'source' | 'target';

/** The catalogue of `SYSTEM.ENTITY` (or `system/entity`) as a source or a target of a mapping. */
export function catalogue(entity: string, side: Side, extra: Field[] = []): Catalogue {
  const want = norm(entity);
  const sources = sourceSchemas();
  const targets = targetSchemas();
  const specs = specTargets();
  const srcKey = Object.keys(sources).find((k) => k.toLowerCase() === want);
  const tgtKey = [...targets.keys()].find((k) => k.toLowerCase() === want || (ALIASES[k] ?? []).some((a) => a.toLowerCase() === want));
  const specKey = Object.keys(specs).find((k) => k.toLowerCase() === want);
  // The entity's own side first, then the other side's fields: an X3 SOH read back has the fields
  // it was saved with, and a reverse mapping writes what the forward one read.
  const own = side === 'source' ? (srcKey ? sources[srcKey]() : undefined) : tgtKey ? targets.get(tgtKey) : specKey ? specs[specKey]() : undefined;
  const other = side === 'source' ? (tgtKey ? targets.get(tgtKey) : specKey ? specs[specKey]() : undefined) : srcKey ? sources[srcKey]() : undefined;
  if (!own && !other) throw userError('SUGGEST_UNKNOWN_ENTITY', `unknown entity "${entity}"; known: ${knownEntities().join(', ')}`, { details: { entity } });
  const fields = [...(own ?? [])];
  const have = new Set(fields.map((f) => f.path));
  const byPath = new Map(fields.map((f) => [f.path, f]));
  for (const f of [...(other ?? []), ...extra]) {
    const mine = byPath.get(f.path);
    // X3 sends everything as strings; the target schema knows a date or an amount.
    // A list of values one side declares as a list (X3's INVDTA in the connector's zod schema) is the
    // other side's one field of values (the target spec's dimensioned field): a list marker is no type.
    const scalar = f.type !== 'array' && f.type !== 'object';
    if (mine && scalar && (mine.type === 'array' || ((mine.type === 'string' || mine.type === 'unknown') && f.type !== 'string' && f.type !== 'unknown'))) byPath.set(f.path, { ...mine, type: f.type });
    if (!have.has(f.path)) (have.add(f.path), fields.push({ ...f, origin: 'other' }), byPath.set(f.path, { ...f, origin: 'other' }));
  }
  fields.splice(0, fields.length, ...fields.map((f) => byPath.get(f.path)!));
  return { entity, fields };
}

export function knownEntities(): string[] {
  const names = new Set<string>();
  for (const k of Object.keys(sourceSchemas())) names.add(k.replace('/', '.'));
  for (const k of targetSchemas().keys()) names.add(k.replace('/', '.'));
  for (const k of Object.keys(specTargets())) names.add(k.replace('/', '.'));
  for (const a of Object.values(ALIASES).flat()) names.add(a.replace('/', '.'));
  return [...names].sort();
}

/** The name a system gives the entity (`sage300/oe-order` → `sage300.OEOrders`). */
export function systemName(entity: string): string {
  const k = entity.replace('.', '/');
  const a = ALIASES[k] ?? ALIASES[k.toLowerCase()];
  if (a) return a[0].replace('/', '.');
  if (k === 'amazon/order') return 'amazon.Order';
  return k.replace('/', '.');
}

/** Leaf fields only: what a value can be mapped from or to. */
export const leaves = (fields: Field[]): Field[] => fields.filter((f) => f.type !== 'object' && f.type !== 'array');
export { z };
