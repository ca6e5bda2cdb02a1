// Mapping suggester: for each source field, target fields ranked by a confidence in [0, 1], from
// names (tokenised, abbreviations expanded, folded to concepts), types, sample values, structure
// (arrays ↔ detail tables, address blocks) and what accepted mappings taught it. Offline: no data
// leaves the process.
import { catalogue, leaves, type Field } from './catalogue.js';
import { ABBREVIATIONS, CONCEPT, FORM, IDENTIFIERS, OWNERS, PARTNER_CODES, PARTNER_ROLES, PHRASES, STOP, splitCode } from './vocabulary.js';
import type { Knowledge } from './knowledge.js';

export interface Candidate {
  target: string;
  confidence: number;
  why: string;
}
export interface Suggestion {
  source: string;
  candidates: Candidate[];
}

export interface SuggestOptions {
  knowledge?: Knowledge;
  /** A source record: its values are profiled (dates, e-mails, currencies, postal codes …). */
  sample?: unknown;
  max?: number;
}

/** Multi-word names folded to one word (PHRASES). */
function phrased(ws: string[]): string[] {
  const out = [...ws];
  for (const [phrase, one] of PHRASES) {
    const at = out.findIndex((_, i) => phrase.every((w, j) => out[i + j] === w));
    if (at >= 0) out.splice(at, phrase.length, one);
  }
  return out;
}

/** Words of one path segment: camelCase, snake_case, digits, X3 codes (BPCNAM → customer name). */
export function words(segment: string): string[] {
  const seg = segment.replace(/\[\]$/, '');
  const out: string[] = [];
  for (const part of seg.split(/[_\-\s.]+/).filter(Boolean)) {
    if (/^[A-Z0-9]+$/.test(part) && part.length >= 3) {
      // X3 codes may carry a digit inside (DES1AXX = DES + 1 + AXX): each letter run is split alone.
      const runs = part.split(/(\d+)/).filter(Boolean);
      const codes = runs.map((r) => (/^\d+$/.test(r) ? r : splitCode(r)));
      if (codes.every(Boolean)) {
        // A partner's code and its role (BPCORD, BPCINV): the partner's identifier, the role after it.
        const c0 = codes[0];
        if (codes.length === 1 && Array.isArray(c0) && c0.length === 2 && PARTNER_CODES.has(c0[0]!) && PARTNER_ROLES.has(c0[1]!) && c0[1] !== 'NUM') {
          out.push(...ABBREVIATIONS[c0[0]!]!, '~id', ...ABBREVIATIONS[c0[1]!]!.map((w) => `~${w}`));
          continue;
        }
        for (const c of codes) {
          if (typeof c === 'string') out.push(`#${Number(c)}`);
          else for (const a of c!) out.push(...ABBREVIATIONS[a]);
        }
        continue;
      }
    }
    for (const w of part.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/)) {
      if (/^\d+$/.test(w)) out.push(`#${Number(w)}`);
      else out.push(w.toLowerCase());
    }
  }
  return out;
}

const concept = (w: string): string => {
  if (w.startsWith('#')) return w;
  if (w.startsWith('~')) return concept(w.slice(1));
  // Plurals: `charges` → charge, `addresses` → address (both strips tried: `surcharges` is no `surcharg`).
  const c = CONCEPT.get(w) ?? CONCEPT.get(w.replace(/s$/, '')) ?? CONCEPT.get(w.replace(/es$/, ''));
  return c ?? w.replace(/s$/, '');
};

/**
 * A system's own name in a field (AmazonOrderId, X3's YAMZ… fields) says whose the value is, not what it
 * is: Amazon's order id is its order id. It weighs like a digit.
 */
