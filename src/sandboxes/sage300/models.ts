// The models of the resources the sandbox simulates, named as the Web API names them (SDK samples,
// Endpoint Reference, spec §2.6). Properties not confirmed in a public source are listed in
// docs/connectors/sage300.md ("what could not be confirmed").
import { B, C, D, E, N, S, YES_NO, model, type FieldSpec } from './schema.js';

const address = (prefix: string): Record<string, FieldSpec> => ({
  [`${prefix}AddressLine1`]: S(60), [`${prefix}AddressLine2`]: S(60), [`${prefix}AddressLine3`]: S(60), [`${prefix}AddressLine4`]: S(60),
  [`${prefix}City`]: S(30), [`${prefix}StateProvince`]: S(30), [`${prefix}ZipPostalCode`]: S(20), [`${prefix}Country`]: S(30),
});

export const customerOptionalField = model('AR', 'CustomerOptionalField', { CustomerNumber: S(12), OptionalField: S(12), Value: S(60) });
export const customer = model('AR', 'Customer', {
  CustomerNumber: S(12), ShortName: S(10), GroupCode: S(6), NationalAccount: S(12), Status: E('Active', 'Inactive'), OnHold: YES_NO,
  CustomerName: S(60), ...address(''), ContactName: S(60), PhoneNumber: S(30), FaxNumber: S(30), Email: S(50), ContactsEmail: S(50), WebSite: S(100),
  AccountSet: S(6), BillingCycle: S(6), InterestProfile: S(6), CurrencyCode: S(3), PrintStatements: YES_NO, AccountType: E('OpenItem', 'BalanceForward'),
  Terms: S(6), TaxGroup: S(12), CreditLimitCustomerCurrency: N, CustomerPriceList: S(6), PrimaryShipToLocation: S(6), ShipViaCode: S(6),
  InventoryLocation: S(6), CheckForDuplicatePOs: E('None', 'Warning', 'Error'), StartDate: D, DateLastMaintained: D,
  CustomerOptionalFieldValues: C(customerOptionalField),
});

export const shipTo = model('AR', 'ShipToLocation', {
  CustomerNumber: S(12), ShipToLocationKey: S(6), Description: S(60), ...address(''), ContactName: S(60), PhoneNumber: S(30), FaxNumber: S(30),
  Email: S(50), TaxGroup: S(12), SpecialInstructions: S(60), Salesperson1: S(8), Salesperson2: S(8), Salesperson3: S(8), Salesperson4: S(8), Salesperson5: S(8),
  SalesSplitPercentage1: N, SalesSplitPercentage2: N, SalesSplitPercentage3: N, SalesSplitPercentage4: N, SalesSplitPercentage5: N,
  CustomerPriceList: S(6), FreeOnBoard: S(60), ShipViaCode: S(6), ShipViaDescription: S(60), PrimaryShipToIndicator: YES_NO, InventoryLocation: S(6),
  Status: E('Active', 'Inactive'), DateLastMaintained: D,
});

export const itemUom = model('IC', 'ItemUnitOfMeasure', { ItemNumber: S(24), UnitOfMeasure: S(10), ConversionFactor: N, FACTOR: N });
export const itemOptionalField = model('IC', 'ItemOptionalField', { ItemNumber: S(24), OptionalField: S(12), Value: S(60) });
export const item = model('IC', 'Item', {
  UnformattedItemNumber: S(24), ItemNumber: S(24), Description: S(60), StructureCode: S(6), Category: S(6), AccountSetCode: S(6), StockItem: B,
  StockingUnitOfMeasure: S(10), DefaultPriceListCode: S(6), UnitWeight: N, WeightUnitOfMeasure: S(10), KittingItem: B, SellableItem: B,
  Status: E('Active', 'Inactive'), DateLastMaintained: D, ItemUnitsOfMeasure: C(itemUom), ItemOptionalFields: C(itemOptionalField),
});

export const location = model('IC', 'Location', {
  LocationKey: S(6), Name: S(60), LocationType: E('Physical', 'Logical', 'GoodsInTransit'), ...address(''), Status: E('Active', 'Inactive'), DateLastMaintained: D,
});

/** EXTENSION (no official resource): ICILOC, item × location quantities. */
export const locationDetail = model('IC', 'LocationDetail', {
  UnformattedItemNumber: S(24), ItemNumber: S(24), Location: S(6), QuantityOnHand: N, QuantityCommitted: N, QuantityOnSalesOrder: N,
  QuantityOnPurchaseOrder: N, QuantityAvailable: N, DateLastMaintained: D,
});

