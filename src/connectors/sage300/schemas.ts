// Shapes of what the Sage 300 connector sends and returns. Field names stay Sage's own (so mappings
// target the names in Sage's documentation); amounts are decimal strings on our side and exact JSON
// numbers on Sage's wire.
import { Decimal } from 'decimal.js';
import { z } from 'zod';

/** An amount or quantity as we accept it: a decimal string ("19.99") or a finite number. */
export const decimalIn = z.union([
  z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as "19.99"'),
  z.number().finite(),
]);
function isPositive(v: unknown): boolean {
  try {
    return new Decimal(v as Decimal.Value).gt(0);
  } catch {
    return false; // not a number at all: the union has reported that already
  }
}
/** An amount as we return it: always a decimal string, never a float (an answer's non-number is a schema issue, not a DecimalError). */
export const decimalOut = z.union([z.number().finite(), z.string().regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,4})?$/, 'must be a decimal number')]).transform(plainDecimal);

/**
 * A number's shortest round-trip text is already its exact decimal unless it is in exponent form:
 * only then (and for strings, which may carry trailing zeros or a sign) decimal.js writes it out.
 * Every amount of every answer passes here (issue 12: a Decimal per field was most of the cost).
 */
function plainDecimal(v: number | string): string {
  if (typeof v === 'number') {
    const s = String(v);
    if (!s.includes('e')) return s;
  }
  return new Decimal(v).toFixed();
}
const dateIn = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'must be a date such as 2024-05-31');
const str = (max: number) => z.string().max(max);

export const optionalFieldIn = z.strictObject({ OptionalField: str(12).min(1), Value: str(60) });

export const itemLineIn = z.strictObject({
  LineType: z.literal('Item'),
  LineNumber: z.number().int().positive().optional(),
  /** Formatted (A1-1002-BLK) or unformatted (A11002BLK) item number. */
  Item: str(24).min(1),
  Location: str(6).optional(),
  Description: str(60).optional(),
  QuantityOrdered: decimalIn.refine((v) => isPositive(v), 'must be greater than zero'),
  /** Ship this many now (creates a shipment; with InvoiceWillBeProduced also an invoice). */
  QuantityShipped: decimalIn.optional(),
  PriceList: str(6).optional(),
  /** Leave out to take the price list's price. */
  PricingUnitPrice: decimalIn.optional(),
  OrderDiscountAmount: decimalIn.optional(),
  OrderDetailOptionalFields: z.array(optionalFieldIn).optional(),
});
export const miscLineIn = z.strictObject({
  LineType: z.literal('Miscellaneous'),
  LineNumber: z.number().int().positive().optional(),
  MiscellaneousChargesCode: str(6).min(1),
  Description: str(60).optional(),
  ExtendedAmount: decimalIn,
});
export const orderLineIn = z.discriminatedUnion('LineType', [itemLineIn, miscLineIn]);


export const orderIn = z.strictObject({
  CustomerNumber: str(12).min(1),
  OrderNumber: str(22).optional(),
  OrderType: z.enum(['Active', 'Future', 'Standing', 'Quote']).optional(),
  /** The source order's id: our idempotency key, checked before every create. */
  PurchaseOrderNumber: str(22).optional(),
  OrderReference: str(60).optional(),
  OrderDate: dateIn.optional(),
  ExpectedShipDate: dateIn.optional(),
  OrderDescription: str(60).optional(),
  OrderComment: str(250).optional(),
  BillToName: str(60).optional(),
  BillToAddressLine1: str(60).optional(),
  BillToAddressLine2: str(60).optional(),
  BillToAddressLine3: str(60).optional(),
  BillToAddressLine4: str(60).optional(),
  BillToCity: str(30).optional(),
  BillToStateProvince: str(30).optional(),
  BillToZipPostalCode: str(20).optional(),
  BillToCountry: str(30).optional(),
  BillToPhoneNumber: str(30).optional(),
  BillToContact: str(60).optional(),
  BillToContactEmail: str(50).optional(),
  ShipToName: str(60).optional(),
  ShipToAddressLine1: str(60).optional(),
  ShipToAddressLine2: str(60).optional(),
  ShipToAddressLine3: str(60).optional(),
  ShipToAddressLine4: str(60).optional(),
  ShipToCity: str(30).optional(),
  ShipToStateProvince: str(30).optional(),
  ShipToZipPostalCode: str(20).optional(),
  ShipToCountry: str(30).optional(),
  ShipToPhoneNumber: str(30).optional(),
  ShipToContact: str(60).optional(),
  ShipToContactEmail: str(50).optional(),
  ShipToEmail: str(50).optional(),
  ShipToLocationCode: str(6).optional(),
  ShipViaCode: str(6).optional(),
  /** Goes onto the shipment made at creation (QuantityShipped + InvoiceWillBeProduced). */
  ShipmentTrackingNumber: str(36).optional(),
  DefaultLocationCode: str(6).optional(),
  Salesperson1: str(8).optional(),
  OnHold: z.boolean().optional(),
  PriceListCode: str(6).optional(),
  InvoiceWillBeProduced: z.boolean().optional(),
  /** Header discount (coupons), taken off the order total. */
  OrderDiscountAmount: decimalIn.optional(),
  OrderOptionalFields: z.array(optionalFieldIn).optional(),
  OrderDetails: z.array(orderLineIn).min(1, 'an order needs at least one line'),
});
export type OrderIn = z.input<typeof orderIn>;

