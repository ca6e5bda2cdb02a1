// Words of commerce and ERP field names: the abbreviations Sage X3 packs into its upper-case field
// codes (ORDDAT = ORD + DAT, BPCNAM = BPC + NAM) and a thesaurus folding every word to a concept, so
// `zipcode`, `PostalCode` and `POSCOD` all read as "postal".

/** X3 (and Sage 300) abbreviations → words. Three letters mostly; a few two- and four-letter ones. */
export const ABBREVIATIONS: Record<string, string[]> = {
  ORD: ['order'], DAT: ['date'], BPC: ['customer'], BPD: ['ship', 'address'], BPA: ['address'], BPT: ['carrier'],
  BPR: ['partner'], BPS: ['supplier'], NAM: ['name'], NUM: ['number'], ITM: ['item'], REF: ['reference'], CUS: ['customer'],
  POS: ['postal'], COD: ['code'], CTY: ['city'], CRY: ['country'], SAT: ['state'], ADD: ['address'], LIG: ['line'],
  QTY: ['quantity'], PRI: ['price'], GRO: ['gross'], NET: ['net'], CUR: ['currency'], DEM: ['requested'], DLV: ['delivery'],
  FCY: ['site'], SAL: ['sales'], STO: ['stock'], TYP: ['type'], SOH: ['order'], SIH: ['invoice'], SIV: ['invoice'],
  INV: ['invoice'], DTA: ['element'], AMT: ['amount'], DES: ['description'], TEL: ['phone'], WEB: ['email'],
  ACC: ['account'], SNS: ['sign'], JOU: ['journal'], LAN: ['language'], BCG: ['group'], STA: ['status'], SHO: ['short'],
  SHI: ['ship'], ORI: ['origin'], DIS: ['discount'], VAL: ['value'], VAC: ['tax'], EAN: ['ean'], BAS: ['base'],
  WEI: ['weight'], TRACK: ['tracking'], FLG: ['flag'], SAU: ['unit'], DST: ['destination'], RGV: ['value'],
  AXX: [], CRG: ['charge'], UOM: ['unit'], STU: ['unit'], TSI: ['family'], CPN: ['company'], CHK: ['check'],
  YAMZ: ['amazon'], TRK: ['tracking'], LOC: ['location'], PTE: ['terms'], DUD: ['due'],
  // From ../shared/specs/sage-x3.md: TCL and LED as it names them ("TCLCOD (category)", "LEDTYP (ledger
  // type)"); the others read from where its tables put them (not spelled out there): CODADR among the
  // BPC address fields, CPY in the GAS header (CPN elsewhere), LIN a line number, SOPLIN in SORDERQ (sales
  // order lines), PURBASPRI beside ITMMASTER's base price BASPRI.
  TCL: ['category'], LED: ['ledger'], ADR: ['address'], CPY: ['company'], LIN: ['line', 'number'], SOP: ['order'], PUR: ['purchase'],
};

/** Word → concept. Words not listed are their own concept (after a light plural strip). */
const GROUPS: Record<string, string[]> = {
  postal: ['zip', 'zipcode', 'postal', 'postcode', 'poscod', 'postalcode'],
  city: ['city', 'town'],
  state: ['state', 'province', 'region', 'stateorregion'],
  country: ['country', 'countrycode'],
  street: ['street', 'addressline', 'addr'],
  line: ['line'],
  phone: ['phone', 'telephone', 'tel', 'mobile'],
  email: ['email', 'mail', 'login', 'e-mail'],
  name: ['name', 'firstname', 'lastname', 'fullname'],
  ship: ['ship', 'shipping', 'shipto', 'delivery', 'destination', 'deliver', 'shipment', 'package'],
  bill: ['bill', 'billing', 'billto'],
  item: ['item', 'sku', 'product', 'itemnumber', 'article', 'listing'],
  quantity: ['quantity', 'qty', 'qte'],
  price: ['price', 'unitprice', 'rate'],
  amount: ['amount', 'total', 'value', 'sum'],
  // A subtotal (OrderSubtotal, X-Cart sub_total, X3 ORDINVNOT) is the goods before charges: not the total.
  subtotal: ['subtotal'],
  currency: ['currency', 'currencycode'],
  status: ['status', 'enabled', 'active'],
  comment: ['comment', 'comments', 'note', 'notes', 'remark', 'remarks', 'memo'],
  description: ['description', 'title', 'desc', 'label'],
  weight: ['weight'],
  customer: ['customer', 'buyer', 'profile', 'client', 'partner'],
  carrier: ['carrier', 'via', 'method', 'servicelevel', 'speed', 'channel'],
  site: ['site', 'facility', 'location', 'warehouse', 'marketplace'],
  type: ['type', 'kind', 'class'],
  discount: ['discount', 'promotion', 'coupon'],
  tax: ['tax', 'vat'],
  account: ['account', 'ledger'],
  journal: ['journal', 'batch'],
  language: ['language', 'lang', 'locale'],
  group: ['group', 'category', 'membership'],
  // A key names one record as a number does (Sage 300 ShipToLocationKey, an item's key).
  id: ['id', 'number', 'no', 'num', 'reference', 'ref', 'identifier', 'key'],
  // A flag and an indicator are both a yes / no (X3 ...FLG, Sage 300 ...Indicator).
  flag: ['flag', 'indicator'],
  date: ['date', 'time', 'day', 'datetime', 'timestamp'],
  order: ['order', 'orders', 'ordered'],
  short: ['short'],
  tracking: ['tracking', 'track', 'tracknum'],
  // Sage 300 "Stock Item" is an item kept in inventory (ICItems spec).
  stock: ['stock', 'inventory'],
  // Amazon's externally_assigned_product_identifier takes an EAN, UPC or GTIN (listings spec); X3's EANCOD.
  gtin: ['ean', 'upc', 'gtin', 'isbn', 'jan', 'barcode'],
  // Order-level charges: Sage 300 miscellaneous charges, X-Cart surcharges, X3 invoicing elements (SOH3_5).
  charge: ['charge', 'surcharge', 'fee', 'freight'],
};

