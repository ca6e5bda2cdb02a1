// Validating and applying listing changes, shared by JSON_LISTINGS_FEED messages and the Listings
// Items API (same patch grammar). Rules follow amazon-models/schemas/listings-feed-message-schema-v2.json;
// issue codes are our own readable ones (Amazon's numeric codes are not published for these cases).
import { createHash } from 'node:crypto';
import type { Listing, Marketplace } from './marketplace.js';

export interface Issue {
  messageId?: number;
  sku?: string;
  code: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  attributeName?: string;
  attributeNames?: string[];
}

const OPS = ['UPDATE', 'PARTIAL_UPDATE', 'PATCH', 'DELETE'];
const PATCH_OPS = ['add', 'replace', 'merge', 'delete'];

/** Schema-level problems of one message (what makes it "invalid" in the processing report). */
export function validateMessage(m: unknown): Issue[] {
  const issue = (message: string, attributeName?: string): Issue => ({ code: 'INVALID_MESSAGE', severity: 'ERROR', message, ...(attributeName ? { attributeName } : {}) });
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return [issue('The message must be a JSON object.')];
  const x = m as Record<string, unknown>;
  const out: Issue[] = [];
  if (!Number.isInteger(x.messageId) || (x.messageId as number) < 1 || (x.messageId as number) > 2_147_483_647) out.push(issue('messageId must be an integer from 1 to 2147483647.'));
  if (typeof x.sku !== 'string' || x.sku.length === 0) out.push(issue('sku is required and must be a non-empty string.'));
  if (typeof x.operationType !== 'string' || !OPS.includes(x.operationType)) {
    out.push(issue(`operationType must be one of ${OPS.join(', ')}.`));
    return out;
  }
  const op = x.operationType;
  if (op !== 'DELETE' && (typeof x.productType !== 'string' || !x.productType)) out.push(issue(`productType is required for ${op}.`));
  if (op === 'DELETE' && (x.productType !== undefined || x.attributes !== undefined || x.patches !== undefined)) out.push(issue('DELETE takes no productType, attributes or patches.'));
  if (op === 'UPDATE' || op === 'PARTIAL_UPDATE') {
    if (typeof x.attributes !== 'object' || x.attributes === null || Array.isArray(x.attributes) || Object.keys(x.attributes).length === 0) out.push(issue(`attributes (a non-empty object) are required for ${op}.`));
    if (x.patches !== undefined) out.push(issue(`${op} takes attributes, not patches.`));
  }
  if (op === 'PATCH') {
    if (x.attributes !== undefined) out.push(issue('PATCH takes patches, not attributes.'));
    if (!Array.isArray(x.patches) || x.patches.length === 0) out.push(issue('patches (a non-empty array) are required for PATCH.'));
    else
      for (const p of x.patches as Array<Record<string, unknown>>) {
        if (typeof p !== 'object' || p === null) out.push(issue('Each patch must be an object.'));
        else if (typeof p.op !== 'string' || !PATCH_OPS.includes(p.op)) out.push(issue(`Patch op must be one of ${PATCH_OPS.join(', ')}.`));
        else if (typeof p.path !== 'string' || !/^\/attributes\/[a-z0-9_]+$/.test(p.path)) out.push(issue(`Invalid patch path: ${String(p.path)}`));
        else if (p.value !== undefined && (!Array.isArray(p.value) || p.value.some((v) => typeof v !== 'object' || v === null))) out.push(issue('Patch value must be an array of objects.', p.path.slice(12)));
        else if (p.op !== 'delete' && p.value === undefined) out.push(issue(`Patch ${p.op} needs a value.`, p.path.slice(12)));
      }
  }
  return out;
}

/** Business rules on an attribute set, e.g. quantities of the merchant-fulfilled offer. */
function checkAttributes(l: Listing | undefined, attrs: Record<string, unknown>): Issue[] {
  const out: Issue[] = [];
  const fa = attrs.fulfillment_availability;
  if (fa !== undefined) {
    if (!Array.isArray(fa)) return [{ code: 'INVALID_ATTRIBUTE', severity: 'ERROR', message: 'fulfillment_availability must be an array.', attributeName: 'fulfillment_availability' }];
    for (const e of fa as Array<Record<string, unknown>>) {
      if (e.fulfillment_channel_code === 'DEFAULT') {
        if (e.quantity !== undefined && (!Number.isInteger(e.quantity) || (e.quantity as number) < 0)) {
          out.push({ code: 'INVALID_ATTRIBUTE', severity: 'ERROR', message: `The value ${JSON.stringify(e.quantity)} for quantity is not valid: it must be a whole number of 0 or more.`, attributeName: 'fulfillment_availability' });
        }
        if (l && l.channel === 'AFN') {
          out.push({ code: 'FULFILLMENT_CHANNEL_CONFLICT', severity: 'ERROR', message: `SKU ${l.sku} is fulfilled by Amazon: its quantity comes from FBA inventory and cannot be set with fulfillment_channel_code DEFAULT.`, attributeName: 'fulfillment_availability' });
        }
      }
    }
  }
  const price = attrs.purchasable_offer;
  if (price !== undefined && !Array.isArray(price)) out.push({ code: 'INVALID_ATTRIBUTE', severity: 'ERROR', message: 'purchasable_offer must be an array.', attributeName: 'purchasable_offer' });
  // Amazon checks a product identifier's GS1 check digit (and that it is all digits of a GTIN length).
  const ids = attrs.externally_assigned_product_identifier;
  if (Array.isArray(ids))
    for (const e of ids as Array<Record<string, unknown>>) {
      const v = String(e.value ?? '');
      if (!gtinValid(v)) out.push({ code: 'INVALID_PRODUCT_IDENTIFIER', severity: 'ERROR', message: `The ${String(e.type ?? 'product identifier').toUpperCase()} '${v}' is not valid: it must be 8, 12, 13 or 14 digits with a correct GS1 check digit.`, attributeName: 'externally_assigned_product_identifier' });
    }
  const offer = (Array.isArray(price) ? (price as any[])[0]?.our_price?.[0]?.schedule?.[0]?.value_with_tax : undefined) as unknown;
  if (offer !== undefined && !(Number(offer) > 0)) out.push({ code: 'INVALID_PRICE', severity: 'ERROR', message: `The price ${JSON.stringify(offer)} is not valid: it must be greater than 0.`, attributeName: 'purchasable_offer' });
  return out;
}