const SYSTEMS = new Set(['amazon', 'xcart', 'sage', 'x3']);
/** Concepts that name money: an object named for one gives its `Amount` / `value` its meaning. */
const MONEY = new Set(['price', 'amount', 'charge', 'discount', 'tax', 'subtotal']);
/** A money object's other words (Item in ItemPrice) say which money, at half weight: the value is a price. */
const OWNER_WORD = 0.5;
/** A charge's kind read as a description or an account, at half weight. */
const CHARGE_KIND = 0.5;
/** Things with a name of their own: state_name, shipping_method_name, CountryName are that thing as text. */
const NAMED_THINGS = new Set(['state', 'country', 'city', 'carrier', 'status', 'type', 'group', 'site', 'language', 'currency']);
/** Concepts that fix a value's format (an e-mail, a phone number …): a field named for one holds only that. */
const FORMATS = ['email', 'phone', 'postal', 'currency'];
/** What is counted or weighed per unit (UnitPrice, UnitWeight, UnitCost). */
const MEASURES = new Set(['price', 'amount', 'weight', 'cost', 'volume']);

export interface Profile {
  path: string;
  field: Field;
  leaf: Map<string, number>; // concept → weight from the last segment
  all: Map<string, number>; // leaf and context (parent segments, at half weight)
  role?: 'ship' | 'bill';
  array: boolean;
  depth: number;
  audit: boolean;
  /** Named a reference, an origin or a purchase order (X3 REF, CUSORDREF, SIHORINUM, OrderReference, PurchaseOrderNumber): points at another record. */
  ref: boolean;
  kind: 'text' | 'number' | 'date' | 'bool' | 'other';
  valueClass?: string;
}

function kindOf(f: Field): Profile['kind'] {
  switch (f.type) {
    case 'string':
      return 'text';
    case 'number':
    case 'integer':
    case 'decimal':
      return 'number';
    case 'date':
      return 'date';
    case 'boolean':
      return 'bool';
    default:
      return (f.type as string) === 'yyyymmdd' ? 'date' : 'other';
  }
}

const nounCache = new Map<string, string[]>();
function entityNouns(entity: string): string[] {
  let n = nounCache.get(entity);
  // X3 entities named by their table code in lower case (sagex3.sih) read as the code (SIH: invoice).
  const name = (entity.split('.').pop() ?? '').replace(/(?<![A-Za-z])[a-z]{3}(?![A-Za-z])/g, (c) => c.toUpperCase());
  if (!n) nounCache.set(entity, (n = words(name).map(concept).filter((c) => !SYSTEMS.has(c))));
  return n;
}

