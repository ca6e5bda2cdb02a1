// The simulated X3 folder: products, customers, sales orders, invoices, journal entries, stock and the
// stock journal, with X3's rules (sequence counters, local menus, mandatory fields, allocation,
// balanced entries, locks). Every rule violation is an X3Error carrying X3's type-3 message, which the
// SOAP layer returns as status 0 in an HTTP 200, as X3 does.
import { Decimal } from 'decimal.js';
import countries from 'i18n-iso-countries';
import { generateCatalog } from '../shared/catalog.js';
import type { FieldValue, Payload, Row } from './grammar.js';
import { layouts, menuValues, type ObjectCode, type ObjectLayout } from './layouts.js';
import { siteLayouts, type PublicationDeclaration, type SiteLayouts } from './publications.js';

export interface X3Message {
  type: '1' | '2' | '3';
  message: string;
}
export class X3Error extends Error {
  constructor(readonly messages: X3Message[]) {
    super(messages.map((m) => m.message).join('; '));
  }
}
const fail = (message: string): never => {
  throw new X3Error([{ type: '3', message }]);
};

export interface Rec {
  fields: Row;
  tables: Record<string, Row[]>;
  created: string;
  updated: string;
  modUser: string;
}

export interface StockRow {
  STOCOU: number;
  STOFCY: string;
  ITMREF: string;
  LOT: string;
  LOC: string;
  STA: string;
  QTYSTU: Decimal;
  UPDDATTIM: string;
}
export interface JournalRow {
  STOJOUID: number;
  STOFCY: string;
  ITMREF: string;
  LOT: string;
  STA: string;
  QTYSTU: string;
  /** 1 miscellaneous receipt, 2 miscellaneous issue, 4 delivery, 10 stock count, 20 status change (sandbox values). */
  TRSTYP: number;
  VCRNUM: string;
  CREDATTIM: string;
}

export const SITES: Record<string, { name: string; sales: boolean; stock: boolean; cpy: string }> = {
  US011: { name: 'Portland DC', sales: true, stock: true, cpy: 'US01' },
  US012: { name: 'Reno DC', sales: true, stock: true, cpy: 'US01' },
  US013: { name: 'Head office', sales: true, stock: false, cpy: 'US01' },
  // The seller's stock at Amazon's fulfilment centres, a site of its own (stock only, no sales):
  // Amazon owns its quantities, which are counted into it (amazon-fba-inventory-to-sagex3).
  US014: { name: 'Amazon FBA US', sales: false, stock: true, cpy: 'US01' },
};
/** Catalog warehouse location → X3 stock site. */
export const SITE_OF_LOCATION: Record<string, string> = { '1': 'US011', '2': 'US012' };
const CURRENCIES = new Set(['USD', 'CAD', 'EUR', 'GBP']);
const UNITS = new Set(['UN', 'EA', 'KG', 'BOX', 'PK']);
// NT, US and TEST are codes of Sage's SEED folder that Sage's own tester samples use (WSITM, WSBPC).
const TAX_RULES: Record<string, string> = { USA: '0', CAN: '0.05', EXO: '0', NOR: '0.20', NT: '0' };
const CUSTOMER_CATEGORIES = new Set(['NAT', 'EXP', 'MKT', 'US']);
const ITEM_CATEGORIES = new Set(['A1', 'B2', 'C3', 'D4', 'E5', 'F6', 'MISC', 'TEST']);
const SOH_TYPES = new Set(['SON', 'SOI']);
/** The folder's invoicing elements (SFOOTINV) an order may carry: the codes the Amazon order mapping uses. */
const INVOICING_ELEMENTS: Record<string, string> = { '1': 'Carriage', '2': 'Discount' };
const INVDTA_SLOTS = 30;
/** Chart of accounts (GACCOUNT). `collective` accounts need a business partner (BPR) on the line. */
export const ACCOUNTS: Record<string, { des: string; collective?: boolean }> = {
  '411000': { des: 'Customers', collective: true },
  '401000': { des: 'Suppliers', collective: true },
  '467000': { des: 'Other receivables (marketplace reserve)' },
  '471000': { des: 'Suspense' },
  '512000': { des: 'Bank' },
  '512100': { des: 'Bank - marketplace clearing' },
  '445710': { des: 'Sales tax collected' },
  '622200': { des: 'Marketplace commissions' },
  '622400': { des: 'Fulfilment fees' },
  '627000': { des: 'Bank charges' },
  '623000': { des: 'Advertising' },
  '707000': { des: 'Sales of goods' },
  '708500': { des: 'Shipping income' },
  '709000': { des: 'Discounts granted' },
  '758000': { des: 'Miscellaneous income (reimbursements)' },
  // What a site that adopted the shipped settlement-accounts table (mappings/lookups) has set up,
  // with the AMZ journal and entry type of the settlement template.
  '164000': { des: 'Loans (Amazon Lending)' },
  '467100': { des: 'Amazon reserved balance' },
  '467200': { des: 'Amounts owed to Amazon' },
  '622600': { des: 'Amazon referral fees' },
  '622650': { des: 'Amazon digital services fees' },
  '622700': { des: 'Amazon subscription' },
  '623100': { des: 'Amazon advertising' },
  '623200': { des: 'Coupon redemption fees' },
  '624100': { des: 'FBA fulfilment fees' },
  '624150': { des: 'Shipping chargebacks' },
  '624200': { des: 'FBA storage fees' },
  '701000': { des: 'Sales of goods - Amazon' },
  '708600': { des: 'Gift wrap income' },
  '709100': { des: 'Refunds granted' },
};
const JOURNALS = new Set(['OD', 'VEN', 'BQ1', 'AMZ']);
const ENTRY_TYPES = new Set(['ODP', 'GEN', 'SAL', 'AMZ']);
const INVOICE_TYPES = new Set(['INV', 'CRN']);

const LOCK_TEXT: Record<string, string> = {
  ENG: 'Record being modified and locked by another user',
  FRA: 'Fiche en cours de modification & bloquée',
};

export interface StateOptions {
  seed?: number;
  /** Sandbox clock (scaled time). */
  now?: () => Date;
}

type Store = Map<string, Rec>;

export class X3State {
  readonly stores: Record<ObjectCode, Store> = { SOH: new Map(), ITM: new Map(), BPC: new Map(), SIH: new Map(), GAS: new Map() };
  readonly stock: StockRow[] = [];
  /** Stock lines by `site|item`: allocation reads them on every order line. */
  private readonly stockBy = new Map<string, StockRow[]>();
  readonly journal: JournalRow[] = [];
  /** Allocated quantity per `site|item` (X3 keeps it on the stock lines; the sum is what matters). */
  readonly allocated = new Map<string, Decimal>();
  private counters = new Map<string, number>();
  /** Records held by someone else: `${code}:${key}` → until (ms) and who. */
  readonly locks = new Map<string, { until: number; user: string }>();
  private lastStamp = 0;
  /** Orders closed by the Close action (they stay closed whatever is delivered or invoiced later). */
  private readonly closedOrders = new Set<string>();
  /** Stock movements made through the movement subprogram, by the caller's reference. */
  readonly movementsByRef = new Map<string, string>();
  private stockSeq = 0;
  readonly now: () => Date;
  /** What this site publishes: the stock screens plus its declared fields and tables (publications.ts). */
  site: SiteLayouts = siteLayouts();

  /** Replaces the site's publication declaration (GESAWE after a screen change and a republish). */
  declare(declaration: PublicationDeclaration): void {
    this.site = siteLayouts(declaration);
  }

  constructor(opts: StateOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.seed(opts.seed ?? 1);
  }