/** GS1 check digit over an 8-, 12-, 13- or 14-digit GTIN. */
function gtinValid(v: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(v)) return false;
  const digits = [...v].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((t, d, i) => t + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

function patched(l: Listing, patches: Array<{ op: string; path: string; value?: unknown[] }>): Record<string, unknown> {
  const attrs: Record<string, unknown> = structuredClone(l.attributes);
  for (const p of patches) {
    const name = p.path.slice('/attributes/'.length);
    if (p.op === 'delete') delete attrs[name];
    else if (p.op === 'merge' && Array.isArray(attrs[name])) attrs[name] = (attrs[name] as Array<Record<string, unknown>>).map((v, i) => ({ ...v, ...((p.value?.[i] as object) ?? {}) }));
    else attrs[name] = p.value;
  }
  return attrs;
}

export interface Change {
  sku: string;
  operationType: string;
  productType?: string;
  attributes?: Record<string, unknown>;
  patches?: Array<{ op: string; path: string; value?: unknown[] }>;
}

/** Applies (or, with `preview`, only checks) one change. Returns the issues; none means accepted. */
export function applyChange(market: Marketplace, c: Change, preview: boolean): Issue[] {
  const l = market.listings.get(c.sku);
  const live = l && !l.deleted ? l : undefined;
  if (c.operationType === 'DELETE') {
    if (!live) return [{ code: 'NOT_FOUND', severity: 'ERROR', message: `SKU ${c.sku} does not exist in this marketplace.`, sku: c.sku }];
    if (!preview) live.deleted = true;
    return [];
  }
  if ((c.operationType === 'PATCH' || c.operationType === 'PARTIAL_UPDATE') && !live) {
    return [{ code: 'NOT_FOUND', severity: 'ERROR', message: `SKU ${c.sku} does not exist in this marketplace; create it with UPDATE (PUT) first.`, sku: c.sku }];
  }
  const attrs = c.operationType === 'PATCH' ? patched(live!, c.patches ?? []) : c.operationType === 'PARTIAL_UPDATE' ? { ...live!.attributes, ...c.attributes } : { ...c.attributes };
  if (c.operationType === 'UPDATE' && !live && !attrs.item_name && !attrs.purchasable_offer) {
    return [{ code: 'MISSING_ATTRIBUTE', severity: 'ERROR', message: "A new listing needs at least 'item_name' and 'purchasable_offer'.", attributeName: 'item_name', sku: c.sku }];
  }
  const issues = checkAttributes(live, attrs);
  if (issues.some((i) => i.severity === 'ERROR') || preview) return issues;
  const target = live ?? createListing(market, c.sku, c.productType ?? 'PRODUCT', attrs);
  target.attributes = attrs;
  if (c.productType) target.productType = c.productType;
  const qty = (attrs.fulfillment_availability as Array<Record<string, unknown>> | undefined)?.find((e) => e.fulfillment_channel_code === 'DEFAULT')?.quantity;
  if (typeof qty === 'number' && target.channel === 'MFN') market.setMfnQuantity(target, qty);
  const price = (attrs.purchasable_offer as any)?.[0]?.our_price?.[0]?.schedule?.[0]?.value_with_tax;
  if (typeof price === 'number' && price >= 0) target.price = price.toFixed(2);
  const name = (attrs.item_name as any)?.[0]?.value;
  if (typeof name === 'string') target.title = name;
  target.updatedAt = Date.now();
  target.deleted = false;
  return issues;
}

function createListing(market: Marketplace, sku: string, productType: string, attrs: Record<string, unknown>): Listing {
  const h = createHash('sha256').update(sku).digest('hex').toUpperCase();
  const l: Listing = {
    sku, asin: `B0${h.slice(0, 8)}`, fnSku: `X00${h.slice(8, 15)}`, title: sku, price: '0.00', channel: 'MFN', weightLb: '1.0', productType, attributes: attrs,
    mfnQuantity: 0,
    fba: { fulfillable: 0, inboundWorking: 0, inboundShipped: 0, inboundReceiving: 0, pendingCustomerOrder: 0, fcProcessing: 0, unfulfillable: 0, customerDamaged: 0, researching: 0, lastUpdated: Date.now() },
    createdAt: Date.now(), updatedAt: Date.now(), deleted: false,
  };
  market.listings.set(sku, l);
  return l;
}