export function profile(f: Field, sampleValue?: unknown, entity = ''): Profile {
  const itemEntity = /item|product|listing|ITM$/i.test(entity);
  const segs = f.path.split('.');
  const leafSeg = segs[segs.length - 1];
  const leaf = new Map<string, number>();
  const all = new Map<string, number>();
  let leafWords = words(leafSeg).map((w) => (w === 'addr' ? 'address' : w));
  // Phrases first: "address line" (AddressLine1, ADDLIG1) is a street line, Amazon's "externally
  // assigned product identifier" a GTIN.
  leafWords = phrased(leafWords).filter((w) => !STOP.has(w)).flatMap((w) => IDENTIFIERS[w] ?? [w]);
  // Audit stamps (update_date, LastUpdateDate) are bookkeeping, not the business date they resemble.
  const audit = leafWords.some((w) => /^(update|updated|modified|changed)$/.test(w));
  // A contact, said alone (ShipToContact), is the person's name; ContactEmail is an e-mail.
  if (leafWords[leafWords.length - 1] === 'contact') leafWords.push('name');
  // X-Cart's line `amount` is a count of units; a whole number named amount is a quantity.
  if (f.type === 'integer') leafWords = leafWords.map((w) => (w === 'amount' ? 'quantity' : w));
  if (leafWords.includes('line') && segs.length === 1 && leafWords.length <= 2 && /LIG/.test(leafSeg)) leafWords = leafWords.map((w) => (w === 'line' ? 'street' : w));
  // A money object's `Amount` / `CurrencyCode` take their meaning from the object (ItemPrice.Amount).
  const parentWords = segs.slice(0, -1).flatMap((s) => words(s)).filter((w) => !STOP.has(w));
  // Only an object gives its meaning (ItemPrice.Amount); an element of a list of records (surcharges[].value)
  // is a value among others — except Amazon listing attributes, lists of one value per marketplace.
  // `value_with_tax` (an Amazon offer's price) is the value too, the tax said.
  // Amazon Finances writes money as {CurrencyCode, CurrencyAmount}: CurrencyAmount is the amount, the
  // currency only says in what.
  const moneyLeaf = segs.length > 1 && /^(currency_?)?(amount|value)(_with(out)?_tax)?$/i.test(leafSeg) && (!segs[segs.length - 2]!.endsWith('[]') || segs[0] === 'attributes');
  if (moneyLeaf && leafWords.length > 1) leafWords = leafWords.filter((w) => concept(w) !== 'currency');
  // The object that gives a money leaf its meaning: the nearest one naming money (our_price[].schedule[].value_with_tax
  // is a price), else the parent (ItemPrice.Amount).
  const ownerWords = (seg: string): string[] => phrased(words(seg)).filter((x) => !STOP.has(x));
  const owner = moneyLeaf ? ([...segs.slice(0, -1)].reverse().find((g) => ownerWords(g).some((w) => MONEY.has(concept(w)))) ?? segs[segs.length - 2]!) : '';
  // Digits only tell AddressLine1 from AddressLine2; they weigh little.
  // An Amazon listing attribute's `value` is whatever the attribute names (item_name[].value): the word weighs little.
  const valueWeight = segs[0] === 'attributes' ? 0.2 : 0.5;
  // The entity's own noun in its fields' names (an order's OrderItemId, OrderStatus) says little.
  const own = new Set(entityNouns(entity));
  // A text `value` in a list that names no money (tracking[].value, tracking_numbers[].value) is what the
  // list names: a tracking number, not an amount. A numeric one stays an amount.
  const textValue = !moneyLeaf && segs.length > 1 && /^values?$/i.test(leafSeg) && segs[0] !== 'attributes' && kindOf(f) === 'text' && !ownerWords(segs[segs.length - 2]!).some((w) => MONEY.has(concept(w)));
  if (textValue) leafWords = [...ownerWords(segs[segs.length - 2]!), ...leafWords];
  // An object's code or name (X-Cart shipping_status.code) is the code or name of what the object names,
  // and a charge list's code, type or name (surcharges[].code) the charge's.
  const up = segs[segs.length - 2];
  const upWords = up ? ownerWords(up) : [];
  const thingsPart = up && !up.endsWith('[]') ? /^(code|name)$/.test(leafWords[0] ?? '') && upWords.some((w) => NAMED_THINGS.has(concept(w))) : /^(code|type|name)$/.test(leafWords[0] ?? '') && upWords.some((w) => concept(w) === 'charge');
  if (up && leafWords.length === 1 && thingsPart) leafWords = [...upWords, ...leafWords];
  // A name qualifying a thing (state_name, shipping_method_name) is that thing's label, not a person's name.
  const thingName = leafWords.length > 1 && leafWords.some((w) => NAMED_THINGS.has(concept(w)));
  // `unit` before a measure (UnitPrice, UnitWeight, UnitCost) says "per unit": the measure is the thing,
  // not a unit of measure (SAU, StockUnit, item_package_weight[].unit).
  const perUnit = (i: number): boolean => leafWords[i] === 'unit' && i + 1 < leafWords.length && MEASURES.has(concept(leafWords[i + 1]!));
  leafWords.forEach((w, i) => leaf.set(concept(w), perUnit(i) ? 0.3 : (moneyLeaf || textValue) && concept(w) === 'amount' ? (textValue ? 0.2 : valueWeight) : w.startsWith('#') || w.startsWith('~') || SYSTEMS.has(w) || OWNERS.has(w) || FORM.has(w) ? 0.3 : thingName && concept(w) === 'name' ? 0.3 : own.has(concept(w)) && leafWords.length > 1 ? 0.7 : 1));
  // A money object's parts take their meaning from the object: ItemPrice.Amount is an item price.
  if (moneyLeaf) for (const w of ownerWords(owner)) if (!leaf.has(concept(w))) leaf.set(concept(w), MONEY.has(concept(w)) ? 1 : OWNER_WORD);
  // An amount per unit (perUnitDeclaredValue.value, UnitPrice) is a price.
  if (leaf.has('amount') && [...leafWords, ...(moneyLeaf ? words(owner) : [])].includes('unit') && !leaf.has('price')) leaf.set('price', 1);
  // The name of an item or product is its title: a description (X3 DES1AXX, Sage 300 Description,
  // Amazon item_name), unless the name says whose it is (customer name, ship-to name).
  // A line's item (items[].name, an order line's product name) is an item too.
  const itemLine = segs.length > 1 && concept(words(segs[segs.length - 2]!).pop() ?? '') === 'item';
  if ((itemEntity || itemLine) && leaf.has('name') && [...leaf.keys()].every((c) => ['name', 'item', 'amount'].includes(c) || c.startsWith('#'))) {
    leaf.set('description', leaf.get('name')!);
    leaf.delete('name');
  }
  // The kind of a charge (Finances ChargeType, FeeType) says what the money was for: a line's description
  // or the account it goes to, more than a record's type.
  if (leaf.has('charge') && leaf.has('type') && leaf.size === 2) (leaf.set('description', CHARGE_KIND), leaf.set('account', CHARGE_KIND));
  // A bare id in an order's list of items (X-Cart items[].id) is the line's id, not the item's.
  if (itemLine && !itemEntity && segs[segs.length - 2]!.endsWith('[]') && leaf.size === 1 && leaf.has('id')) leaf.set('line', 1);
  for (const [c, v] of leaf) all.set(c, v);
  for (const w of parentWords) {
    const c = concept(w);
    if (!all.has(c)) all.set(c, 0.5);
  }
  const has = (c: string): boolean => all.has(c);
  const role = has('ship') && !has('bill') ? 'ship' : has('bill') && !has('ship') ? 'bill' : undefined;
  const valueClass = sampleValue === undefined ? undefined : classify(sampleValue);
  // An address block kept as a list (X3's addresses[], X-Cart's profile addresses) is one address,
  // not a detail table: only line arrays count as structure.
  // A Sage 300 batch's first list holds its entries, one per source record (a payment is one receipt
  // entry): that level is the record, not lines. Amazon listing attributes are lists of per-marketplace
  // values (item_name[], item_package_weight[], an offer's our_price[].schedule[]), one value each:
  // nothing under a listing's attributes is lines.
  // A payment schedule (Sage 300 InvoicePaymentSchedules[]) lists a document's instalments and X-Cart's
  // tracking[] one shipment's numbers: amounts and numbers of the whole record, not lines.
  const segsArr = f.path.split('.');
  const array = segsArr.some((g, i) => g.endsWith('[]') && !/address|schedule|tracking/i.test(g) && !(i === 0 && /Batches$/.test(entity)) && segsArr[0] !== 'attributes');
  const depth = segsArr.length;
  // A purchase order number is the buyer's number for the order: a reference too.
  const ref = leafWords.some((w) => /^(reference|ref|origin|purchase)$/.test(w.replace(/^~/, '')));
  return { path: f.path, field: f, leaf, all, role, array, depth, audit, ref, kind: kindOf(f), valueClass };
}

