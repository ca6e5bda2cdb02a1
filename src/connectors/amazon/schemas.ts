// Typed shapes of what the connector reads, after Amazon's models (amazon-models/*.json). Objects are
// loose (unknown fields pass through) so a field Amazon adds never breaks a sync; the fields we rely
// on are checked. Money stays a decimal string: Orders v0 sends strings; Finances' numbers are
// converted with their exact printed digits.
import { z } from 'zod';

/** Orders v0 money: `{"CurrencyCode":"USD","Amount":"11.01"}`. */
export const moneySchema = z.looseObject({ CurrencyCode: z.string(), Amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string') });

export const addressSchema = z.looseObject({
  Name: z.string().optional(),
  CompanyName: z.string().optional(),
  AddressLine1: z.string().optional(),
  AddressLine2: z.string().optional(),
  AddressLine3: z.string().optional(),
  City: z.string().optional(),
  County: z.string().optional(),
  District: z.string().optional(),
  StateOrRegion: z.string().optional(),
  PostalCode: z.string().optional(),
  CountryCode: z.string().optional(),
  Phone: z.string().optional(),
  AddressType: z.enum(['Residential', 'Commercial']).optional(),
});

export const orderStatusSchema = z.enum(['Pending', 'Unshipped', 'PartiallyShipped', 'Shipped', 'Canceled', 'Unfulfillable', 'InvoiceUnconfirmed', 'PendingAvailability']);

export const orderSchema = z.looseObject({
  AmazonOrderId: z.string(),
  SellerOrderId: z.string().optional(),
  PurchaseDate: z.string(),
  LastUpdateDate: z.string(),
  OrderStatus: orderStatusSchema,
  FulfillmentChannel: z.enum(['MFN', 'AFN']).optional(),
  SalesChannel: z.string().optional(),
  ShipServiceLevel: z.string().optional(),
  OrderTotal: moneySchema.optional(),
  NumberOfItemsShipped: z.number().int().optional(),
  NumberOfItemsUnshipped: z.number().int().optional(),
  PaymentMethod: z.enum(['COD', 'CVS', 'Other']).optional(),
  MarketplaceId: z.string().optional(),
  ShipmentServiceLevelCategory: z.string().optional(),
  OrderType: z.string().optional(),
  EarliestShipDate: z.string().optional(),
  LatestShipDate: z.string().optional(),
  IsBusinessOrder: z.boolean().optional(),
  IsPrime: z.boolean().optional(),
  ShippingAddress: addressSchema.optional(),
  BuyerInfo: z.looseObject({ BuyerEmail: z.string().optional(), BuyerName: z.string().optional(), PurchaseOrderNumber: z.string().optional() }).optional(),
});
export type AmazonOrder = z.output<typeof orderSchema>;

export const orderItemSchema = z.looseObject({
  ASIN: z.string(),
  SellerSKU: z.string().optional(),
  OrderItemId: z.string(),
  Title: z.string().optional(),
  QuantityOrdered: z.number().int(),
  QuantityShipped: z.number().int().optional(),
  ItemPrice: moneySchema.optional(),
  ShippingPrice: moneySchema.optional(),
  ItemTax: moneySchema.optional(),
  ShippingTax: moneySchema.optional(),
  ShippingDiscount: moneySchema.optional(),
  PromotionDiscount: moneySchema.optional(),
  PromotionIds: z.array(z.string()).optional(),
  IsGift: z.enum(['true', 'false']).optional(),
});
export type AmazonOrderItem = z.output<typeof orderItemSchema>;

/** Feeds and Reports share the processing status enum. */
export const processingStatusSchema = z.enum(['IN_QUEUE', 'IN_PROGRESS', 'DONE', 'CANCELLED', 'FATAL']);

export const feedSchema = z.looseObject({
  feedId: z.string(),
  feedType: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  createdTime: z.string(),
  processingStatus: processingStatusSchema,
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  resultFeedDocumentId: z.string().optional(),
});
export type AmazonFeed = z.output<typeof feedSchema>;

export const reportSchema = z.looseObject({
  reportId: z.string(),
  reportType: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  dataStartTime: z.string().optional(),
  dataEndTime: z.string().optional(),
  createdTime: z.string(),
  processingStatus: processingStatusSchema,
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  reportDocumentId: z.string().optional(),
});
export type AmazonReport = z.output<typeof reportSchema>;

export const documentSchema = z.looseObject({ url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() });

export const inventorySummarySchema = z.looseObject({
  asin: z.string().optional(),
  fnSku: z.string().optional(),
  sellerSku: z.string().optional(),
  condition: z.string().optional(),
  inventoryDetails: z.looseObject({ fulfillableQuantity: z.number().int().optional() }).optional(),
  lastUpdatedTime: z.string().optional(),
  productName: z.string().optional(),
  totalQuantity: z.number().int().optional(),
});
export type AmazonInventorySummary = z.output<typeof inventorySummarySchema>;

/** MCF money: `{currencyCode, value}` with value a decimal string. */
export const mcfMoneySchema = z.looseObject({ currencyCode: z.string(), value: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string') });

export const mcfAddressSchema = z.looseObject({
  name: z.string().min(1).max(50),
  addressLine1: z.string().min(1).max(60),
  addressLine2: z.string().max(60).optional(),
  addressLine3: z.string().max(60).optional(),
  city: z.string().max(50).optional(),
  districtOrCounty: z.string().max(50).optional(),
  stateOrRegion: z.string().max(150).optional(),
  postalCode: z.string().min(1).max(20),
  countryCode: z.string().length(2),
  phone: z.string().max(20).optional(),
});

/** Finances v0 money: `{CurrencyCode, CurrencyAmount}` — a JSON number, kept as its printed digits. */
export const financesCurrencySchema = z.looseObject({
  CurrencyCode: z.string().optional(),
  CurrencyAmount: z.union([z.number(), z.string()]).optional().transform((v) => (v === undefined ? undefined : decimalFromNumber(v))),
});

/** `12.3` → "12.3": a double prints its shortest round-tripping digits, which are Amazon's digits. */
export function decimalFromNumber(v: number | string): string {
  const s = typeof v === 'number' ? String(v) : v.trim();
  if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(s)) throw new RangeError(`not a decimal: ${s}`);
  return s;
}

export const listingSubmissionSchema = z.looseObject({
  sku: z.string(),
  status: z.enum(['ACCEPTED', 'INVALID', 'VALID']),
  submissionId: z.string(),
  issues: z.array(z.looseObject({ code: z.string(), message: z.string(), severity: z.enum(['ERROR', 'WARNING', 'INFO']), attributeNames: z.array(z.string()).optional() })).optional(),
});

export const listingsPatchSchema = z.object({
  op: z.enum(['add', 'replace', 'merge', 'delete']),
  path: z.string().regex(/^\/attributes\/[a-z0-9_]+$/, 'a path like /attributes/fulfillment_availability'),
  value: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** ISO 8601 date-time with zone, as SP-API wants in every date parameter. */
export const isoDateTime = z.iso.datetime({ offset: true });
