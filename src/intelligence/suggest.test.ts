import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { acceptPair, knowledgeFor } from './index.js';
import { Knowledge } from './knowledge.js';
import { suggest, words } from './suggest.js';
import { catalogue, knownEntities, leaves } from './catalogue.js';

describe('mapping suggester', () => {
  /** The best (top) and three best (top3) targets for one source field, with no accepted knowledge. */
  const top3 = (src: string, tgt: string, field: string): string[] => suggest(src, tgt, { knowledge: new Knowledge() }, [field])[0]!.candidates.slice(0, 3).map((c) => c.target);
  const top = (src: string, tgt: string, field: string): string | undefined => top3(src, tgt, field)[0];

  it('reads ERP abbreviations, camelCase and snake_case', () => {
    expect(words('ORDDAT')).toEqual(['order', 'date']);
    expect(words('BPCNAM')).toEqual(['customer', 'name']);
    expect(words('ITMREF')).toEqual(['item', 'reference']);
    expect(words('CUSORDREF')).toEqual(['customer', 'order', 'reference']);
    expect(words('BPDPOSCOD')).toEqual(['ship', 'address', 'postal', 'code']);
    expect(words('ShipToAddressLine1')).toEqual(['ship', 'to', 'address', 'line', '#1']);
    expect(words('shipping_address')).toEqual(['shipping', 'address']);
    // A digit inside an X3 code: DES1AXX is description 1 (the translatable text).
    expect(words('DES1AXX')).toEqual(['description', '#1']);
    // Codes whose meaning ../shared/specs/sage-x3.md gives: the BPC address code, the item category,
    // the ledger type, a sales order line; a customer's own field (leading Y) reads without its letter.
    expect(words('CODADR')).toEqual(['code', 'address']);
    expect(words('TCLCOD')).toEqual(['category', 'code']);
    expect(words('LEDTYP')).toEqual(['ledger', 'type']);
    expect(words('SOPLIN')).toEqual(['order', 'line', 'number']);
    expect(words('YTRACKNUM')).toEqual(['tracking', 'number']);
  });

  it("reads a SKU as an item identifier, and an entity's own noun in its field names as saying little", () => {
    // X3's item reference is the MCF item's seller SKU, not its fulfillment order item id.
    expect(top('sagex3.SOH', 'amazon.FulfillmentOrder', 'lines[].ITMREF')).toBe('items[].sellerSku');
    expect(top('amazon.FulfillmentOrder', 'sagex3.SOH', 'items[].sellerSku')).toBe('lines[].ITMREF');
    // An item's weight (ITMWEI) is the listing's package weight: "item" in an item's field is the item itself.
    expect(top('sagex3.ITM', 'amazon.Listing', 'ITMWEI')).toBe('attributes.item_package_weight[].value');
  });

  it('ranks at most 5 candidates per source field, best first, confidences in [0, 1]', () => {
    const s = suggest('amazon.Order', 'sagex3.SOH', { knowledge: new Knowledge() });
    expect(s.length).toBeGreaterThan(30);
    for (const x of s) {
      expect(x.candidates.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < x.candidates.length; i++) expect(x.candidates[i - 1].confidence).toBeGreaterThanOrEqual(x.candidates[i].confidence);
      for (const c of x.candidates) expect(c.confidence).toBeGreaterThanOrEqual(0), expect(c.confidence).toBeLessThanOrEqual(1);
    }
    const top = (src: string): string | undefined => s.find((x) => x.source === src)?.candidates[0]?.target;
    // Without any accepted knowledge: names, types and structure alone.
    expect(top('ShippingAddress.PostalCode')).toBe('BPDPOSCOD');
    expect(top('ShippingAddress.City')).toBe('BPDCTY');
    expect(top('OrderItems[].SellerSKU')).toBe('lines[].ITMREF');
    expect(top('PurchaseDate')).toBe('ORDDAT');
  });

  it('reads a system name as whose, money leaves by their owner, a charges list as charges', () => {
    // AmazonOrderId is Amazon's order id: "amazon" no longer keeps it from the customer's order reference.
    expect(top3('sagex3.SOH', 'amazon.Order', 'CUSORDREF')).toContain('AmazonOrderId');
    // An offer's value_with_tax sits under our_price[].schedule[]: a price, and listing attributes are no lines.
    expect(top3('amazon.Listing', 'sagex3.ITM', 'attributes.purchasable_offer[].our_price[].schedule[].value_with_tax')[0]).toBe('BASPRI');
    expect(top3('sagex3.ITM', 'amazon.Listing', 'BASPRI')[0]).toBe('attributes.purchasable_offer[].our_price[].schedule[].value_with_tax');
    // An order discount may come as one of X-Cart's surcharges: the list's value is a charge, not a line.
    expect(top3('sage300.OEOrders', 'xcart.order', 'OrderDiscountAmount')).toContain('surcharges[].value');
    // A code is picked from a list, a number names a record: a payment's public id is the receipt's number, not the bank code.
    const pub = top3('xcart.payment_transaction', 'sage300.ARReceiptAndAdjustmentBatches', 'public_id');
    expect(pub).toContain('ReceiptsAdjustments[].CheckReceiptNo');
    expect(pub).not.toContain('BankCode');
  });

  it('reads a thing\'s name as that thing, a text value by its list, formats, service levels, subtotals and an item\'s title', () => {
    // state_name is the state as text, shipping_method_name the carrier: not the ship-to name BPDNAM.
    expect(top3('xcart.order', 'sagex3.SOH', 'shipping_address.state_name')[0]).toBe('BPDSAT');
    expect(top3('xcart.order', 'sagex3.SOH', 'shipping_method_name')[0]).toBe('BPTNUM');
    // A text value in a tracking list is a tracking number, not an amount.
    expect(top3('sage300.OEShipments', 'xcart.shipping-update', 'ShipmentTrackingNumber')).toContain('tracking[].value');
    // Amazon's ship service level is the ship-via; an order total is no subtotal; an e-mail goes to an e-mail.
    expect(top3('amazon.Order', 'sage300.OEOrders', 'ShipServiceLevel')[0]).toBe('ShipViaCode');
    expect(top3('amazon.Order', 'sage300.OEOrders', 'OrderTotal.Amount')[0]).toBe('OrderTotal');
    expect(top3('amazon.Order', 'sage300.OEOrders', 'BuyerInfo.BuyerEmail')[0]).toMatch(/Email$/);
    // An ERP item's first description is a shop product's name (its title); the second is its long text.
    expect(top3('sagex3.ITM', 'xcart.product', 'DES1AXX')[0]).toBe('name');
    expect(top3('sagex3.ITM', 'xcart.product', 'DES2AXX')[0]).toBe('description');
    // A note describes (journal DES); a category is a product type.
    expect(top3('xcart.payment_transaction', 'sagex3.GAS', 'note')).toContain('DES');
    expect(top3('sage300.ICItems', 'amazon.Listing', 'Category')[0]).toBe('productType');
    // ItemPrice.Amount is a price (of the item): a price field before the item's code.
    expect(top3('amazon.Order', 'sage300.OEOrders', 'OrderItems[].ItemPrice.Amount')[0]).toBe('OrderDetails[].PricingUnitPrice');
  });

  it('knows the entities read from the specs and schemas: Finances shipment events, A/R invoice batches and ship-to locations, item pricing, variants', () => {
    for (const e of ['amazon.shipment-event', 'sage300.ARInvoiceBatches', 'sage300.ARShipToLocations', 'sage300.ICItemPricing', 'xcart.variant']) expect(knownEntities()).toContain(e);
    const ev = leaves(catalogue('amazon.shipment-event', 'source').fields);
    expect(ev.find((f) => f.path === 'ShipmentItemList[].ItemFeeList[].FeeAmount.CurrencyAmount')?.type).toBe('decimal');
    expect(ev.find((f) => f.path === 'PostedDate')?.type).toBe('date');
    const ship = leaves(catalogue('sage300.ARShipToLocations', 'target').fields);
    expect(ship.find((f) => f.path === 'ZipPostalCode')?.origin).toBeUndefined();
    expect(suggest('xcart.variant', 'sagex3.ITM', { knowledge: new Knowledge() }).length).toBeGreaterThan(5);
    // The connector's zod schema declares X3's invoicing elements as lists (7bf9cc8): still one field of
    // values each, on both sides (the list marker dropped INVDTA from the SOH).
    for (const side of ['source', 'target'] as const) expect(leaves(catalogue('sagex3.SOH', side).fields).find((f) => f.path === 'INVDTA')?.type).toBe('string');
  });

  it('reads a unit before a measure as per unit, Finances money by its amount, a line item\'s name as its title, a key as an identifier', () => {
    // A unit price is a price, not a unit of measure (SAU, STU); a unit weight is a weight, not the weight's unit.
    expect(top3('sage300.ICItemPricing', 'sagex3.ITM', 'ItemPricingDetails[].UnitPrice')[0]).toBe('BASPRI');
    expect(top3('sage300.ICItems', 'amazon.Listing', 'UnitWeight')[0]).toBe('attributes.item_package_weight[].value');
    // {CurrencyCode, CurrencyAmount}: the amount is money, not the currency code CUR.
    expect(top3('amazon.shipment-event', 'sagex3.SIH', 'ShipmentItemList[].PromotionList[].PromotionAmount.CurrencyAmount')).not.toContain('CUR');
    // An order line's item name is the item's title (X3 ITMDES1), not its reference.
    expect(top3('xcart.order', 'sagex3.SIH', 'items[].name')[0]).toBe('lines[].ITMDES1');
    // A key identifies a record as a number does; an indicator is a flag.
    expect(top3('xcart.profile', 'sage300.ARShipToLocations', 'addresses[].id')).toContain('ShipToLocationKey');
    expect(top3('sagex3.BPC', 'sage300.ARShipToLocations', 'addresses[].BPAADDFLG')).toContain('PrimaryShipToIndicator');
  });

  it('reads a payment schedule and a tracking list as no lines, a price near an amount, a subtotal as an amount', () => {
    // An A/R invoice's payment schedule is the document's instalments: a line's price goes to the detail's amount,
    // the order total to the amount due.
    expect(top('amazon.Order', 'sage300.ARInvoiceBatches', 'OrderItems[].ItemPrice.Amount')).toBe('Invoices[].InvoiceDetails[].ExtendedAmountWithTIP');
    expect(top('amazon.Order', 'sage300.ARInvoiceBatches', 'OrderTotal.Amount')).toBe('Invoices[].InvoicePaymentSchedules[].AmountDue');
    // A gross price is an amount of the line (half weight), not the line's number.
    expect(top('sagex3.SIH', 'sage300.ARInvoiceBatches', 'lines[].GROPRI')).toBe('Invoices[].InvoiceDetails[].ExtendedAmountWithTIP');
    // A line's discounted subtotal is an amount: it had no candidate at all.
    expect(top('xcart.order', 'sage300.ARInvoiceBatches', 'items[].discounted_subtotal')).toBe('Invoices[].InvoiceDetails[].ExtendedAmountWithTIP');
    // X-Cart's tracking[] is one shipment's numbers, not lines: the header's tracking number and ship-via go there.
    expect(top('sage300.OEOrders', 'xcart.shipping-update', 'ShipmentTrackingNumber')).toBe('tracking[].value');
    expect(top('sage300.OEOrders', 'xcart.shipping-update', 'ShipViaCode')).toBe('tracking[].carrier');
  });

  it("reads another system's record number as a reference, an order's item as a line, a charge's kind as what it was for", () => {
    // A shop's order number goes to the ERP order's reference; the ERP numbers its order itself.
    expect(top3('xcart.order', 'sage300.OEOrders', 'order_number')[0]).toBe('OrderReference');
    expect(top3('amazon.Order', 'sage300.OEOrders', 'AmazonOrderId')[0]).toBe('OrderReference');
    // An order's item id is a line's id, as is a bare id in an order's items[]; X3's LIN is a line number.
    expect(top3('sage300.OEOrders', 'amazon.FulfillmentOrder', 'OrderDetails[].LineNumber')[0]).toBe('items[].sellerFulfillmentOrderItemId');
    expect(top3('amazon.FulfillmentOrder', 'sage300.OEShipments', 'items[].sellerFulfillmentOrderItemId')[0]).toBe('ShipmentDetails[].LineNumber');
    expect(top3('xcart.order', 'amazon.FulfillmentOrder', 'items[].id')[0]).toBe('items[].sellerFulfillmentOrderItemId');
    expect(top3('sage300.OEOrders', 'sagex3.SIH', 'OrderDetails[].LineNumber')[0]).toBe('lines[].SOPLIN');
    // A fee's or charge's type says what the money was for: a journal line's description comes up.
    expect(top3('amazon.shipment-event', 'sage300.GLJournalBatches', 'ShipmentItemList[].ItemFeeList[].FeeType')).toContain('JournalHeaders[].JournalDetails[].Description');
    expect(top3('amazon.shipment-event', 'sagex3.GAS', 'ShipmentItemList[].ItemChargeList[].ChargeType')).toContain('lines[].DES');
  });

  it("reads a seller's number as the record's own, a purchase order as a reference, a package as a shipment, an object's code as its thing", () => {
    // The seller's own number kept by MCF is the ERP's order number, not the customer's reference CUSORDREF.
    expect(top('amazon.FulfillmentOrder', 'sagex3.SOH', 'sellerFulfillmentOrderId')).toBe('SOHNUM');
    // A shop's order number on an ERP invoice: the buyer's purchase order number, not the ERP's order number.
    expect(top('xcart.order', 'sage300.OEInvoices', 'order_number')).toBe('PurchaseOrderNumber');
    // Amazon's packageReferenceId names the shipment.
    expect(top('sage300.OEShipments', 'amazon.shipment-confirmation', 'ShipmentNumber')).toBe('packageReferenceId');
    expect(top('sage300.OEOrders', 'amazon.shipment-confirmation', 'LastShipmentNumber')).toBe('packageReferenceId');
    // X-Cart's shipping_status.name is a status, not the order's number.
    expect(top('amazon.Order', 'xcart.order', 'OrderStatus')).toMatch(/^shipping_status\./);
  });

  it("sends a reference to the target's reference field, a charge list's code and type to the charge's", () => {
    // X3's customer order reference and a purchase order number: references, before the target's numbers.
    expect(top('sagex3.SOH', 'sage300.OEOrders', 'CUSORDREF')).toBe('OrderReference');
    expect(top('sage300.OEShipments', 'sagex3.soh-shipment-update', 'PurchaseOrderNumber')).toBe('CUSORDREF');
    // surcharges[].code is the charge's code (an X3 invoicing element), not an item's reference.
    expect(top('xcart.order', 'sagex3.SOH', 'surcharges[].code')).toBe('INVDTA');
    expect(top('xcart.order', 'sage300.OEOrders', 'surcharges[].type')).toBe('OrderDetails[].MiscellaneousChargesCode');
  });

  it('learns from an accepted pair', () => {
    const store = path.join(mkdtempSync(path.join(tmpdir(), 'suggest-')), 'accepted.json');
    const before = suggest('amazon.Order', 'sagex3.SOH', { knowledge: knowledgeFor(store) }, ['SellerOrderId'])[0].candidates[0].target;
    expect(before).not.toBe('BPTNUM');
    acceptPair(store, { source: 'amazon.Order', sourcePath: 'SellerOrderId', target: 'sagex3.SOH', targetPath: 'BPTNUM' });
    const after = suggest('amazon.Order', 'sagex3.SOH', { knowledge: knowledgeFor(store) }, ['SellerOrderId'])[0].candidates[0];
    expect(after.target).toBe('BPTNUM');
    expect(after.why).toMatch(/accepted before/);
    expect(() => acceptPair(store, { source: 'amazon.Order', sourcePath: 'Nope', target: 'sagex3.SOH', targetPath: 'BPTNUM' })).toThrow(/no field Nope/);
  });

  it('keeps its measured quality on the labelled set (held-out split learns nothing from its own templates)', () => {
    const r = evaluate();
    expect(r.heldout.n).toBeGreaterThan(80);
    // Floors a little under the figures in docs/intelligence.md: a regression fails here.
    expect(r.tuning.top1 / r.tuning.n).toBeGreaterThan(0.88);
    expect(r.heldout.top1 / r.heldout.n).toBeGreaterThan(0.88);
    expect(r.heldout.top3 / r.heldout.n).toBeGreaterThan(0.97);
    expect(r.tuning.top3 / r.tuning.n).toBeGreaterThan(0.975);
    // The hand-labelled sets are loaded and scored; no floor on a held-out one: a floor would make it a set to tune on.
    expect(r.judged.n).toBe(142);
    expect(r.unseen.n).toBe(106);
    expect(r.unseen2.n).toBe(60);
    expect(r.unseen2.top1 / r.unseen2.n).toBeGreaterThan(0.85);
    expect(r.unseen3.n).toBe(88);
    expect(r.unseen3.top1 / r.unseen3.n).toBeGreaterThan(0.9);
    expect(r.unseen4.n).toBe(124);
    expect(r.unseen4.top1 / r.unseen4.n).toBeGreaterThan(0.9);
    expect(r.unseen5.n).toBe(115);
  }, 60_000);
});