const CURRENCIES = new Set(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'MXN', 'BRL', 'INR', 'CNY', 'SGD', 'AED', 'SAR', 'TRY', 'NZD', 'CZK', 'HUF', 'ZAR']);
/** What a sample value looks like. */
export function classify(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? (v > 1e9 && v < 4e9 ? 'date' : 'integer') : 'amount';
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(s)) return 'email';
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) || /^\d{8}$/.test(s) && /^(19|20)\d{2}(0[1-9]|1[0-2])/.test(s)) return 'date';
  if (CURRENCIES.has(s)) return 'currency';
  if (/^[A-Z]{2}$/.test(s)) return 'country';
  if (/^-?\d+\.\d{1,4}$/.test(s)) return 'amount';
  if (/^\+?[\d\s().-]{7,20}$/.test(s) && /\d{3}/.test(s) && (s.includes(' ') || s.includes('-') || s.startsWith('+') || s.length >= 10)) return 'phone';
  if (/^\d{5}(-\d{4})?$/.test(s) || /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(s) || /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i.test(s)) return 'postal';
  if (/^\d+$/.test(s)) return 'integer';
  if (/^[A-Z0-9][A-Z0-9_.\-/]{2,39}$/i.test(s) && /\d/.test(s) && /[A-Z]/i.test(s) && !s.includes(' ')) return 'code';
  return 'text';
}

