// The company the sandbox starts with: the merchant's shared catalog (generateCatalog, so X-Cart and
// Sage 300 agree on item numbers) plus the records of Sage's sample company SAMLTD that the official
// sample payloads refer to (customers 1100–1500, items A1-105/0…, accounts 1000/6000/9999, bank
// SEATAC, misc charge HC), so those payloads are accepted exactly as on a demo database.
import { generateCatalog, LOCATIONS } from '../shared/catalog.js';
import type { Company } from './company.js';
import type { Row } from './odata.js';
import { defaults } from './schema.js';
import * as M from './models.js';

/** The house account guest (not registered) web orders are entered against. */
export const WEB_CUSTOMER = 'WEBCUST';

export function seedCompany(co: Company, seed: number): void {
  const day = `${co.now().toISOString().slice(0, 10)}T00:00:00Z`;
  co.structures.set('CSC', { code: 'CSC', segments: [{ length: 2, sep: '-' }, { length: 4, sep: '-' }, { length: 3, sep: '' }] });
  co.structures.set('ITEM', { code: 'ITEM', segments: [{ length: 2, sep: '-' }, { length: 3, sep: '/' }, { length: 1, sep: '' }] });
  co.structures.set('LONG', { code: 'LONG', segments: [{ length: 24, sep: '' }] });
  // SRCCURR, FXRATE, SRCTOTAL: the fields Syncline's order template records a currency conversion in
  // (a merchant creates them in O/E Optional Fields during setup; see docs/connectors/sage300.md).
  for (const f of ['UPSZONE', 'SOURCE', 'WEBORDER', 'CHANNEL', 'SRCCURR', 'FXRATE', 'SRCTOTAL']) co.optionalFields.order.add(f);
  for (const f of ['QUANTITY', 'WEBLINE']) co.optionalFields.orderDetail.add(f);
  for (const f of ['WEBSITE', 'LOYALTY', 'XCPROFILE']) co.optionalFields.customer.add(f);
  for (const b of ['SEATAC', 'CCARD', 'WEBPAY']) co.banks.add(b);

  const generic: Array<[string, string, string, string[], string?]> = [
    ['AR', 'ARTerms', 'Terms', ['TermsCode']], ['AR', 'ARBillingCycles', 'BillingCycle', ['BillingCycleKey']],
    ['AR', 'ARSalespersons', 'Salesperson', ['SalespersonKey']], ['AR', 'ARCustomerGroups', 'CustomerGroup', ['GroupCode']],
    ['AR', 'ARNationalAccounts', 'NationalAccount', ['NationalAccountNumber']], ['AR', 'ARItems', 'ARItem', ['ItemNumber']],
    ['AR', 'ARRecurringCharges', 'RecurringCharge', ['CustomerNumber', 'RecurringChargeCode']],
    ['IC', 'ICCategories', 'Category', ['CategoryCode']], ['IC', 'ICAccountSets', 'AccountSet', ['AccountSetCode']],
    ['IC', 'ICPriceListCodes', 'PriceListCode', ['PriceListCodeKey']],
    ['IC', 'ICReceipts', 'Receipt', ['SequenceNumber'], 'SequenceNumber'], ['IC', 'ICAdjustments', 'Adjustment', ['SequenceNumber'], 'SequenceNumber'],
    ['IC', 'ICShipments', 'Shipment', ['SequenceNumber'], 'SequenceNumber'], ['IC', 'ICTransfers', 'Transfer', ['SequenceNumber'], 'SequenceNumber'],
    ['IC', 'ICInternalUsages', 'InternalUsage', ['SequenceNumber'], 'SequenceNumber'],
    ['GL', 'GLSourceCodes', 'SourceCode', ['SourceLedger', 'SourceType']], ['GL', 'GLRevaluationCodes', 'RevaluationCode', ['RevaluationCodeKey']],
    ['OE', 'OEShipViaCodes', 'ShipViaCode', ['Code']], ['OE', 'OETemplates', 'Template', ['TemplateCode']],
  ];
  for (const [mod, name, type, keys, gen] of generic) co.defineGeneric(mod, name, type, keys, gen);
  const put = (path: string, row: Row) => co.resources.get(path)!.table.insert(row);

  put('AR/ARTerms', { TermsCode: 'N30', Description: 'Net 30 days' });
  put('AR/ARTerms', { TermsCode: 'COD', Description: 'Cash on delivery' });
  for (const [code, d] of [['RTL', 'Retail customers'], ['WHL', 'Wholesale'], ['WEB', 'Web store customers']]) put('AR/ARCustomerGroups', { GroupCode: code, Description: d });
  for (const [code, d] of [['RTL', 'Retail'], ['WHS', 'Wholesale'], ['USA', 'US Price List']]) put('IC/ICPriceListCodes', { PriceListCodeKey: code, Description: d });
  for (const [code, d] of [['A1', 'Apparel'], ['B2', 'Bags'], ['C3', 'Camping'], ['D4', 'Drinkware'], ['E5', 'Electronics'], ['F6', 'Footwear']]) put('IC/ICCategories', { CategoryCode: code, Description: d });
  put('IC/ICAccountSets', { AccountSetCode: 'AVG', Description: 'Moving average', CostingMethod: 'MovingAverage' });
  // The ship-via codes of mappings/lookups/xcart-ship-via.yaml, so mapped orders name codes that exist.
  for (const [code, name] of [['CCT', 'Cross-Country Trucking Lines'], ['UPS', 'UPS'], ['FEDEX', 'FedEx'], ['USPS', 'US Postal Service'], ['DHL', 'DHL Express'],
    ['GROUND', 'Ground'], ['EXPRES', 'Express'], ['UPSGRD', 'UPS Ground'], ['UPS2D', 'UPS 2nd Day Air'], ['UPSNDA', 'UPS Next Day Air'], ['FDXGRD', 'FedEx Ground'],
    ['FDX2D', 'FedEx 2Day'], ['USPSPM', 'USPS Priority Mail'], ['USPSFC', 'USPS First-Class Package'], ['CPEXP', 'Canada Post Expedited'], ['PICKUP', 'Local pickup'], ['FREE', 'Free shipping']]) {
    put('OE/OEShipViaCodes', { Code: code, Name: name });
  }
  // TAX: sales tax the web store already charged, carried as a charge line to its liability account.
  // REFUND: the charge code a merchant sets up once for money-only web refunds (docs/flows.md, refund flow).
  for (const [code, d, amt, account] of [['HC', 'Handling charges', 20.25, '4200'], ['FRT', 'Freight', 0, '4200'], ['DISC', 'Discount', 0, '4200'], ['GIFT', 'Gift wrapping', 5, '4200'], ['TAX', 'Sales tax (web store)', 0, '2300'], ['REFUND', 'Web store refunds', 0, '4900']] as const) {
    put('OE/OEMiscellaneousCharges', { Currency: 'USD', MiscellaneousChargeCode: code, Description: d, MiscellaneousChargeRevenueAccount: account, Amount: amt });
  }

  for (const [key, name, type] of [['1', 'Central warehouse - Seattle', 'Physical'], ['2', 'Eastern warehouse - Boston', 'Physical'], ['3', 'Returns', 'Physical'], ['4', 'Store - Vancouver', 'Physical'], ['TRANS', 'Goods in transit', 'GoodsInTransit']]) {
    co.locations.table.insert({ ...defaults(M.location), LocationKey: key, Name: name, LocationType: type, Status: 'Active', DateLastMaintained: day });
  }

  const glAccounts: Array<[string, string, string, string]> = [
    ['1000', 'Bank - operating', 'BalanceSheet', 'Debit'], ['1020', 'Payment processor clearing', 'BalanceSheet', 'Debit'], ['1100', 'Accounts receivable', 'BalanceSheet', 'Debit'],
    ['1300', 'Inventory', 'BalanceSheet', 'Debit'], ['1310', 'Shipment clearing', 'BalanceSheet', 'Debit'], ['2100', 'Sales tax payable', 'BalanceSheet', 'Credit'],
    ['2200', 'Customer deposits', 'BalanceSheet', 'Credit'], ['4000', 'Sales', 'IncomeStatement', 'Credit'], ['4030', 'Sales adjustments', 'IncomeStatement', 'Debit'],
    ['4100', 'Sales returns', 'IncomeStatement', 'Debit'], ['4200', 'Shipping and handling revenue', 'IncomeStatement', 'Credit'], ['5000', 'Cost of goods sold', 'IncomeStatement', 'Debit'],
    ['6000', 'Operating expenses', 'IncomeStatement', 'Debit'], ['6000100', 'Operating expenses - web', 'IncomeStatement', 'Debit'], ['6100', 'Merchant fees', 'IncomeStatement', 'Debit'],
    ['9999', 'Suspense', 'BalanceSheet', 'Debit'],
  ];
  for (const [acct, desc, type, bal] of glAccounts) {
    co.glAccounts.table.insert({ ...defaults(M.glAccount), UnformattedAccount: acct, AccountNumber: acct, Description: desc, AccountType: type, NormalBalanceDRCR: bal, Status: 'Active', PostToAccount: 'Detail', StructureCode: 'ACC', DefaultCurrencyCode: 'USD', DateLastMaintained: day });
  }

  const addItem = (unf: string, fmt: string, structure: string, desc: string, category: string, price: string, weight: string, stock: Record<string, number>, lists: ReadonlyArray<readonly [string, number]> = [['RTL', 1], ['WHS', 0.8], ['USA', 1]]) => {
    co.addItem({
      ...defaults(M.item), UnformattedItemNumber: unf, ItemNumber: fmt, Description: desc, StructureCode: structure, Category: category, AccountSetCode: 'AVG',
      StockItem: true, StockingUnitOfMeasure: 'Ea.', DefaultPriceListCode: 'RTL', UnitWeight: Number(weight), WeightUnitOfMeasure: 'lbs.', SellableItem: true,
      Status: 'Active', DateLastMaintained: day, ItemUnitsOfMeasure: [{ ItemNumber: fmt, UnitOfMeasure: 'Ea.', ConversionFactor: 1, FACTOR: 1 }],
    });
    for (const [list, factor] of lists) {
      co.pricing.table.insert({
        ...defaults(M.itemPricing), CurrencyCode: 'USD', UnformattedItemNumber: unf, PriceListCode: list, Description: desc, DateLastMaintained: day,
        ItemPricingDetails: [{ CurrencyCode: 'USD', UnformattedItemNumber: unf, PriceListCode: list, PriceDetailType: 'BasePriceQuantity', QuantityUnit: 'Ea.', UnitPrice: Number((Number(price) * factor).toFixed(2)) }],
      });
    }
    for (const [loc, qty] of Object.entries(stock)) co.adjustStock(unf, loc, { onHand: qty });
  };
  const catalog = generateCatalog(seed);
  for (const it of catalog.items) addItem(it.unformatted, it.itemNo, 'CSC', it.description, it.segments[0], it.price, it.weightLb, it.stock);
  // SAMLTD items the official sample payloads use (retail prices only: the ICItemPricing sample creates WHS).
  for (const [unf, fmt, desc, price] of [['A11050', 'A1-105/0', 'Fluorescent Desk Lamp', '24.95'], ['A14000', 'A1-400/0', 'Halogen Desk Lamp', '54.95'], ['A14010', 'A1-401/0', 'Halogen Floor Lamp', '69.95'], ['A14500', 'A1-450/0', 'Bulletin Board', '88.05'], ['A16550', 'A1-655/0', 'Clip-on Lamp', '12.50']]) {
    addItem(unf!, fmt!, 'ITEM', desc!, 'A1', price!, '2.0', { '1': 500, '2': 100, '4': 200 }, [['RTL', 1]]);
  }
  void LOCATIONS;

  const customer = (row: Row) => co.customers.table.insert({ ...defaults(M.customer), Status: 'Active', OnHold: 'No', AccountSet: 'USA', BillingCycle: 'BILLMT', CurrencyCode: 'USD', PrintStatements: 'No', AccountType: 'OpenItem', Terms: 'N30', TaxGroup: 'USDTAX', CustomerPriceList: 'RTL', InventoryLocation: '1', StartDate: day, DateLastMaintained: day, ...row });
  for (const c of catalog.customers) {
    customer({
      CustomerNumber: c.number, ShortName: c.lastName.slice(0, 10), GroupCode: c.company ? 'WHL' : 'RTL', CustomerName: c.company ?? `${c.firstName} ${c.lastName}`,
      AddressLine1: c.address.street, AddressLine2: c.address.street2 ?? '', City: c.address.city, StateProvince: c.address.state, ZipPostalCode: c.address.zip,
      Country: c.address.country, ContactName: `${c.firstName} ${c.lastName}`, PhoneNumber: c.phone, Email: c.email, ContactsEmail: c.email,
      CurrencyCode: c.address.country === 'CA' ? 'CAD' : 'USD', CheckForDuplicatePOs: 'Error', CustomerPriceList: c.company ? 'WHS' : 'RTL',
    });
  }
  customer({ CustomerNumber: WEB_CUSTOMER, ShortName: 'WEB', GroupCode: 'WEB', CustomerName: 'Web store cash sales', AddressLine1: '100 Commerce Way', City: 'Portland', StateProvince: 'OR', ZipPostalCode: '97205', Country: 'US', Terms: 'COD', CheckForDuplicatePOs: 'Error' });
  for (const [num, name, city, state, zip] of [['1100', 'Bargain Mart - San Diego', 'San Diego', 'CA', '92101'], ['1200', 'Mr. Ronald Black', 'Seattle', 'WA', '98101'], ['1400', 'Ace Hardware', 'Toronto', 'ON', 'M5H 2N2'], ['1500', 'Mall Stores', 'Vancouver', 'BC', 'V6B 1A1']]) {
    customer({ CustomerNumber: num, ShortName: name!.slice(0, 10), GroupCode: 'WHL', CustomerName: name, AddressLine1: '1 Sample Road', City: city, StateProvince: state, ZipPostalCode: zip, Country: 'USA', CustomerPriceList: 'WHS', CheckForDuplicatePOs: 'None' });
  }
  for (const c of catalog.customers.filter((_, i) => i % 5 === 0)) {
    co.shipTos.table.insert({ ...defaults(M.shipTo), CustomerNumber: c.number, ShipToLocationKey: 'WORK', Description: `${c.firstName} ${c.lastName} (work)`, AddressLine1: '500 Business Park', City: c.address.city, StateProvince: c.address.state, ZipPostalCode: c.address.zip, Country: c.address.country, ContactName: `${c.firstName} ${c.lastName}`, PhoneNumber: c.phone, Email: c.email, TaxGroup: 'USDTAX', PrimaryShipToIndicator: 'No', Status: 'Active', DateLastMaintained: day });
  }
}