/**
 * A SKU is the seller's stock keeping unit, an item's identifier (ordersV0: "the item's seller stock
 * keeping unit (SKU)"): read as item and id, as X3's ITMREF (item reference) is. Amazon's own
 * ASIN stays a word of its own: it is not the seller's reference.
 */
export const IDENTIFIERS: Record<string, string[]> = { sku: ['item', 'id'] };

/** Multi-word names folded to one word before concepts (Amazon listing attribute names). */
export const PHRASES: Array<[string[], string]> = [
  [['externally', 'assigned', 'product', 'identifier'], 'gtin'],
  [['address', 'line'], 'street'],
  [['invoice', 'element'], 'charge'],
  [['shipping', 'price'], 'freight'],
  [['miscellaneous', 'charges'], 'charge'],
  // Amazon's ShipServiceLevel / ShipmentServiceLevelCategory: the shipping service, a carrier's speed.
  [['service', 'level'], 'servicelevel'],
  [['sub', 'total'], 'subtotal'],
  // An order's item (Amazon OrderItemId, MCF sellerFulfillmentOrderItemId) is one of its lines.
  [['order', 'item'], 'line'],
];

/**
 * X3 names a business partner's role on a document by the partner's code and the role (sage-x3.md:
 * SOH BPCORD sold-to, SIH BPCINV bill-to, BPCPYR pay-by, BPTNUM carrier): the field holds that partner's
 * code, an identifier, whatever the role.
 */
export const PARTNER_CODES = new Set(['BPC', 'BPR', 'BPS', 'BPT']);
export const PARTNER_ROLES = new Set(['ORD', 'INV', 'PYR', 'NUM']);

/** Words that say whose a value is (SellerSKU, merchantOrderId), not what it is: weigh like a digit. */
export const OWNERS = new Set(['seller', 'merchant', 'vendor']);

/** Words that say how a value is shown (displayableOrderId, UnformattedItemNumber), not what it is. */
export const FORM = new Set(['displayable', 'display', 'formatted', 'unformatted', 'printed']);

export const CONCEPT = new Map<string, string>();
for (const [c, words] of Object.entries(GROUPS)) for (const w of words) CONCEPT.set(w, c);

/** Words too common in field names to tell fields apart. */
export const STOP = new Set(['the', 'of', 'to', 'is', 'on', 'or', 'for', 'be', 'will', 'a', 'an', 'and', 'by', 'with', 'our', 'x', 'api', 'field', 'fields', 'data', 'info', 'address', 'attributes', 'addresses']);

const known = Object.keys(ABBREVIATIONS).sort((a, b) => b.length - a.length);

/** An upper-case code → abbreviations, longest first, dynamic programming over the whole code. */
export function splitCode(code: string): string[] | undefined {
  const s = code.replace(/\d+$/, '');
  const whole = splitWhole(s);
  // X3 names a customer's own fields with a leading X, Y or Z (YTRACKNUM is a tracking number): the
  // letter says whose the field is, the rest what it is.
  return whole ?? (/^[XYZ]/.test(s) ? splitWhole(s.slice(1)) : undefined);
}

function splitWhole(s: string): string[] | undefined {
  const best: Array<string[] | undefined> = new Array(s.length + 1).fill(undefined);
  best[0] = [];
  for (let i = 0; i < s.length; i++) {
    if (!best[i]) continue;
    for (const a of known) {
      if (s.startsWith(a, i)) {
        const cand = [...best[i]!, a];
        const cur = best[i + a.length];
        if (!cur || cand.length < cur.length) best[i + a.length] = cand;
      }
    }
  }
  return best[s.length];
}