/** The concept a value class stands for, when a target field names it. */
const CLASS_CONCEPT: Record<string, string> = { email: 'email', date: 'date', currency: 'currency', country: 'country', postal: 'postal', phone: 'phone', amount: 'amount' };

/**
 * Concepts near each other without being one: a code is picked from a list (BankCode, ShipViaCode), a
 * number or reference names one record (CustomerNumber, CheckReceiptNo); either identifies. A price is an
 * amount per unit (a line's gross price is its amount); a subtotal is an amount, not the total.
 */
const RELATED: Record<string, [string, number]> = { code: ['id', 0.5], id: ['code', 0.5], comment: ['description', 0.5], description: ['comment', 0.5], group: ['type', 0.5], type: ['group', 0.5], price: ['amount', 0.5], amount: ['price', 0.5], subtotal: ['amount', 0.5] };

function cosine(a: Map<string, number>, b: Map<string, number>, idf: (c: string) => number): { sim: number; shared: string[] } {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const shared: string[] = [];
  for (const [c, w] of a) {
    const i = idf(c);
    na += (w * i) ** 2;
    const v = b.get(c);
    if (v !== undefined) (dot += w * v * i * i, shared.push(c));
    else {
      const r = RELATED[c];
      const u = r && !a.has(r[0]) ? b.get(r[0]) : undefined;
      if (u !== undefined) (dot += w * u * i * idf(r![0]) * r![1], shared.push(`${c}~${r![0]}`));
    }
  }
  for (const [c, w] of b) nb += (w * idf(c)) ** 2;
  return { sim: na && nb ? dot / Math.sqrt(na * nb) : 0, shared };
}

function typeFit(s: Profile, t: Profile): number {
  if (s.kind === t.kind) return 1;
  if (s.kind === 'other' || t.kind === 'other') return 0.8;
  if (s.kind === 'bool' || t.kind === 'bool') return 0.2;
  if (s.kind === 'date' || t.kind === 'date') return 0.45;
  if (t.kind === 'text') return 0.8; // a number can be written as text (X3 takes numbers as strings)
  return 0.7;
}

/** Values flowing to `t` must look like the sample (an e-mail to an e-mail field …). */
function valueFit(s: Profile, t: Profile): number {
  const c = s.valueClass ? CLASS_CONCEPT[s.valueClass] : undefined;
  if (!c) return 0;
  if (t.leaf.has(c)) return 1;
  if (c === 'date' && t.kind === 'date') return 0.8;
  if (c === 'amount' && t.kind === 'number') return 0.5;
  // A typed value landing in a field named for another kind of value is unlikely.
  const typed = Object.values(CLASS_CONCEPT).filter((x) => x !== c);
  return typed.some((x) => t.leaf.has(x)) ? -0.6 : 0;
}

function valueAt(sample: unknown, p: string): unknown {
  let cur: unknown[] = [sample];
  for (const seg of p.split('.')) {
    const arr = seg.endsWith('[]');
    const k = arr ? seg.slice(0, -2) : seg;
    cur = cur.flatMap((x) => (x && typeof x === 'object' ? [(x as Record<string, unknown>)[k]] : []));
    if (arr) cur = cur.flatMap((x) => (Array.isArray(x) ? x : []));
  }
  return cur.find((x) => x !== undefined && x !== null);
}

export interface Prepared {
  sourceEntity: string;
  targetEntity: string;
  sources: Profile[];
  targets: Profile[];
  idf: (c: string) => number;
  /** An item's long text (`description` beside a `name`, its title). */
  longText: Set<string>;
  /** The target record's own reference fields (OrderReference, PurchaseOrderNumber, CUSORDREF, X3 REF). */
  refs: Profile[];
  /** The source item's title: its first field read as a description (DES1AXX before DES2AXX). */
  title?: string;
}