export const orderLineOut = z.looseObject({
  LineNumber: z.number(),
  LineType: z.string(),
  Item: z.string().optional(),
  Location: z.string().optional(),
  QuantityOrdered: decimalOut.optional(),
  QuantityShipped: decimalOut.optional(),
  QuantityShippedToDate: decimalOut.optional(),
  QuantityCommitted: decimalOut.optional(),
  QuantityBackordered: decimalOut.optional(),
  PricingUnitPrice: decimalOut.optional(),
  ExtendedAmount: decimalOut.optional(),
  MiscellaneousChargesCode: z.string().optional(),
});
export const orderOut = z.looseObject({
  OrderUniquifier: z.number(),
  OrderNumber: z.string(),
  CustomerNumber: z.string(),
  PurchaseOrderNumber: z.string().optional(),
  OrderReference: z.string().optional(),
  OrderDate: z.string().nullable().optional(),
  OrderType: z.string().optional(),
  OnHold: z.boolean().optional(),
  ShipViaCode: z.string().optional(),
  ShipmentTrackingNumber: z.string().optional(),
  LastShipmentNumber: z.string().optional(),
  LastInvoiceNumber: z.string().optional(),
  OrderSubtotal: decimalOut.optional(),
  OrderTotal: decimalOut.optional(),
  OrderCompleted: z.string().optional(),
  OrderDetails: z.array(orderLineOut).optional(),
});
export type OrderOut = z.output<typeof orderOut>;

export const itemOut = z.looseObject({
  UnformattedItemNumber: z.string(),
  ItemNumber: z.string(),
  Description: z.string().optional(),
  StructureCode: z.string().optional(),
  Category: z.string().optional(),
  StockItem: z.boolean().optional(),
  StockingUnitOfMeasure: z.string().optional(),
  DefaultPriceListCode: z.string().optional(),
  UnitWeight: decimalOut.optional(),
  Status: z.string().optional(),
  DateLastMaintained: z.string().nullable().optional(),
});
export type ItemOut = z.output<typeof itemOut>;

/** IC/ICItemPricing (ICPRIC): an item's prices in one price list and currency; the base price is a detail. */
export const itemPricingOut = z.looseObject({
  CurrencyCode: z.string(),
  UnformattedItemNumber: z.string(),
  PriceListCode: z.string(),
  DateLastMaintained: z.string().nullable().optional(),
  ItemPricingDetails: z.array(z.looseObject({ PriceDetailType: z.string().optional(), UnitPrice: decimalOut.optional() })).optional(),
});
export type ItemPricingOut = z.output<typeof itemPricingOut>;

/** The item number as ICItemPricing and ICILOC key it (UnformattedItemNumber): the structure's separators stripped. */
export const unformattedItemNumber = (itemNumber: string): string => itemNumber.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

export const customerOut = z.looseObject({
  CustomerNumber: z.string(),
  CustomerName: z.string().optional(),
  ShortName: z.string().optional(),
  Email: z.string().optional(),
  Status: z.string().optional(),
  OnHold: z.string().optional(),
  CheckForDuplicatePOs: z.string().optional(),
  CreditLimitCustomerCurrency: decimalOut.optional(),
  DateLastMaintained: z.string().nullable().optional(),
});
export type CustomerOut = z.output<typeof customerOut>;

export const invoiceOut = z.looseObject({
  InvoiceUniquifier: z.number(),
  InvoiceNumber: z.string(),
  OrderNumber: z.string(),
  ShipmentNumber: z.string().optional(),
  CustomerNumber: z.string().optional(),
  PurchaseOrderNumber: z.string().optional(),
  InvoiceDate: z.string().nullable().optional(),
  InvoiceSubtotalAmount: decimalOut.optional(),
  InvoiceTotal: decimalOut.optional(),
});
export type InvoiceOut = z.output<typeof invoiceOut>;

export const shipmentOut = z.looseObject({
  ShipmentUniquifier: z.number(),
  ShipmentNumber: z.string(),
  OrderNumber: z.string(),
  CustomerNumber: z.string().optional(),
  PurchaseOrderNumber: z.string().optional(),
  ShipmentDate: z.string().nullable().optional(),
  ShipViaCode: z.string().optional(),
  ShipmentTrackingNumber: z.string().optional(),
  InvoiceNumber: z.string().optional(),
  ShipmentDetails: z.array(z.looseObject({ LineNumber: z.number(), Item: z.string(), Location: z.string(), QuantityShipped: decimalOut })).optional(),
});
export type ShipmentOut = z.output<typeof shipmentOut>;

export const stockOut = z.looseObject({
  UnformattedItemNumber: z.string(),
  ItemNumber: z.string(),
  Location: z.string(),
  QuantityOnHand: decimalOut,
  QuantityCommitted: decimalOut,
  QuantityOnSalesOrder: decimalOut.optional(),
  QuantityAvailable: decimalOut,
  DateLastMaintained: z.string().nullable().optional(),
});
export type StockOut = z.output<typeof stockOut>;