  // ---------- clock, counters, stamps ----------
  /** Strictly increasing ISO stamps, so `UPDDATTIM gt <cursor>` never skips a change made in the same ms. */
  stamp(): string {
    const t = Math.max(this.now().getTime(), this.lastStamp + 1);
    this.lastStamp = t;
    return new Date(t).toISOString();
  }
  today(): string {
    return ymd(this.now());
  }
  private next(counter: string): number {
    const n = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, n);
    return n;
  }

  private seed(seed: number): void {
    const cat = generateCatalog(seed);
    const t = this.stamp();
    for (const it of cat.items) {
      this.stores.ITM.set(it.itemNo, {
        fields: {
          ITMREF: it.itemNo, DES1AXX: it.description, DES2AXX: it.category, DES3AXX: '', TCLCOD: it.segments[0], ITMSTA: '1',
          EANCOD: '', STU: 'UN', SAU: 'UN', ITMWEI: new Decimal(it.weightLb).mul('0.45359237').toDecimalPlaces(3).toString(),
          BASPRI: it.price, PURBASPRI: it.cost, ACCCOD: 'STD', VACITM: ['NOR'],
        },
        tables: {}, created: t, updated: t, modUser: 'ADMIN',
      });
      for (const [loc, qty] of Object.entries(it.stock)) {
        if (qty <= 0) continue;
        this.addStock({ STOCOU: ++this.stockSeq, STOFCY: SITE_OF_LOCATION[loc]!, ITMREF: it.itemNo, LOT: '', LOC: 'A01', STA: 'A', QTYSTU: new Decimal(qty), UPDDATTIM: t });
      }
    }
    for (const cu of cat.customers) {
      const name = cu.company ?? `${cu.firstName} ${cu.lastName}`;
      this.stores.BPC.set(cu.number, {
        fields: {
          BPCNUM: cu.number, BPCNAM: name, BCGCOD: cu.address.country === 'US' ? 'NAT' : 'EXP', BPCSTA: '2', BPRSHO: name.slice(0, 10), BPRLOG: '',
          BPRNAM: [name, ''], CRY: cu.address.country, LAN: 'ENG', CUR: cu.address.country === 'CA' ? 'CAD' : 'USD', CRN: '',
          VACBPR: cu.address.country === 'CA' ? 'CAN' : 'USA', PTE: 'NET30', ACCCOD: 'STD',
        },
        tables: {
          BPAC_1: [{
            CODADR: 'MAIN', BPADES: 'Main address', BPACRY: cu.address.country, ADDLIG1: cu.address.street, ADDLIG2: cu.address.street2 ?? '', ADDLIG3: '',
            POSCOD: cu.address.zip, CTY: cu.address.city, SAT: cu.address.state, TEL1: cu.phone, WEB1: cu.email, BPAADDFLG: '2',
          }],
        },
        created: t, updated: t, modUser: 'ADMIN',
      });
    }
    this.counters.set('BPC', cat.customers.length);
  }

  // ---------- locks ----------
  lock(code: ObjectCode, key: string, ms: number, user = 'OPERATOR'): void {
    this.locks.set(`${code}:${key}`, { until: Date.now() + ms, user });
  }
  unlock(code: ObjectCode, key: string): void {
    this.locks.delete(`${code}:${key}`);
  }
  checkLock(code: ObjectCode, key: string, lang: string): void {
    const l = this.locks.get(`${code}:${key}`);
    if (!l) return;
    if (l.until <= Date.now()) {
      this.locks.delete(`${code}:${key}`);
      return;
    }
    fail(`${key} : ${LOCK_TEXT[lang] ?? LOCK_TEXT.ENG} (${l.user})`);
  }
  lockMessage(key: string, lang: string, user: string): X3Error {
    return new X3Error([{ type: '3', message: `${key} : ${LOCK_TEXT[lang] ?? LOCK_TEXT.ENG} (${user})` }]);
  }

  // ---------- generic object access ----------
  keyOf(code: ObjectCode, keys: Record<string, string>): string {
    const names = layouts[code].keys.map((k) => k.name);
    const missing = names.filter((n) => !keys[n]);
    if (missing.length) fail(`${missing.join(', ')} : Key missing`);
    return names.map((n) => keys[n]).join('~');
  }
  get(code: ObjectCode, key: string): Rec {
    return this.stores[code].get(key) ?? fail(`${key} : Record does not exist`);
  }

  save(code: ObjectCode, p: Payload, user: string): Rec {
    checkPlacement(this.site.layouts[code], p);
    const rec = this.saveObject(code, p, user);
    this.applyExtras(code, rec, p);
    return rec;
  }

  private saveObject(code: ObjectCode, p: Payload, user: string): Rec {
    switch (code) {
      case 'SOH': return this.saveOrder(p, user);
      case 'ITM': return this.saveItem(p, user);
      case 'BPC': return this.saveCustomer(p, user);
      case 'SIH': return this.saveInvoice(p, user);
      case 'GAS': return this.saveEntry(p, user);
    }
  }

  /** Declared fields and tables the object logic does not know: stored as sent (a table line by NUM). */
  private applyExtras(code: ObjectCode, rec: Rec, p: Payload): void {
    const ex = this.site.extras[code];
    for (const name of ex.fields) if (p.fields[name] !== undefined) rec.fields[name] = p.fields[name]!;
    for (const id of ex.tables) {
      const sent = p.tables[id];
      if (!sent) continue;
      const rows = (rec.tables[id] ?? []).map((r) => ({ ...r }));
      for (const { num, row } of sent) {
        if (num !== undefined && num >= 1 && num <= rows.length) rows[num - 1] = { ...rows[num - 1], ...row };
        else rows.push({ ...row });
      }
      rec.tables[id] = rows;
    }
  }

  modify(code: ObjectCode, key: string, p: Payload, user: string, lang: string): Rec {
    checkPlacement(this.site.layouts[code], p);
    const rec = this.get(code, key);
    this.checkLock(code, key, lang);
    // Key fields cannot change through modify.
    for (const k of layouts[code].keys) {
      const v = p.fields[k.name];
      if (v !== undefined && v !== '' && v !== rec.fields[k.name]) fail(`${k.name} : Field cannot be modified`);
    }
    switch (code) {
      case 'SOH': this.modifyOrder(rec, p); break;
      case 'ITM': this.modifyItem(rec, p); break;
      case 'BPC': this.modifyCustomer(rec, p); break;
      case 'SIH': this.modifyInvoice(rec, p); break;
      case 'GAS': this.modifyEntry(rec, p); break;
    }
    this.applyExtras(code, rec, p);
    rec.updated = this.stamp();
    rec.modUser = user;
    return rec;
  }

  delete(code: ObjectCode, key: string, lang: string): void {
    const rec = this.get(code, key);
    this.checkLock(code, key, lang);
    if (code === 'SOH') {
      if (rec.tables.SOH4_1!.some((l) => !dec(l.DLVQTY).isZero() || !dec(l.INVQTY).isZero())) fail(`${key} : Order delivered or invoiced, deletion not allowed`);
      this.releaseAllocation(rec);
    }
    if (code === 'ITM') {
      const used = [...this.stores.SOH.values()].some((o) => o.tables.SOH4_1!.some((l) => l.ITMREF === key)) || this.stock.some((s) => s.ITMREF === key && !s.QTYSTU.isZero());
      if (used) fail(`${key} : Item in use (stock or sales orders), deletion not allowed`);
    }
    if (code === 'BPC' && [...this.stores.SOH.values()].some((o) => o.fields.BPCORD === key)) fail(`${key} : Customer in use on sales orders, deletion not allowed`);
    if (code === 'SIH' && rec.fields.STA !== '1') fail(`${key} : Invoice posted, deletion not allowed`);
    if (code === 'SIH') this.unlinkInvoice(rec);
    this.stores[code].delete(key);
  }

  /** Left-list rows matching every criterion (equality; a trailing `*` matches a prefix). */
  query(code: ObjectCode, criteria: Record<string, string>, listSize: number): Row[] {
    const layout = this.site.layouts[code];
    const names = new Set(layout.leftList.map((f) => f.name));
    for (const k of Object.keys(criteria)) if (!names.has(k) && !layout.keys.some((x) => x.name === k)) fail(`${k} : Unknown field in the left list`);
    // Matches first, then only they are sorted by key (each key built once): sorting every record
    // per query made a CUSORDREF look-up cost O(n log n) key strings with n orders in the store.
    const crit = Object.entries(criteria);
    const matches: Array<[string, Rec]> = [];
    for (const rec of this.stores[code].values()) {
      const ok = crit.every(([k, v]) => {
        const have = String(rec.fields[k] ?? '');
        return v.endsWith('*') ? have.startsWith(v.slice(0, -1)) : have === v;
      });
      if (ok) matches.push([keyString(code, rec), rec]);
    }
    matches.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return matches.slice(0, listSize).map(([, rec]) => Object.fromEntries(layout.leftList.map((f) => [f.name, rec.fields[f.name] ?? ''])));
  }

  // ---------- SOH ----------
  private saveOrder(p: Payload, user: string): Rec {
    const f = { ...p.fields };
    const salfcy = str(f.SALFCY);
    if (!salfcy) fail('SALFCY : Mandatory field');
    if (!SITES[salfcy]?.sales) fail(`SALFCY ${salfcy} : Record does not exist or is not a sales site`);
    const typ = str(f.SOHTYP) || 'SON';
    if (!SOH_TYPES.has(typ)) fail(`SOHTYP ${typ} : Record does not exist`);
    const bpc = str(f.BPCORD);
    if (!bpc) fail('BPCORD : Mandatory field');
    const cust = this.stores.BPC.get(bpc) ?? fail(`BPCORD ${bpc} : Record does not exist`);
    if (cust.fields.BPCSTA !== '2') fail(`BPCORD ${bpc} : Customer inactive`);
    const orddat = str(f.ORDDAT) || this.today();
    checkDate('ORDDAT', orddat);
    const cur = str(f.CUR) || str(cust.fields.CUR);
    if (!CURRENCIES.has(cur)) fail(`CUR ${cur} : Record does not exist`);
    const stofcy = str(f.STOFCY) || salfcy;
    if (!SITES[stofcy]?.stock) fail(`STOFCY ${stofcy} : Not a stock site`);
    let num = str(f.SOHNUM);
    if (num) {
      if (this.stores.SOH.has(num)) fail(`SOHNUM ${num} : Record already exists`);
    } else {
      num = `${salfcy}${orddat.slice(0, 4)}${typ}${String(this.next(`SOH:${typ}:${salfcy}`)).padStart(6, '0')}`;
    }
    for (const d of ['DEMDLVDAT', 'SHIDAT']) if (str(f[d])) checkDate(d, str(f[d]));
    const addr = this.shipTo(cust, str(f.BPAADD));
    const bpcinv = str(f.BPCINV) || bpc;
    if (!this.stores.BPC.has(bpcinv)) fail(`BPCINV ${bpcinv} : Record does not exist`);
    const rows = (p.tables.SOH4_1 ?? []).map((r) => r.row);
    if (rows.length === 0) fail(`${num} : No lines entered`);
    const t = this.stamp();
    const rec: Rec = {
      fields: {
        SALFCY: salfcy, SOHTYP: typ, SOHNUM: num, CUSORDREF: str(f.CUSORDREF), ORDDAT: orddat, BPCORD: bpc, BPCNAM: str(cust.fields.BPCNAM), CUR: cur,
        BPCINV: bpcinv, BPAADD: str(addr.CODADR),
        BPDNAM: str(f.BPDNAM) || str(cust.fields.BPCNAM), BPDADDLIG1: str(f.BPDADDLIG1) || str(addr.ADDLIG1), BPDADDLIG2: str(f.BPDADDLIG2) || (str(f.BPDADDLIG1) ? '' : str(addr.ADDLIG2)),
        BPDPOSCOD: str(f.BPDPOSCOD) || str(addr.POSCOD), BPDCTY: str(f.BPDCTY) || str(addr.CTY), BPDSAT: str(f.BPDSAT) || str(addr.SAT), BPDCRY: str(f.BPDCRY) || str(addr.BPACRY),
        ORDSTA: '1', ALLSTA: '1', DLVSTA: '1', INVSTA: '1', STOFCY: stofcy, DEMDLVDAT: str(f.DEMDLVDAT) || orddat, SHIDAT: str(f.SHIDAT) || orddat, BPTNUM: str(f.BPTNUM),
        ...invoicingElements(f.INVDTA, f.INVDTAAMT),
        ORDINVNOT: '0', ORDINVATI: '0',
      },
      tables: { SOH4_1: [] },
      created: t, updated: t, modUser: user,
    };
    if (rec.fields.BPDCRY && !countries.isValid(str(rec.fields.BPDCRY))) fail(`BPDCRY ${rec.fields.BPDCRY} : Record does not exist`);
    rows.forEach((r, i) => rec.tables.SOH4_1!.push(this.orderLine(rec, r, i + 1)));
    this.allocate(rec);
    this.orderTotals(rec, cust);
    this.stores.SOH.set(num, rec);
    return rec;
  }

  private shipTo(cust: Rec, code: string): Row {
    const addrs = cust.tables.BPAC_1 ?? [];
    if (code) return addrs.find((a) => a.CODADR === code) ?? fail(`BPAADD ${code} : Record does not exist for customer ${cust.fields.BPCNUM}`);
    return addrs.find((a) => a.BPAADDFLG === '2') ?? addrs[0] ?? {};
  }

  private orderLine(rec: Rec, r: Row, n: number): Row {
    const where = `Line ${n}`;
    const itmref = str(r.ITMREF);
    if (!itmref) fail(`${where} ITMREF : Mandatory field`);
    const item = this.stores.ITM.get(itmref) ?? fail(`${where} ITMREF ${itmref} : Record does not exist`);
    if (!['1', '3'].includes(str(item.fields.ITMSTA))) fail(`${where} ITMREF ${itmref} : Item status does not allow sales`);
    const qty = decimalField(`${where} QTY`, r.QTY, { positive: true, required: true });
    const gropri = r.GROPRI === undefined || r.GROPRI === '' ? dec(item.fields.BASPRI) : decimalField(`${where} GROPRI`, r.GROPRI, { min: 0 });
    const disc = r.DISCRGVAL1 === undefined || r.DISCRGVAL1 === '' ? new Decimal(0) : decimalField(`${where} DISCRGVAL1`, r.DISCRGVAL1, { min: 0 });
    if (disc.gt(100)) fail(`${where} DISCRGVAL1 ${disc} : Invalid value`);
    const sau = str(r.SAU) || str(item.fields.SAU);
    if (!UNITS.has(sau)) fail(`${where} SAU ${sau} : Record does not exist`);
    const dstofcy = str(r.DSTOFCY) || str(rec.fields.STOFCY);
    if (!SITES[dstofcy]?.stock) fail(`${where} DSTOFCY ${dstofcy} : Not a stock site`);
    return {
      NUMLIG: String(n), SOPLIN: String(n * 1000), ITMREF: itmref, ITMDES1: str(item.fields.DES1AXX), DSTOFCY: dstofcy, QTY: qty.toString(), SAU: sau, SAUSTUCOE: '1',
      GROPRI: gropri.toString(), DISCRGVAL1: disc.toString(), NETPRI: gropri.mul(new Decimal(100).minus(disc)).div(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString(),
      ALLQTY: '0', DLVQTY: '0', INVQTY: '0',
    };
  }

  private orderTotals(rec: Rec, cust = this.stores.BPC.get(str(rec.fields.BPCORD))): void {
    const goods = rec.tables.SOH4_1!.reduce((s, l) => s.plus(dec(l.NETPRI).mul(dec(l.QTY))), new Decimal(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    // The invoicing elements count in the total, taxed as the lines are.
    const not = listOf(rec.fields.INVDTAAMT).reduce((s, a) => s.plus(a), goods).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const rate = new Decimal(TAX_RULES[str(cust?.fields.VACBPR)] ?? '0');
    rec.fields.ORDINVNOT = not.toFixed(2);
    rec.fields.ORDINVATI = not.plus(not.mul(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)).toFixed(2);
    const lines = rec.tables.SOH4_1!;
    const status = (part: (l: Row) => Decimal) => {
      const done = lines.filter((l) => part(l).gte(dec(l.QTY))).length;
      const some = lines.some((l) => part(l).gt(0));
      return done === lines.length ? '3' : some ? '2' : '1';
    };
    rec.fields.ALLSTA = status((l) => dec(l.ALLQTY).plus(dec(l.DLVQTY)));
    if (lines.every((l) => dec(l.DLVQTY).gte(dec(l.QTY)))) rec.fields.ALLSTA = '1';
    rec.fields.DLVSTA = status((l) => dec(l.DLVQTY));
    rec.fields.INVSTA = status((l) => dec(l.INVQTY));
    rec.fields.ORDSTA = this.closedOrders.has(str(rec.fields.SOHNUM)) || (rec.fields.DLVSTA === '3' && rec.fields.INVSTA === '3') ? '2' : '1';
  }

  private addStock(row: StockRow): void {
    this.stock.push(row);
    const k = `${row.STOFCY}|${row.ITMREF}`;
    const list = this.stockBy.get(k);
    if (list) list.push(row);
    else this.stockBy.set(k, [row]);
  }
  private linesOf(site: string, item: string): StockRow[] {
    return this.stockBy.get(`${site}|${item}`) ?? [];
  }

  available(site: string, item: string): Decimal {
    const onHand = this.linesOf(site, item).filter((s) => s.STA === 'A').reduce((a, s) => a.plus(s.QTYSTU), new Decimal(0));
    return onHand.minus(this.allocated.get(`${site}|${item}`) ?? 0);
  }

  /** Automatic allocation at entry (an order type set to allocate), from accepted (A) stock only. */
  private allocate(rec: Rec): void {
    for (const l of rec.tables.SOH4_1!) {
      const want = dec(l.QTY).minus(dec(l.DLVQTY)).minus(dec(l.ALLQTY));
      if (want.lte(0)) continue;
      const k = `${l.DSTOFCY}|${l.ITMREF}`;
      const take = Decimal.max(0, Decimal.min(want, this.available(str(l.DSTOFCY), str(l.ITMREF))));
      if (take.isZero()) continue;
      this.allocated.set(k, (this.allocated.get(k) ?? new Decimal(0)).plus(take));
      l.ALLQTY = dec(l.ALLQTY).plus(take).toString();
    }
  }
  private releaseAllocation(rec: Rec): void {
    for (const l of rec.tables.SOH4_1!) {
      const k = `${l.DSTOFCY}|${l.ITMREF}`;
      this.allocated.set(k, Decimal.max(0, (this.allocated.get(k) ?? new Decimal(0)).minus(dec(l.ALLQTY))));
      l.ALLQTY = '0';
    }
  }

  private modifyOrder(rec: Rec, p: Payload): void {
    if (rec.fields.ORDSTA === '2') fail(`${rec.fields.SOHNUM} : Order closed, modification not allowed`);
    for (const k of ['SALFCY', 'SOHTYP', 'BPCORD', 'CUR']) {
      const v = str(p.fields[k]);
      if (v && v !== rec.fields[k]) fail(`${k} : Field cannot be modified`);
    }
    const next: Row = { ...rec.fields };
    for (const k of ['CUSORDREF', 'DEMDLVDAT', 'SHIDAT', 'BPTNUM', 'BPDNAM', 'BPDADDLIG1', 'BPDADDLIG2', 'BPDPOSCOD', 'BPDCTY', 'BPDSAT', 'BPDCRY', 'STOFCY', 'ORDDAT']) {
      if (p.fields[k] !== undefined) next[k] = str(p.fields[k]);
    }
    for (const d of ['DEMDLVDAT', 'SHIDAT', 'ORDDAT']) checkDate(d, str(next[d]));
    if (p.fields.INVDTA !== undefined || p.fields.INVDTAAMT !== undefined) Object.assign(next, invoicingElements(p.fields.INVDTA ?? rec.fields.INVDTA, p.fields.INVDTAAMT ?? rec.fields.INVDTAAMT));
    if (!SITES[str(next.STOFCY)]?.stock) fail(`STOFCY ${next.STOFCY} : Not a stock site`);
    if (p.fields.BPAADD !== undefined && str(p.fields.BPAADD) !== rec.fields.BPAADD) {
      // A new ship-to address code brings that address along, unless the caller sent its own lines.
      const a = this.shipTo(this.get('BPC', str(rec.fields.BPCORD)), str(p.fields.BPAADD));
      next.BPAADD = str(a.CODADR);
      const from: Record<string, string> = { BPDADDLIG1: 'ADDLIG1', BPDADDLIG2: 'ADDLIG2', BPDPOSCOD: 'POSCOD', BPDCTY: 'CTY', BPDSAT: 'SAT', BPDCRY: 'BPACRY' };
      for (const [k, src] of Object.entries(from)) if (p.fields[k] === undefined) next[k] = str(a[src]);
    }
    const lines = rec.tables.SOH4_1!.map((l) => ({ ...l }));
    for (const { num, row } of p.tables.SOH4_1 ?? []) {
      const numlig = str(row.NUMLIG);
      const target = num ?? (numlig && numlig !== '0' ? Number(numlig) : undefined);
      if (target === undefined || numlig === '0') {
        lines.push(this.orderLine(rec, row, lines.length + 1));
        continue;
      }
      const l = lines[target - 1] ?? fail(`Line ${target} : Record does not exist`);
      if (row.ITMREF !== undefined && str(row.ITMREF) !== l.ITMREF) fail(`Line ${target} ITMREF : Field cannot be modified`);
      if (!dec(l.DLVQTY).isZero()) fail(`Line ${target} : Line delivered, modification not allowed`);
      const merged = this.orderLine(rec, { ...l, ...row, ITMREF: l.ITMREF! }, target);
      lines[target - 1] = { ...merged, ALLQTY: l.ALLQTY!, DLVQTY: l.DLVQTY!, INVQTY: l.INVQTY!, SOPLIN: l.SOPLIN! };
    }
    // Validation passed: release the old allocation, apply, allocate again.
    this.releaseAllocation(rec);
    rec.fields = next;
    rec.tables.SOH4_1 = lines.map((l) => ({ ...l, ALLQTY: '0' }));
    this.allocate(rec);
    this.orderTotals(rec);
  }

  // ---------- ITM ----------
  private saveItem(p: Payload, user: string): Rec {
    const f = p.fields;
    const ref = str(f.ITMREF);
    if (!ref) fail('ITMREF : Mandatory field');
    if (ref.length > 20) fail(`ITMREF ${ref} : Invalid value (20 characters max)`);
    if (this.stores.ITM.has(ref)) fail(`ITMREF ${ref} : Record already exists`);
    const t = this.stamp();
    const rec: Rec = { fields: { ITMREF: ref }, tables: {}, created: t, updated: t, modUser: user };
    this.applyItem(rec, f, true);
    this.stores.ITM.set(ref, rec);
    return rec;
  }
  private applyItem(rec: Rec, f: Row, create: boolean): void {
    const next: Row = { ...rec.fields };
    for (const k of ['TCLCOD', 'ITMSTA', 'DES1AXX', 'DES2AXX', 'DES3AXX', 'EANCOD', 'STU', 'SAU', 'ITMWEI', 'BASPRI', 'PURBASPRI', 'ACCCOD', 'VACITM']) {
      if (f[k] !== undefined) next[k] = f[k]!;
    }
    if (create) {
      next.ITMSTA = str(next.ITMSTA) || '1';
      next.STU = str(next.STU) || 'UN';
      next.SAU = str(next.SAU) || str(next.STU);
      next.ACCCOD = str(next.ACCCOD) || 'STD';
      for (const k of ['DES2AXX', 'DES3AXX', 'EANCOD']) next[k] ??= '';
      next.BASPRI = str(next.BASPRI) || '0';
      next.PURBASPRI = str(next.PURBASPRI) || '0';
      next.ITMWEI = str(next.ITMWEI) || '0';
      next.VACITM ??= ['NOR'];
    }
    if (!str(next.TCLCOD)) fail('TCLCOD : Mandatory field');
    if (!ITEM_CATEGORIES.has(str(next.TCLCOD))) fail(`TCLCOD ${next.TCLCOD} : Record does not exist`);
    if (!str(next.DES1AXX)) fail('DES1AXX : Mandatory field');
    if (!menuValues(246).includes(str(next.ITMSTA))) fail(`ITMSTA ${next.ITMSTA} : Invalid value for local menu 246`);
    for (const u of ['STU', 'SAU']) if (!UNITS.has(str(next[u]))) fail(`${u} ${next[u]} : Record does not exist`);
    for (const k of ['BASPRI', 'PURBASPRI', 'ITMWEI']) decimalField(k, next[k], { min: 0 });
    if (str(next.EANCOD) && !/^\d{8}$|^\d{12,14}$/.test(str(next.EANCOD))) fail(`EANCOD ${next.EANCOD} : Invalid value`);
    rec.fields = next;
  }
  private modifyItem(rec: Rec, p: Payload): void {
    this.applyItem(rec, p.fields, false);
  }

  // ---------- BPC ----------
  private saveCustomer(p: Payload, user: string): Rec {
    const f = p.fields;
    let num = str(f.BPCNUM);
    if (num) {
      if (this.stores.BPC.has(num)) fail(`BPCNUM ${num} : Record already exists`);
    } else {
      do num = `C${String(this.next('BPC')).padStart(5, '0')}`;
      while (this.stores.BPC.has(num));
    }
    const t = this.stamp();
    const rec: Rec = { fields: { BPCNUM: num }, tables: { BPAC_1: [] }, created: t, updated: t, modUser: user };
    this.applyCustomer(rec, p, true);
    this.stores.BPC.set(num, rec);
    return rec;
  }
  private applyCustomer(rec: Rec, p: Payload, create: boolean): void {
    const f = p.fields;
    const next: Row = { ...rec.fields };
    for (const k of ['BCGCOD', 'BPCSTA', 'BPCNAM', 'BPRSHO', 'BPRLOG', 'BPRNAM', 'CRY', 'LAN', 'CUR', 'CRN', 'VACBPR', 'PTE', 'ACCCOD']) if (f[k] !== undefined) next[k] = f[k]!;
    if (create) {
      const bprnam = Array.isArray(next.BPRNAM) ? next.BPRNAM : [];
      next.BPCNAM = str(next.BPCNAM) || str(bprnam[0]);
      next.BPRNAM = bprnam.length ? bprnam : [str(next.BPCNAM), ''];
      next.BPCSTA = str(next.BPCSTA) || '2';
      next.BPRSHO = str(next.BPRSHO) || str(next.BPCNAM).slice(0, 10);
      next.LAN = str(next.LAN) || 'ENG';
      next.CUR = str(next.CUR) || (next.CRY === 'CA' ? 'CAD' : 'USD');
      next.VACBPR = str(next.VACBPR) || (next.CRY === 'CA' ? 'CAN' : next.CRY === 'US' ? 'USA' : 'EXO');
      next.PTE = str(next.PTE) || 'NET30';
      next.ACCCOD = str(next.ACCCOD) || 'STD';
      for (const k of ['BPRLOG', 'CRN']) next[k] ??= '';
    }
    if (!str(next.BPCNAM)) fail('BPCNAM : Mandatory field');
    if (!str(next.BCGCOD)) fail('BCGCOD : Mandatory field');
    if (!CUSTOMER_CATEGORIES.has(str(next.BCGCOD))) fail(`BCGCOD ${next.BCGCOD} : Record does not exist`);
    if (!menuValues(1).includes(str(next.BPCSTA))) fail(`BPCSTA ${next.BPCSTA} : Invalid value for local menu 1`);
    if (!str(next.CRY)) fail('CRY : Mandatory field');
    if (!countries.isValid(str(next.CRY))) fail(`CRY ${next.CRY} : Record does not exist`);
    if (!CURRENCIES.has(str(next.CUR))) fail(`CUR ${next.CUR} : Record does not exist`);
    if (!(str(next.VACBPR) in TAX_RULES)) fail(`VACBPR ${next.VACBPR} : Record does not exist`);
    const addrs = (rec.tables.BPAC_1 ?? []).map((a) => ({ ...a }));
    for (const { num, row } of p.tables.BPAC_1 ?? []) {
      const code = str(row.CODADR);
      const at = num !== undefined ? num - 1 : addrs.findIndex((a) => a.CODADR === code);
      if (at >= 0 && at < addrs.length) addrs[at] = { ...addrs[at], ...row };
      else if (num !== undefined && num > addrs.length + 1) fail(`BPAC_1 line ${num} : Record does not exist`);
      else addrs.push({ CODADR: '', BPADES: '', BPACRY: str(next.CRY), ADDLIG1: '', ADDLIG2: '', ADDLIG3: '', POSCOD: '', CTY: '', SAT: '', TEL1: '', WEB1: '', BPAADDFLG: '1', ...row });
    }
    if (addrs.length > 30) fail('BPAC_1 : Too many lines (30 max)');
    const seen = new Set<string>();
    for (const [n, a] of addrs.entries()) {
      if (!str(a.CODADR)) fail(`BPAC_1 line ${n + 1} CODADR : Mandatory field`);
      if (seen.has(str(a.CODADR))) fail(`BPAC_1 line ${n + 1} CODADR ${a.CODADR} : Record already exists`);
      seen.add(str(a.CODADR));
      if (!countries.isValid(str(a.BPACRY))) fail(`BPAC_1 line ${n + 1} BPACRY ${a.BPACRY} : Record does not exist`);
      if (!menuValues(1).includes(str(a.BPAADDFLG))) fail(`BPAC_1 line ${n + 1} BPAADDFLG ${a.BPAADDFLG} : Invalid value for local menu 1`);
    }
    if (addrs.length === 0) fail('BPAC_1 : At least one address is required');
    const defaults = addrs.filter((a) => a.BPAADDFLG === '2').length;
    if (defaults === 0) addrs[0]!.BPAADDFLG = '2';
    if (defaults > 1) fail('BPAC_1 BPAADDFLG : Only one default address allowed');
    rec.fields = next;
    rec.tables.BPAC_1 = addrs;
  }
  private modifyCustomer(rec: Rec, p: Payload): void {
    this.applyCustomer(rec, p, false);
  }

  // ---------- SIH ----------
  private saveInvoice(p: Payload, user: string): Rec {
    const f = p.fields;
    const typ = str(f.SIVTYP) || 'INV';
    if (!INVOICE_TYPES.has(typ)) fail(`SIVTYP ${typ} : Record does not exist`);
    const salfcy = str(f.SALFCY);
    if (!salfcy) fail('SALFCY : Mandatory field');
    if (!SITES[salfcy]?.sales) fail(`SALFCY ${salfcy} : Record does not exist or is not a sales site`);
    const bpc = str(f.BPCINV);
    if (!bpc) fail('BPCINV : Mandatory field');
    const cust = this.stores.BPC.get(bpc) ?? fail(`BPCINV ${bpc} : Record does not exist`);
    const invdat = str(f.INVDAT) || this.today();
    checkDate('INVDAT', invdat);
    const cur = str(f.CUR) || str(cust.fields.CUR);
    if (!CURRENCIES.has(cur)) fail(`CUR ${cur} : Record does not exist`);
    const invref = str(f.INVREF);
    if (invref) {
      const dup = [...this.stores.SIH.values()].find((r) => r.fields.INVREF === invref && r.fields.BPCINV === bpc && r.fields.SIVTYP === typ);
      if (dup) fail(`INVREF ${invref} : Reference already recorded on document ${dup.fields.NUM}`);
    }
    const ori = str(f.SIHORINUM);
    if (ori) {
      const o = this.stores.SIH.get(ori) ?? fail(`SIHORINUM ${ori} : Record does not exist`);
      if (typ !== 'CRN' || o.fields.SIVTYP !== 'INV' || o.fields.BPCINV !== bpc) fail(`SIHORINUM ${ori} : Invalid value (a credit note refers to an invoice of the same customer)`);
    }
    let num = str(f.NUM);
    if (num) {
      if (this.stores.SIH.has(num)) fail(`NUM ${num} : Record already exists`);
    } else num = `${typ}${salfcy}${invdat.slice(2, 6)}${String(this.next(`SIH:${typ}:${salfcy}`)).padStart(5, '0')}`;
    const rows = (p.tables.SIH4_1 ?? []).map((r) => r.row);
    if (rows.length === 0) fail(`${num} : No lines entered`);
    const lines = rows.map((r, i) => this.invoiceLine(r, i + 1, typ));
    const t = this.stamp();
    const rec: Rec = {
      fields: {
        SALFCY: salfcy, SIVTYP: typ, NUM: num, INVREF: invref, INVDAT: invdat, BPCINV: bpc, BPINAM: str(cust.fields.BPCNAM), CUR: cur,
        VACBPR: str(f.VACBPR) || str(cust.fields.VACBPR), PRITYP: '1', PTE: str(f.PTE) || str(cust.fields.PTE), SIHORINUM: ori, INVNOT: '0', INVATI: '0', STA: '1',
      },
      tables: { SIH4_1: lines }, created: t, updated: t, modUser: user,
    };
    if (!(str(rec.fields.VACBPR) in TAX_RULES)) fail(`VACBPR ${rec.fields.VACBPR} : Record does not exist`);
    this.linkInvoice(rec);
    this.invoiceTotals(rec);
    this.stores.SIH.set(num, rec);
    return rec;
  }
  private invoiceLine(r: Row, n: number, typ: string): Row {
    const where = `Line ${n}`;
    const itmref = str(r.ITMREF);
    if (!itmref) fail(`${where} ITMREF : Mandatory field`);
    const item = this.stores.ITM.get(itmref) ?? fail(`${where} ITMREF ${itmref} : Record does not exist`);
    const qty = decimalField(`${where} QTY`, r.QTY, { positive: true, required: true });
    const gropri = r.GROPRI === undefined || r.GROPRI === '' ? dec(item.fields.BASPRI) : decimalField(`${where} GROPRI`, r.GROPRI, { min: 0 });
    const disc = r.DISCRGVAL1 === undefined || r.DISCRGVAL1 === '' ? new Decimal(0) : decimalField(`${where} DISCRGVAL1`, r.DISCRGVAL1, { min: 0 });
    if (disc.gt(100)) fail(`${where} DISCRGVAL1 ${disc} : Invalid value`);
    const sohnum = str(r.SOHNUM);
    if (sohnum && typ === 'INV') {
      const o = this.stores.SOH.get(sohnum) ?? fail(`${where} SOHNUM ${sohnum} : Record does not exist`);
      const l = o.tables.SOH4_1!.find((x) => x.SOPLIN === str(r.SOPLIN)) ?? fail(`${where} SOPLIN ${str(r.SOPLIN)} : Record does not exist on order ${sohnum}`);
      if (l.ITMREF !== itmref) fail(`${where} ITMREF ${itmref} : Does not match order line ${sohnum}/${l.SOPLIN}`);
      if (qty.gt(dec(l.QTY).minus(dec(l.INVQTY)))) fail(`${where} QTY ${qty} : Quantity greater than the quantity left to invoice (${dec(l.QTY).minus(dec(l.INVQTY))})`);
    }
    return {
      ITMREF: itmref, ITMDES1: str(r.ITMDES1) || str(item.fields.DES1AXX), SAU: str(r.SAU) || str(item.fields.SAU), QTY: qty.toString(), GROPRI: gropri.toString(), DISCRGVAL1: disc.toString(),
      NETPRI: gropri.mul(new Decimal(100).minus(disc)).div(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString(), SOHNUM: sohnum, SOPLIN: str(r.SOPLIN),
    };
  }
  private invoiceTotals(rec: Rec): void {
    const not = rec.tables.SIH4_1!.reduce((s, l) => s.plus(dec(l.NETPRI).mul(dec(l.QTY))), new Decimal(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const rate = new Decimal(TAX_RULES[str(rec.fields.VACBPR)] ?? '0');
    rec.fields.INVNOT = not.toFixed(2);
    rec.fields.INVATI = not.plus(not.mul(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)).toFixed(2);
  }
  /** An invoice line tied to an order line counts as invoiced on the order (INVQTY, INVSTA). */
  private linkInvoice(rec: Rec, sign = 1): void {
    if (rec.fields.SIVTYP !== 'INV') return;
    for (const l of rec.tables.SIH4_1!) {
      if (!l.SOHNUM) continue;
      const o = this.stores.SOH.get(str(l.SOHNUM));
      const ol = o?.tables.SOH4_1!.find((x) => x.SOPLIN === l.SOPLIN);
      if (!o || !ol) continue;
      ol.INVQTY = dec(ol.INVQTY).plus(dec(l.QTY).mul(sign)).toString();
      this.orderTotals(o);
      o.updated = this.stamp();
    }
  }
  private unlinkInvoice(rec: Rec): void {
    this.linkInvoice(rec, -1);
  }
  private modifyInvoice(rec: Rec, p: Payload): void {
    if (rec.fields.STA !== '1') fail(`${rec.fields.NUM} : Invoice posted, modification not allowed`);
    for (const k of ['SIVTYP', 'SALFCY', 'BPCINV', 'CUR']) {
      const v = str(p.fields[k]);
      if (v && v !== rec.fields[k]) fail(`${k} : Field cannot be modified`);
    }
    const next = { ...rec.fields };
    for (const k of ['INVREF', 'INVDAT', 'PTE']) if (p.fields[k] !== undefined) next[k] = str(p.fields[k]);
    checkDate('INVDAT', str(next.INVDAT));
    const lines = rec.tables.SIH4_1!.map((l) => ({ ...l }));
    for (const { num, row } of p.tables.SIH4_1 ?? []) {
      if (num === undefined) {
        lines.push(this.invoiceLine(row, lines.length + 1, str(rec.fields.SIVTYP)));
        continue;
      }
      const l = lines[num - 1] ?? fail(`Line ${num} : Record does not exist`);
      if (l.SOHNUM) fail(`Line ${num} : Line comes from order ${l.SOHNUM}, modification not allowed`);
      lines[num - 1] = this.invoiceLine({ ...l, ...row, ITMREF: l.ITMREF! }, num, str(rec.fields.SIVTYP));
    }
    // Order lines count what this invoice bills: take the old lines off, put the new ones on.
    this.unlinkInvoice(rec);
    rec.fields = next;
    rec.tables.SIH4_1 = lines;
    this.linkInvoice(rec);
    this.invoiceTotals(rec);
  }

  // ---------- GACCENTRY (journal entries) ----------
  private saveEntry(p: Payload, user: string): Rec {
    const f = p.fields;
    const typ = str(f.TYP);
    if (!typ) fail('TYP : Mandatory field');
    if (!ENTRY_TYPES.has(typ)) fail(`TYP ${typ} : Record does not exist`);
    const fcy = str(f.FCY);
    if (!fcy) fail('FCY : Mandatory field');
    if (!SITES[fcy]) fail(`FCY ${fcy} : Record does not exist`);
    const cpy = str(f.CPY) || SITES[fcy]!.cpy;
    if (cpy !== SITES[fcy]!.cpy) fail(`CPY ${cpy} : Site ${fcy} does not belong to this company`);
    const jou = str(f.JOU);
    if (!jou) fail('JOU : Mandatory field');
    if (!JOURNALS.has(jou)) fail(`JOU ${jou} : Record does not exist`);
    const accdat = str(f.ACCDAT) || this.today();
    checkDate('ACCDAT', accdat);
    const cur = str(f.CUR) || 'USD';
    if (!CURRENCIES.has(cur)) fail(`CUR ${cur} : Record does not exist`);
    let num = str(f.NUM);
    if (num) {
      if (this.stores.GAS.has(`${typ}~${num}`)) fail(`NUM ${num} : Record already exists`);
    } else num = `${typ}${accdat.slice(0, 4)}${String(this.next(`GAS:${typ}:${accdat.slice(0, 4)}`)).padStart(6, '0')}`;
    const lines = this.entryLines((p.tables.HAE1_1 ?? []).map((r) => r.row));
    const t = this.stamp();
    const rec: Rec = {
      fields: { TYP: typ, NUM: num, CPY: cpy, FCY: fcy, JOU: jou, ACCDAT: accdat, CUR: cur, DES: str(f.DES), REF: str(f.REF), TOTDEB: '0', TOTCDT: '0' },
      tables: { HAE1_1: lines }, created: t, updated: t, modUser: user,
    };
    this.entryTotals(rec);
    this.stores.GAS.set(`${typ}~${num}`, rec);
    return rec;
  }
  private entryLines(rows: Row[]): Row[] {
    if (rows.length < 2) fail('HAE1_1 : An entry needs at least two lines');
    let balance = new Decimal(0);
    const out = rows.map((r, i) => {
      const where = `Line ${i + 1}`;
      const acc = str(r.ACC);
      if (!acc) fail(`${where} ACC : Mandatory field`);
      const a = ACCOUNTS[acc] ?? fail(`${where} ACC ${acc} : Record does not exist (chart of accounts)`);
      const bpr = str(r.BPR);
      if (a.collective && !bpr) fail(`${where} BPR : Mandatory field for collective account ${acc}`);
      if (bpr && !this.stores.BPC.has(bpr)) fail(`${where} BPR ${bpr} : Record does not exist`);
      const sns = str(r.SNS);
      if (sns !== '1' && sns !== '-1') fail(`${where} SNS ${sns} : Invalid value (1 debit, -1 credit)`);
      const amt = decimalField(`${where} AMTCUR`, r.AMTCUR, { positive: true, required: true });
      if (amt.decimalPlaces() > 2) fail(`${where} AMTCUR ${amt} : Invalid value (2 decimals max)`);
      const led = str(r.LEDTYP) || '1';
      if (!menuValues(2645).includes(led)) fail(`${where} LEDTYP ${led} : Invalid value for local menu 2645`);
      balance = balance.plus(amt.mul(Number(sns)));
      return { LIN: String(i + 1), LEDTYP: led, ACC: acc, BPR: bpr, SNS: sns, AMTCUR: amt.toFixed(2), DES: str(r.DES), CCE1: str(r.CCE1) };
    });
    if (!balance.isZero()) fail(`Entry not balanced: difference ${balance.toFixed(2)} (debit − credit)`);
    return out;
  }
  private entryTotals(rec: Rec): void {
    const sum = (s: string) => rec.tables.HAE1_1!.filter((l) => l.SNS === s).reduce((a, l) => a.plus(dec(l.AMTCUR)), new Decimal(0)).toFixed(2);
    rec.fields.TOTDEB = sum('1');
    rec.fields.TOTCDT = sum('-1');
  }
  private modifyEntry(rec: Rec, p: Payload): void {
    for (const k of ['FCY', 'CPY', 'JOU', 'CUR']) {
      const v = str(p.fields[k]);
      if (v && v !== rec.fields[k]) fail(`${k} : Field cannot be modified`);
    }
    const next = { ...rec.fields };
    for (const k of ['DES', 'REF', 'ACCDAT']) if (p.fields[k] !== undefined) next[k] = str(p.fields[k]);
    checkDate('ACCDAT', str(next.ACCDAT));
    let lines = rec.tables.HAE1_1!.map((l) => ({ ...l }));
    const rows = p.tables.HAE1_1 ?? [];
    if (rows.length) {
      // Positional rows update lines in place; rows without NUM are appended. Balance is checked on the result.
      for (const { num: lin, row } of rows) {
        // JSON rows carry no LIN NUM: a non-zero LIN column addresses the line instead.
        const num = lin ?? (str(row.LIN) && str(row.LIN) !== '0' ? Number(str(row.LIN)) : undefined);
        if (row.LIN !== undefined && num === undefined) delete row.LIN;
        if (num === undefined) lines.push(row);
        else if (lines[num - 1]) lines[num - 1] = { ...lines[num - 1], ...row };
        else fail(`Line ${num} : Record does not exist`);
      }
      lines = this.entryLines(lines);
    }
    rec.fields = next;
    rec.tables.HAE1_1 = lines;
    this.entryTotals(rec);
  }

  // ---------- stock ----------
  stockRows(pattern: { site?: string; item?: string; lot?: string; sta?: string }): Array<StockRow & { CUMALLQTY: Decimal }> {
    const match = (v: string, p?: string) => !p || p === '*' || (p.endsWith('*') ? v.startsWith(p.slice(0, -1)) : v === p);
    const rows = this.stock.filter((s) => !s.QTYSTU.isZero() && match(s.STOFCY, pattern.site) && match(s.ITMREF, pattern.item) && match(s.LOT, pattern.lot) && match(s.STA, pattern.sta));
    // Allocations sit on the accepted rows of the site/item, first rows first.
    const left = new Map<string, Decimal>();
    return rows.map((s) => {
      const k = `${s.STOFCY}|${s.ITMREF}`;
      if (!left.has(k)) left.set(k, this.allocated.get(k) ?? new Decimal(0));
      let cum = new Decimal(0);
      if (s.STA === 'A') {
        cum = Decimal.min(left.get(k)!, s.QTYSTU);
        left.set(k, left.get(k)!.minus(cum));
      }
      return { ...s, CUMALLQTY: cum };
    });
  }

  private journalize(site: string, item: string, lot: string, sta: string, qty: Decimal, trstyp: number, vcrnum: string): void {
    this.journal.push({ STOJOUID: this.journal.length + 1, STOFCY: site, ITMREF: item, LOT: lot, STA: sta, QTYSTU: qty.toString(), TRSTYP: trstyp, VCRNUM: vcrnum, CREDATTIM: this.stamp() });
  }
  private stockRow(site: string, item: string, lot: string, sta: string): StockRow {
    let row = this.linesOf(site, item).find((s) => s.LOT === lot && s.STA === sta);
    if (!row) {
      row = { STOCOU: ++this.stockSeq, STOFCY: site, ITMREF: item, LOT: lot, LOC: sta === 'A' ? 'A01' : 'QC01', STA: sta, QTYSTU: new Decimal(0), UPDDATTIM: this.stamp() };
      this.addStock(row);
    }
    return row;
  }
  private checkStockArgs(site: string, item: string, sta: string): void {
    if (!SITES[site]?.stock) fail(`STOFCY ${site} : Not a stock site`);
    if (!this.stores.ITM.has(item)) fail(`ITMREF ${item} : Record does not exist`);
    if (!/^[AQR][A-Z0-9]{0,2}$/.test(sta)) fail(`STA ${sta} : Invalid value (A, Q or R, optionally with a sub-status)`);
  }

  /** Back office: a miscellaneous receipt. */
  receiveStock(a: { site: string; item: string; qty: string; sta?: string; lot?: string }): { vcrnum: string } {
    const sta = a.sta ?? 'A';
    this.checkStockArgs(a.site, a.item, sta);
    const qty = decimalField('QTY', a.qty, { positive: true, required: true });
    const row = this.stockRow(a.site, a.item, a.lot ?? '', sta);
    row.QTYSTU = row.QTYSTU.plus(qty);
    row.UPDDATTIM = this.stamp();
    const vcrnum = `MR${a.site}${String(this.next('SMR')).padStart(6, '0')}`;
    this.journalize(a.site, a.item, row.LOT, sta, qty, 1, vcrnum);
    return { vcrnum };
  }

  /**
   * A stock count: the site/item/status holds `qty` from now on; the difference with what X3 had is
   * posted as one count movement (none when they agree). Allocations are left as they are.
   */
  countStock(a: { site: string; item: string; qty: string; sta?: string }): { vcrnum: string; before: string; difference: string } {
    const sta = a.sta ?? 'A';
    this.checkStockArgs(a.site, a.item, sta);
    const qty = decimalField('QTYSTU', a.qty, { min: 0, required: true });
    const rows = this.linesOf(a.site, a.item).filter((s) => s.STA === sta);
    const before = rows.reduce((t, s) => t.plus(s.QTYSTU), new Decimal(0));
    const diff = qty.minus(before);
    if (diff.isZero()) return { vcrnum: '', before: before.toString(), difference: '0' };
    // Counted quantities land on the lot-less row; a shortfall is taken from the rows in order.
    let rest = diff;
    if (diff.gt(0)) this.stockRow(a.site, a.item, '', sta).QTYSTU = this.stockRow(a.site, a.item, '', sta).QTYSTU.plus(diff);
    else
      for (const s of rows) {
        const take = Decimal.min(s.QTYSTU, rest.neg());
        s.QTYSTU = s.QTYSTU.minus(take);
        rest = rest.plus(take);
        if (rest.isZero()) break;
      }
    for (const s of this.linesOf(a.site, a.item)) if (s.STA === sta) s.UPDDATTIM = this.stamp();
    const vcrnum = `CNT${a.site}${String(this.next('CNT')).padStart(6, '0')}`;
    this.journalize(a.site, a.item, '', sta, diff, 10, vcrnum);
    return { vcrnum, before: before.toString(), difference: diff.toString() };
  }

  /** Back office: a stock change between statuses (e.g. Q → A after quality control). */
  moveStock(a: { site: string; item: string; qty: string; from: string; to: string; lot?: string }): { vcrnum: string } {
    this.checkStockArgs(a.site, a.item, a.from);
    this.checkStockArgs(a.site, a.item, a.to);
    const qty = decimalField('QTY', a.qty, { positive: true, required: true });
    const src = this.linesOf(a.site, a.item).find((s) => s.LOT === (a.lot ?? '') && s.STA === a.from);
    const free = src ? (a.from === 'A' ? Decimal.min(src.QTYSTU, this.available(a.site, a.item)) : src.QTYSTU) : new Decimal(0);
    if (free.lt(qty)) fail(`${a.item} : Insufficient stock in status ${a.from} at ${a.site} (${free} available)`);
    src!.QTYSTU = src!.QTYSTU.minus(qty);
    src!.UPDDATTIM = this.stamp();
    const dst = this.stockRow(a.site, a.item, a.lot ?? '', a.to);
    dst.QTYSTU = dst.QTYSTU.plus(qty);
    dst.UPDDATTIM = this.stamp();
    const vcrnum = `CH${a.site}${String(this.next('SCH')).padStart(6, '0')}`;
    this.journalize(a.site, a.item, src!.LOT, a.from, qty.neg(), 20, vcrnum);
    this.journalize(a.site, a.item, dst.LOT, a.to, qty, 20, vcrnum);
    return { vcrnum };
  }

  /**
   * The Close action of the order screen: what is not delivered will not be; allocations are
   * released, ORDSTA becomes 2 (Closed) and the order can no longer be modified or delivered.
   */
  closeOrder(sohnum: string, lang = 'ENG'): { rec: Rec; closed: boolean } {
    const o = this.get('SOH', sohnum);
    this.checkLock('SOH', sohnum, lang);
    if (o.fields.ORDSTA === '2') return { rec: o, closed: false };
    this.releaseAllocation(o);
    this.closedOrders.add(sohnum);
    this.orderTotals(o);
    o.updated = this.stamp();
    return { rec: o, closed: true };
  }

  /** A miscellaneous receipt (1) or a status change (20), once per reference. */
  stockMovement(a: { trstyp: string; site: string; item: string; qty: string; sta: string; from?: string; lot?: string; ref: string }): { vcrnum: string; created: boolean } {
    if (!a.ref) fail('I_REF : Mandatory field');
    const seen = this.movementsByRef.get(a.ref);
    if (seen) return { vcrnum: seen, created: false };
    let vcrnum: string;
    if (a.trstyp === '1') vcrnum = this.receiveStock({ site: a.site, item: a.item, qty: a.qty, sta: a.sta, lot: a.lot ?? '' }).vcrnum;
    else if (a.trstyp === '20') {
      if (!a.from) fail('I_STAFROM : Mandatory field for a status change');
      vcrnum = this.moveStock({ site: a.site, item: a.item, qty: a.qty, from: a.from!, to: a.sta, lot: a.lot ?? '' }).vcrnum;
    } else return fail(`I_TRSTYP ${a.trstyp} : Invalid value (1 miscellaneous receipt, 20 status change)`);
    this.movementsByRef.set(a.ref, vcrnum);
    return { vcrnum, created: true };
  }

  /** Back office: deliver what is allocated (and whatever else accepted stock allows) on an order. */
  deliverOrder(sohnum: string): { sdhnum: string; lines: Array<{ SOPLIN: string; QTY: string }> } {
    const o = this.get('SOH', sohnum);
    this.checkLock('SOH', sohnum, 'ENG');
    if (o.fields.ORDSTA === '2' || o.fields.DLVSTA === '3') fail(`${sohnum} : Order already delivered`);
    this.allocate(o);
    const sdhnum = `SDH${o.fields.SALFCY}${String(this.next('SDH')).padStart(6, '0')}`;
    const delivered: Array<{ SOPLIN: string; QTY: string }> = [];
    for (const l of o.tables.SOH4_1!) {
      const qty = dec(l.ALLQTY);
      if (qty.lte(0)) continue;
      const site = str(l.DSTOFCY);
      const item = str(l.ITMREF);
      const k = `${site}|${item}`;
      this.allocated.set(k, Decimal.max(0, (this.allocated.get(k) ?? new Decimal(0)).minus(qty)));
      let rest = qty;
      for (const s of this.linesOf(site, item).filter((x) => x.STA === 'A')) {
        const take = Decimal.min(rest, s.QTYSTU);
        if (take.lte(0)) continue;
        s.QTYSTU = s.QTYSTU.minus(take);
        s.UPDDATTIM = this.stamp();
        this.journalize(site, item, s.LOT, 'A', take.neg(), 4, sdhnum);
        rest = rest.minus(take);
        if (rest.isZero()) break;
      }
      l.ALLQTY = '0';
      l.DLVQTY = dec(l.DLVQTY).plus(qty).toString();
      delivered.push({ SOPLIN: str(l.SOPLIN), QTY: qty.toString() });
    }
    if (delivered.length === 0) fail(`${sohnum} : Nothing to deliver (no stock allocated)`);
    this.orderTotals(o);
    o.updated = this.stamp();
    return { sdhnum, lines: delivered };
  }

  /** Back office: invoice what is delivered and not yet invoiced. */
  invoiceOrder(sohnum: string): Rec {
    const o = this.get('SOH', sohnum);
    const rows = o.tables.SOH4_1!.filter((l) => dec(l.DLVQTY).gt(dec(l.INVQTY)))
      .map((l) => ({ row: { ITMREF: l.ITMREF!, QTY: dec(l.DLVQTY).minus(dec(l.INVQTY)).toString(), GROPRI: l.GROPRI!, DISCRGVAL1: l.DISCRGVAL1!, SOHNUM: sohnum, SOPLIN: l.SOPLIN! } }));
    if (rows.length === 0) fail(`${sohnum} : Nothing to invoice (nothing delivered and not invoiced)`);
    return this.saveInvoice({ fields: { SALFCY: o.fields.SALFCY!, SIVTYP: 'INV', BPCINV: o.fields.BPCINV!, CUR: o.fields.CUR!, INVREF: str(o.fields.CUSORDREF) ? `${o.fields.CUSORDREF}` : '' }, groupOf: {}, tables: { SIH4_1: rows } }, 'ADMIN');
  }
}

// ---------- helpers ----------
export const str = (v: FieldValue | undefined): string => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : v);
export const dec = (v: FieldValue | undefined): Decimal => {
  try {
    return new Decimal(str(v) || '0');
  } catch {
    return new Decimal(0);
  }
};
export const ymd = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');

function keyString(code: ObjectCode, r: Rec): string {
  return layouts[code].keys.map((k) => str(r.fields[k.name])).join('~');
}

function checkDate(field: string, v: string): void {
  if (v === '') return;
  if (!/^\d{8}$/.test(v)) fail(`${field} ${v} : Invalid date (YYYYMMDD expected)`);
  const d = new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || ymd(d) !== v) fail(`${field} ${v} : Invalid date`);
}

function decimalField(field: string, v: FieldValue | undefined, o: { positive?: boolean; min?: number; required?: boolean }): Decimal {
  const s = str(v).trim();
  if (s === '') {
    if (o.required) fail(`${field} : Mandatory field`);
    return new Decimal(0);
  }
  if (!/^-?\d+(\.\d+)?$/.test(s)) fail(`${field} ${s} : Invalid value (number expected)`);
  const d = new Decimal(s);
  if (o.positive && d.lte(0)) fail(`${field} ${s} : Invalid value (must be greater than 0)`);
  if (o.min !== undefined && d.lt(o.min)) fail(`${field} ${s} : Invalid value (must be at least ${o.min})`);
  return d;
}

const listOf = (v: FieldValue | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

/**
 * An order's invoicing elements, slot by slot: a known element code with a decimal amount; an empty
 * slot (no code, no amount or 0, as a full LST of 30 slots sends) is skipped.
 */
function invoicingElements(codes: FieldValue | undefined, amounts: FieldValue | undefined): { INVDTA: string[]; INVDTAAMT: string[] } {
  const c = listOf(codes);
  const a = listOf(amounts);
  if (c.length > INVDTA_SLOTS || a.length > INVDTA_SLOTS) fail(`SOH3_5 : Too many invoicing elements (${INVDTA_SLOTS} max)`);
  const out = { INVDTA: [] as string[], INVDTAAMT: [] as string[] };
  for (let i = 0; i < Math.max(c.length, a.length); i++) {
    const code = (c[i] ?? '').trim();
    const amt = decimalField(`INVDTAAMT(${i + 1})`, a[i], {});
    if (!code && amt.isZero()) continue;
    if (!code) fail(`INVDTA(${i + 1}) : Mandatory field`);
    if (!INVOICING_ELEMENTS[code]) fail(`INVDTA(${i + 1}) ${code} : Record does not exist`);
    if (out.INVDTA.includes(code)) fail(`INVDTA(${i + 1}) ${code} : Invoicing element already entered`);
    out.INVDTA.push(code);
    out.INVDTAAMT.push(amt.toString());
  }
  return out;
}

/** A field sent in a group it does not belong to, or not on the screen at all, is refused. */
const placement = new WeakMap<ObjectLayout, { grpOf: Map<string, string>; groups: Set<string>; tables: Map<string, { dim: number; fields: Set<string> }> }>();
function placementOf(layout: ObjectLayout) {
  let p = placement.get(layout);
  if (!p) {
    const blocks = layout.blocks;
    p = {
      grpOf: new Map(blocks.filter((b) => b.kind === 'GRP').flatMap((b) => b.fields.map((f) => [f.name, b.id] as const))),
      groups: new Set(blocks.filter((b) => b.kind === 'GRP').map((b) => b.id)),
      tables: new Map(blocks.filter((b) => b.kind === 'TAB').map((b) => [b.id, { dim: b.dim ?? 1, fields: new Set(b.fields.map((f) => f.name)) }] as const)),
    };
    placement.set(layout, p);
  }
  return p;
}

function checkPlacement(layout: ObjectLayout, p: Payload): void {
  const { grpOf, groups, tables } = placementOf(layout);
  for (const [name, g] of Object.entries(p.groupOf)) {
    if (!groups.has(g)) fail(`${g} : Unknown group`);
    if (grpOf.get(name) !== g) fail(`${g}.${name} : Unknown field`);
  }
  for (const [id, rows] of Object.entries(p.tables)) {
    const t = tables.get(id) ?? fail(`${id} : Unknown table`);
    if (rows.length > t.dim) fail(`${id} : Too many lines (${t.dim} max)`);
    for (const { row } of rows) for (const k of Object.keys(row)) if (!t.fields.has(k)) fail(`${id}.${k} : Unknown field`);
  }
  // Read-only and display fields sent by a client that round-trips a read are ignored, not refused.
  for (const k of layout.readOnly) delete p.fields[k];
  for (const k of layout.display ?? []) {
    delete p.fields[k];
    for (const rows of Object.values(p.tables)) for (const { row } of rows) delete row[k];
  }
}