export function prepare(sourceEntity: string, targetEntity: string, sample?: unknown): Prepared {
  const src = leaves(catalogue(sourceEntity, 'source').fields);
  const tgt = leaves(catalogue(targetEntity, 'target').fields);
  const sources = src.map((f) => profile(f, sample === undefined ? undefined : valueAt(sample, f.path), sourceEntity));
  const targets = tgt.map((f) => profile(f, undefined, targetEntity));
  // Concepts in many target fields (order, id) tell fields apart less than rare ones (postal).
  const df = new Map<string, number>();
  // Related concepts count together (a code is about as common as an id: neither weighs more for being split).
  for (const t of targets) {
    for (const c of t.all.keys()) {
      df.set(c, (df.get(c) ?? 0) + 1);
      const r = RELATED[c]?.[0];
      if (r && !t.all.has(r)) df.set(r, (df.get(r) ?? 0) + 1);
    }
  }
  const n = targets.length;
  const idf = (c: string): number => 0.4 + Math.log(1 + n / (1 + (df.get(c) ?? 0))) / Math.log(1 + n);
  // A shop product has a name (its title) and a description (marketing text); an ERP item's or a
  // listing's description (X3 DES1AXX, Sage 300 Description, Amazon Title) is the title.
  const longText = new Set<string>();
  const itemTarget = /item|product|listing|ITM$/i.test(targetEntity);
  if (itemTarget && tgt.some((f) => /^name$/i.test(f.path))) for (const f of tgt) if (/^description$/i.test(f.path)) longText.add(f.path);
  const title = sources.find((x) => x.leaf.has('description'))?.path;
  const refs = targets.filter((t) => t.depth === 1 && t.ref && t.leaf.has('id'));
  return { sourceEntity, targetEntity, sources, targets, idf, longText, title, refs };
}

// A field only the read schema has (X3 SOHNUM, numbered by X3) is rarely written.
const OTHER = 0.7;
/** What an identifier names: the word before its id (CustomerNumber: customer; CUSORDREF: order; NUM: nothing). */
function named(x: Profile): string | undefined {
  const cs = [...x.leaf].filter(([c, w]) => w >= 0.5 && !c.startsWith('#')).map(([c]) => c);
  const i = cs.indexOf('id');
  return i > 0 ? cs[i - 1] : undefined;
}
/** The record's own number: a top-level identifier of nothing but the record (NUM, SOHNUM, OrderNumber in an order). */
function ownKey(t: Profile, entity: string): boolean {
  const n = named(t);
  return t.depth === 1 && t.leaf.has('id') && !t.ref && (n === undefined || entityNouns(entity).includes(n));
}
/**
 * Another system's own number for its record (AmazonOrderId, an X-Cart order_number) names the record
 * there: where the target record has a field for a reference (OrderReference, CUSORDREF), that is where
 * it goes; the target's own number is the target system's to assign. The seller's own number kept in
 * another system (MCF sellerFulfillmentOrderId, SellerOrderId) is the merchant's number: it goes to the
 * target's own number rather than a reference.
 */
function otherSystemsNumber(p: Prepared, s: Profile, t: Profile): boolean {
  if (p.sourceEntity.split('.')[0] === p.targetEntity.split('.')[0] || !ownKey(s, p.sourceEntity)) return false;
  const n = named(s);
  const seller = [...OWNERS].some((w) => s.leaf.has(w));
  if (seller) return p.refs.includes(t) && (named(t) === undefined || named(t) === n);
  // The target system's own number for the record or that kind of record (NUM, OrderNumber on an invoice).
  const targetsNumber = t.depth === 1 && t.leaf.has('id') && !t.ref && (named(t) === undefined || named(t) === n || ownKey(t, p.targetEntity));
  return targetsNumber && p.refs.some((r) => named(r) === undefined || named(r) === n);
}
const OTHER_NUMBER = 0.7;
/**
 * A reference (CUSORDREF, PurchaseOrderNumber) goes to the target's reference field for that kind of
 * record when it has one, before the target's numbers (SOHNUM, CustomerNumber).
 */