export const itemPricingDetail = model('IC', 'ItemPricingDetail', {
  CurrencyCode: S(3), UnformattedItemNumber: S(24), PriceListCode: S(6), PriceDetailType: S(40), QuantityUnit: S(10), UnitPrice: N,
});
export const itemPricing = model('IC', 'ItemPricing', {
  CurrencyCode: S(3), UnformattedItemNumber: S(24), PriceListCode: S(6), Description: S(60), MarkupCost: N, MarkupUnitOfMeasure: S(10),
  MarkupConversionFactor: N, SellingPriceBasedon: S(20), DiscountMarkupPriceby: S(20), DiscountMarkupPercentage1: N, DiscountMarkupPercentage2: N,
  DiscountMarkupPercentage3: N, DiscountMarkupPercentage4: N, DiscountMarkupPercentage5: N, PriceDeterminedby: S(20), MarkupFactor: N, PriceBy: S(20),
  DateLastMaintained: D, ItemPricingDetails: C(itemPricingDetail),
});

export const accountCurrency = model('GL', 'AccountValidCurrency', { AccountNumber: S(45), CurrencyCode: S(3), RevaluationSwitch: S(20), RevaluationCode: S(6) });
export const accountSubledger = model('GL', 'ControlAccountSubledger', { AccountNumber: S(45), Subledger: S(2) }, true);
export const glAccount = model('GL', 'Account', {
  UnformattedAccount: S(45), AccountNumber: S(45), Description: S(60), AccountType: E('BalanceSheet', 'IncomeStatement', 'RetainedEarnings'),
  NormalBalanceDRCR: E('Debit', 'Credit'), Status: E('Active', 'Inactive'), PostToAccount: E('Detail', 'Consolidated'), QuantitiesAllowed: YES_NO,
  UnitOfMeasure: S(6), AllocationsAllowed: S(30), AllocOffsetAccount: S(45), AllocSourceType: S(2), Multicurrency: YES_NO, SpecificCurrency: S(30),
  ControlAccount: YES_NO, AllocationPercentTotal: N, StructureCode: S(6), DefaultCurrencyCode: S(3), AccountGroupCode: S(12), RollupSwitch: YES_NO,
  DateLastMaintained: D, AccountValidCurrencies: C(accountCurrency), ControlAccountSubledgers: C(accountSubledger),
});

export const journalDetail = model('GL', 'JournalDetail', {
  BatchNumber: S(6), EntryNumber: S(5), TransactionNumber: S(10), AccountNumber: S(45), Amount: N, SourceCurrencyAmount: N, SourceCurrency: S(3),
  SourceCurrencyCode: S(3), ConversionRate: N,
  Description: S(60), Reference: S(60), Comment: S(250), TransactionDate: D,
});
export const journalHeader = model('GL', 'JournalHeader', {
  BatchNumber: S(6), EntryNumber: S(5), SourceLedger: S(2), SourceType: S(2), Description: S(60), DocumentDate: D, PostingDate: D,
  FiscalYear: S(4), FiscalPeriod: S(2), Debits: N, Credits: N, JournalDetails: C(journalDetail),
});
export const journalBatch = model('GL', 'JournalBatch', {
  BatchNumber: S(6), Description: S(60), Status: E('Open', 'ReadyToPost', 'Posted', 'Deleted', 'PostInProgress'), ReadyToPost: YES_NO,
  JournalBatchType: E('Entered', 'Subledger', 'Imported', 'GeneratedFromGL', 'Recurring', 'Cleared', 'Reversed'), SourceLedger: S(2),
  Debits: N, Credits: N, NumberOfEntries: N, PostingSequence: N, DateCreated: D, DateLastEdited: D, JournalHeaders: C(journalHeader),
});

const optionalField = (module: string, name: string, extra: Record<string, FieldSpec> = {}) =>
  model(module, name, { ...extra, OptionalField: S(12), Value: S(60) });