function refToNumber(p: Prepared, s: Profile, t: Profile): boolean {
  if (!s.ref || !s.leaf.has('id') || t.ref || !t.leaf.has('id') || t.depth !== 1) return false;
  const n = named(s);
  return p.refs.some((r) => named(r) === undefined || named(r) === n);
}
const REF_TO_NUMBER = 0.6;
// Among equal names, a field of the record itself before one of a nested block (id before addresses[].id).
const DEPTH = 0.04;
export function score(p: Prepared, s: Profile, t: Profile, k?: Knowledge): { confidence: number; why: string } {
  const whole = cosine(s.all, t.all, p.idf);
  const leaf = cosine(s.leaf, t.leaf, p.idf);
  let name = 0.45 * whole.sim + 0.55 * Math.max(leaf.sim, 0.8 * cosine(s.leaf, t.all, p.idf).sim);
  const reasons: string[] = [];
  if (whole.shared.length) reasons.push(`names share ${whole.shared.filter((c) => !c.startsWith('#')).join(', ') || whole.shared.join(', ')}`);
  // Ship-to fields go to ship-to fields, bill-to to bill-to.
  if (s.role && t.role && s.role !== t.role) (name *= 0.45, reasons.push(`${s.role} ≠ ${t.role}`));
  // A field named for a format (an e-mail, a phone, a postal code, a currency) holds values of that format
  // only: it maps to a field that takes them.
  for (const [a, b] of [[s, t], [t, s]] as const) {
    const f = FORMATS.find((c) => a.leaf.has(c));
    if (f && !b.all.has(f)) name *= 0.8;
  }
  // Line arrays go to detail tables; header fields to the header.
  // Freight and discounts may come per line (Amazon's ShippingPrice per item) where the ERP takes them
  // per order (Sage 300 OE order discount, X3 invoicing elements): a line charge sums into the header.
  // A field of a list of charges (X-Cart surcharges[].value) is a charge too.
  const charge = (x: Profile): boolean => x.leaf.has('charge') || x.leaf.has('discount') || (x.array && x.all.has('charge'));
  const structure = s.array === t.array || (charge(s) && charge(t)) ? 1 : 0.55;
  if (s.array && t.array) reasons.push('both on lines');
  const type = typeFit(s, t);
  const value = valueFit(s, t);
  if (value > 0) reasons.push(`sample looks like ${s.valueClass}`);
  let learned = 0;
  if (k) {
    const l = k.strength(p.sourceEntity, s, p.targetEntity, t);
    learned = l.value;
    if (l.why) reasons.push(l.why);
  }
  // Fields only the other side's schema knows (an X3 SOH's SOHNUM, read back but never written)
  // come after the fields the target schema writes.
  // A Sage 300 optional-field `Value` means what the code written beside it names: its name says nothing.
  const slot = (/OptionalField[^.]*\[\]\.Value$/.test(t.path) ? 0.5 : 1) * (p.longText.has(t.path) && s.path === p.title ? 0.9 : 1);
  const own = (t.field.origin === 'other' ? OTHER : 1) * (otherSystemsNumber(p, s, t) ? OTHER_NUMBER : refToNumber(p, s, t) ? REF_TO_NUMBER : 1) * (1 - DEPTH * (t.depth - 1)) * (t.audit && !s.audit ? 0.8 : 1) * slot;
  const raw = own * (0.7 * name + 0.3 * Math.max(learned, name) + 0.15 * value) * structure * (0.3 + 0.7 * type) + 0.35 * learned * (k?.exact(p.sourceEntity, s.path, p.targetEntity, t.path) ? 1 : 0);
  const confidence = Math.max(0, Math.min(1, raw));
  return { confidence, why: reasons.join('; ') || 'weak name match' };
}

/** Ranked candidates for every source field of the entity pair (or only `only`). */
export function suggest(sourceEntity: string, targetEntity: string, opts: SuggestOptions = {}, only?: string[]): Suggestion[] {
  const p = prepare(sourceEntity, targetEntity, opts.sample);
  const max = opts.max ?? 5;
  const want = only ? new Set(only) : undefined;
  const out: Suggestion[] = [];
  for (const s of p.sources) {
    if (want && !want.has(s.path)) continue;
    const cands = p.targets
      .filter((t) => !opts.knowledge?.isRejected(sourceEntity, s.path, targetEntity, t.path))
      .map((t) => ({ target: t.path, ...score(p, s, t, opts.knowledge) }))
      .filter((c) => c.confidence >= 0.05)
      .sort((a, b) => b.confidence - a.confidence || a.target.localeCompare(b.target))
      .slice(0, max)
      .map((c) => ({ ...c, confidence: Math.round(c.confidence * 1000) / 1000 }));
    out.push({ source: s.path, candidates: cands });
  }
  return out;
}