export const orderOptionalField = optionalField('OE', 'OrderOptionalField', { OrderUniquifier: N });
export const orderDetailOptionalField = optionalField('OE', 'OrderDetailOptionalField', { OrderUniquifier: N, LineNumber: N });
export const orderDetail = model('OE', 'OrderDetail', {
  OrderUniquifier: N, LineNumber: N, LineType: E('Item', 'Miscellaneous'), Item: S(24), Description: S(60), Location: S(6), QuantityOrdered: N,
  QuantityShipped: N, QuantityShippedToDate: N, QuantityBackordered: N, QuantityCommitted: N, OrderUnitOfMeasure: S(10), PriceList: S(6),
  PricingUnitPrice: N, OrderDiscountAmount: N, ExtendedAmount: N, MiscellaneousChargesCode: S(6), Comments: S(250), CompletedLine: YES_NO,
  OrderDetailOptionalFields: C(orderDetailOptionalField),
});
export const order = model('OE', 'Order', {
  OrderUniquifier: N, OrderNumber: S(22), CustomerNumber: S(12), CustomerName: S(60), OrderType: E('Active', 'Future', 'Standing', 'Quote'),
  OrderDate: D, ExpectedShipDate: D, PurchaseOrderNumber: S(22), OrderReference: S(60), OrderDescription: S(60), OrderComment: S(250),
  BillToName: S(60), ...address('BillTo'), BillToPhoneNumber: S(30), BillToContact: S(60), BillToContactEmail: S(50),
  ShipToLocationCode: S(6), ShipToName: S(60), ...address('ShipTo'), ShipToPhoneNumber: S(30), ShipToContact: S(60), ShipToContactEmail: S(50), ShipToEmail: S(50),
  ShipViaCode: S(6), ShipmentTrackingNumber: S(36), DefaultLocationCode: S(6), Salesperson1: S(8), OnHold: B, PriceListCode: S(6), CustomerCurrency: S(3),
  InvoiceWillBeProduced: B, LastShipmentNumber: S(22), LastShipmentDate: D, NumberOfShipments: N, LastInvoiceNumber: S(22), LastInvoiceDate: D,
  NumberOfInvoices: N, OrderSubtotal: N, OrderDiscountAmount: N, OrderTotal: N, OrderCompleted: E('NotCompleted', 'Completed'),
  OrderDetails: C(orderDetail), OrderOptionalFields: C(orderOptionalField),
});

export const invoiceDetail = model('OE', 'InvoiceDetail', {
  InvoiceUniquifier: N, LineNumber: N, LineType: E('Item', 'Miscellaneous'), Item: S(24), Description: S(60), Location: S(6), QuantityShipped: N,
  PricingUnitPrice: N, ExtendedAmount: N, MiscellaneousChargesCode: S(6),
});
export const invoice = model('OE', 'Invoice', {
  InvoiceUniquifier: N, InvoiceNumber: S(22), OrderNumber: S(22), OrderUniquifier: N, ShipmentNumber: S(22), CustomerNumber: S(12),
  PurchaseOrderNumber: S(22), OrderReference: S(60), InvoiceDate: D, ShipViaCode: S(6), ShipmentTrackingNumber: S(36),
  InvoiceSubtotalAmount: N, InvoiceDiscountAmount: N, InvoiceTotal: N, InvoiceDetails: C(invoiceDetail),
});

/** EXTENSION (not in the 2022 Endpoint Reference): OE0692 OESHIH, the shipments saving an order creates. */
export const shipmentDetail = model('OE', 'ShipmentDetail', { ShipmentUniquifier: N, LineNumber: N, Item: S(24), Location: S(6), QuantityShipped: N });
export const shipment = model('OE', 'Shipment', {
  ShipmentUniquifier: N, ShipmentNumber: S(22), OrderNumber: S(22), OrderUniquifier: N, CustomerNumber: S(12), PurchaseOrderNumber: S(22),
  OrderReference: S(60), ShipmentDate: D, ShipViaCode: S(6), ShipmentTrackingNumber: S(36), InvoiceNumber: S(22), ShipmentDetails: C(shipmentDetail),
});

export const creditNoteDetail = model('OE', 'CreditDebitDetail', {
  CNUniquifier: N, LineNumber: N, LineType: E('Item', 'Miscellaneous'), Item: S(24), MiscellaneousChargesCode: S(6), Location: S(6),
  QuantityReturned: N, CreditDebitNoteUOM: S(10), UnitPrice: N, ExtendedAmount: N, ExtendedAmountMiscellaneousCharge: N,
});
export const creditNote = model('OE', 'CreditDebitNote', {
  CNUniquifier: N, CreditDebitNoteNumber: S(22), CustomerNumber: S(12), Reference: S(60), Description: S(60), CreditDebitNoteDate: D,
  CreditDebitNoteType: E('CreditNote', 'DebitNote'), InvoiceNumber: S(22), CreditDebitNoteTotal: N, CreditDebitDetails: C(creditNoteDetail),
});

// AR batches are modelled from the official samples; their many other view fields are accepted as is.
export const arBatch = (name: string) => model('AR', name, {
  BatchRecordType: E('CA', 'AD'), BatchNumber: N, BatchDate: D, Description: S(60), BankCode: S(8), DefaultBankCurrency: S(3), NumberOfEntries: N,
  BatchStatus: E('Open', 'ReadyToPost', 'Posted', 'Deleted', 'PostInProgress'), BatchTotal: N,
}, true);
