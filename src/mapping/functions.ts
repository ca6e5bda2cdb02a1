// The built-in functions a mapping expression can call ($lookup, $dsum, $convert, $street, …). The
// same implementation serves compiled expressions and the jsonata fallback, so both paths agree.
// A function that meets bad data never throws: it records an issue at the current target field and
// returns undefined, so one run reports every problem of a record at once.
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Budget } from './budget.js';
import type { AppliedRate, LookupTables, MappingIssue } from './types.js';
import type { RateTable } from './transforms/currency.js';
import { convertAmount, isCurrency, minorUnits } from './transforms/currency.js';
import { D, type Dec, decString, type Fixed, fixedAdd, fixedMul, fixedRound, fixedString, toDecimal, toFixedPoint } from './transforms/decimal.js';
import { type Casing, countryAlpha2, countryAlpha3, countryName, formatPostal, normalizeStreet, splitLines, stateCode } from './transforms/address.js';
import { type DateFormat, formatDate, isTimeZone, parseInstant } from './transforms/dates.js';

/** Per-run state every function can reach. */
export interface Runtime {
  lookups: LookupTables;
  rates: RateTable | undefined;
  now: Date;
  options: Record<string, unknown>;
  warnings: MappingIssue[];
  errors: MappingIssue[];
  applied: AppliedRate[];
  /** Target path being computed, e.g. `OrderDetails[2].Item`. */
  path: string;
  /** Source path of the current context, e.g. `items[2]` inside an `each: items`; '' at the root,
   *  undefined inside a filtered list whose positions do not match the source's. */
  srcBase: string | undefined;
  /** Time and memory this evaluation may still use (budget.ts). */
  budget: Budget;
}

export function joinPath(base: string, key: string | number | undefined): string {
  if (key === undefined) return base;
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/**
 * The Runtime of one run. Paths are kept in parts (parent path + key, source root + index) and joined
 * only when an issue is recorded, so a record with nothing to report builds no path strings.
 */
export class RuntimeState implements Runtime {
  warnings: MappingIssue[] = [];
  errors: MappingIssue[] = [];
  applied: AppliedRate[] = [];
  pathBase = '';
  pathKey: string | number | undefined = undefined;
  srcRoot: string | undefined = '';
  srcIndex: number | undefined = undefined;
  constructor(
    public lookups: LookupTables,
    public rates: RateTable | undefined,
    public now: Date,
    public options: Record<string, unknown>,
    public budget: Budget,
  ) {}
  get path(): string {
    return joinPath(this.pathBase, this.pathKey);
  }
  set path(v: string) {
    this.pathBase = v;
    this.pathKey = undefined;
  }
  get srcBase(): string | undefined {
    return this.srcRoot === undefined || this.srcIndex === undefined ? this.srcRoot : `${this.srcRoot}[${this.srcIndex}]`;
  }
  set srcBase(v: string | undefined) {
    this.srcRoot = v;
    this.srcIndex = undefined;
  }
}

/** Static facts about one call site, known when the expression is compiled. */
export interface CallSite {
  /** Source text of each argument when it is a plain path (for messages: "at items[2].sku"). */
  argPaths: Array<string | undefined>;
}

export type BuiltinFn = (rt: Runtime, site: CallSite | undefined, ...args: unknown[]) => unknown;

/**
 * Phone parsing (~25 µs with libphonenumber) and street normalisation are pure functions of their
 * text; a bounded memo means a repeat customer, or a billing address equal to the shipping one, is
 * parsed once. Cleared wholesale at 10,000 entries, so memory stays bounded.
 */
function memo<R>(fn: (a: string, b: string) => R): (a: string, b: string) => R {
  const cache = new Map<string, R>();
  return (a, b) => {
    const key = `${a}\u0000${b}`;
    let r = cache.get(key);
    if (r === undefined && !cache.has(key)) {
      r = fn(a, b);
      if (cache.size >= 10_000) cache.clear();
      cache.set(key, r);
    }
    return r as R;
  };
}

const parsePhone = memo((phone: string, country: string): string | null => {
  const p = parsePhoneNumberFromString(phone, (country || undefined) as CountryCode | undefined);
  return p && p.isValid() ? p.number : null;
});
const streetMemo = memo((s: string, casing: string) => normalizeStreet(s, casing as Casing));

const isBlank = (v: unknown) => v === undefined || v === null || v === '';

function srcOf(rt: Runtime, site: CallSite | undefined, i: number): string | undefined {
  const p = site?.argPaths[i];
  if (!p || rt.srcBase === undefined) return undefined;
  return rt.srcBase ? `${rt.srcBase}.${p}` : p;
}

export function addError(rt: Runtime, message: string, extra?: { source?: string | undefined; suggestions?: string[]; lookup?: MappingIssue['lookup'] }): void {
  const issue: MappingIssue = { path: rt.path, message };
  if (extra?.source) issue.source = extra.source;
  if (extra?.suggestions?.length) issue.suggestions = extra.suggestions;
  if (extra?.lookup) issue.lookup = extra.lookup;
  rt.errors.push(issue);
}
export function addWarning(rt: Runtime, message: string, source?: string): void {
  rt.warnings.push(source ? { path: rt.path, message, source } : { path: rt.path, message });
}

function dec(rt: Runtime, site: CallSite | undefined, v: unknown, i: number, fn: string): Dec | undefined {
  const d = toDecimal(v);
  if (d === undefined && !isBlank(v)) {
    const at = srcOf(rt, site, i);
    addError(rt, `${fn}: ${JSON.stringify(v)} is not a decimal number${at ? ` (at ${at})` : ''}`, { source: at });
  }
  return d;
}

/** Flattens the jsonata "sequence or single value" convention into a list. */
function list(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function places(rt: Runtime, p: unknown): number | undefined {
  if (typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 10) return p;
  if (typeof p === 'string' && isCurrency(p)) return minorUnits(p);
  if (p === undefined) return undefined;
  addError(rt, `rounding: ${JSON.stringify(p)} is neither a number of places nor an ISO 4217 currency code`);
  return undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export const builtins: Record<string, BuiltinFn> = {
  // ---- decimal arithmetic (money) ----
  dadd(rt, site, ...args) {
    let fx: Fixed | undefined = { n: 0, s: 0 };
    for (let i = 0; i < args.length && fx; i++) {
      if (isBlank(args[i])) continue;
      const f = toFixedPoint(args[i]);
      fx = f ? fixedAdd(fx, f) : undefined;
    }
    if (fx) return fixedString(fx);
    let acc = new D(0);
    for (let i = 0; i < args.length; i++) {
      if (isBlank(args[i])) continue;
      const d = dec(rt, site, args[i], i, '$dadd');
      if (!d) return undefined;
      acc = acc.add(d);
    }
    return decString(acc);
  },
  dsub(rt, site, a, b) {
    const fa = toFixedPoint(a);
    const fb = isBlank(b) ? { n: 0, s: 0 } : toFixedPoint(b);
    const fr = fa && fb ? fixedAdd(fa, { n: -fb.n, s: fb.s }) : undefined;
    if (fr) return fixedString(fr);
    const x = dec(rt, site, a, 0, '$dsub');
    const y = isBlank(b) ? new D(0) : dec(rt, site, b, 1, '$dsub');
    return x && y ? decString(x.sub(y)) : undefined;
  },
  dmul(rt, site, a, b) {
    const fa = toFixedPoint(a);
    const fb = fa ? toFixedPoint(b) : undefined;
    const fr = fa && fb ? fixedMul(fa, fb) : undefined;
    if (fr) return fixedString(fr);
    const x = dec(rt, site, a, 0, '$dmul');
    const y = dec(rt, site, b, 1, '$dmul');
    return x && y ? decString(x.mul(y)) : undefined;
  },
  ddiv(rt, site, a, b, p) {
    const x = dec(rt, site, a, 0, '$ddiv');
    const y = dec(rt, site, b, 1, '$ddiv');
    if (!x || !y) return undefined;
    if (y.isZero()) {
      addError(rt, '$ddiv: division by zero');
      return undefined;
    }
    return decString(x.div(y), places(rt, p ?? 10));
  },
  dneg(rt, site, a) {
    const f = toFixedPoint(a);
    if (f) return fixedString({ n: -f.n, s: f.s });
    const x = dec(rt, site, a, 0, '$dneg');
    return x ? decString(x.neg()) : undefined;
  },
  dabs(rt, site, a) {
    const x = dec(rt, site, a, 0, '$dabs');
    return x ? decString(x.abs()) : undefined;
  },
  /** Sum of a list of decimals; blanks count as zero; an empty list sums to "0". */
  dsum(rt, site, v) {
    const items = list(v);
    let fx: Fixed | undefined = { n: 0, s: 0 };
    for (let i = 0; i < items.length && fx; i++) {
      if (isBlank(items[i])) continue;
      const f = toFixedPoint(items[i]);
      fx = f ? fixedAdd(fx, f) : undefined;
    }
    if (fx) return fixedString(fx);
    let acc = new D(0);
    for (const item of list(v)) {
      if (isBlank(item)) continue;
      const d = dec(rt, site, item, 0, '$dsum');
      if (!d) return undefined;
      acc = acc.add(d);
    }
    return decString(acc);
  },
  /** Rounds half-up to N places, or to a currency's ISO 4217 minor units: $dround(x, 'JPY'). */
  dround(rt, site, a, p) {
    const x = dec(rt, site, a, 0, '$dround');
    const n = places(rt, p ?? 2);
    return x && n !== undefined ? decString(x, n) : undefined;
  },
  /** The amount as a money string in the currency's minor units ("12.5", "USD" → "12.50"). */
  money(rt, site, a, currency) {
    if (isBlank(a)) return undefined;
    const cur = typeof currency === 'string' ? currency : 'USD';
    if (!isCurrency(cur)) {
      addError(rt, `unknown currency ${JSON.stringify(currency)}`, { source: srcOf(rt, site, 1) });
      return undefined;
    }
    const f = toFixedPoint(a);
    const fast = f ? fixedRound(f, minorUnits(cur)) : undefined;
    if (fast !== undefined) return fast;
    const x = dec(rt, site, a, 0, '$money');
    if (!x) return undefined;
    return decString(x, minorUnits(cur));
  },
  /** Decimal comparison: -1, 0 or 1 (undefined when either side is not a number). */
  dcmp(rt, site, a, b) {
    const fa = toFixedPoint(a);
    const fb = fa ? toFixedPoint(b) : undefined;
    const d = fa && fb ? fixedAdd(fa, { n: -fb.n, s: fb.s }) : undefined;
    if (d) return d.n > 0 ? 1 : d.n < 0 ? -1 : 0;
    // A value that is there but not a number is reported, so a filter on it never drops a line silently.
    const x = isBlank(a) ? undefined : dec(rt, site, a, 0, '$dcmp');
    const y = isBlank(b) ? undefined : dec(rt, site, b, 1, '$dcmp');
    return x && y ? x.cmp(y) : undefined;
  },
  /** A decimal string as a JSON number, for targets whose wire format is numeric (Sage 300). */
  dnum(rt, site, a) {
    if (isBlank(a)) return undefined;
    const x = dec(rt, site, a, 0, '$dnum');
    return x ? x.toNumber() : undefined;
  },

  // ---- lookups ----
  /** $table('sku', sku): the table's value for the key; a miss is a validation error with the closest keys. */
  table(rt, site, table, key, dflt) {
    const name = String(table);
    const t = rt.lookups[name];
    if (!t) {
      addError(rt, `no lookup table named "${name}"`);
      return undefined;
    }
    const v = t.get(key);
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    const at = srcOf(rt, site, 1);
    if (isBlank(key)) {
      addError(rt, `missing ${t.label}${at ? ` at ${at}` : ''}`, { source: at });
      return undefined;
    }
    if (t.pii) {
      // Personal data: neither this record's key (the log and run history would hold it) nor other
      // people's keys as "closest". Which table and which field is what the operator needs.
      addError(rt, `unknown ${t.label}${at ? ` at ${at}` : ''} (not in lookup table "${t.name}")`, { source: at });
      return undefined;
    }
    const k = typeof key === 'string' || typeof key === 'number' ? String(key) : JSON.stringify(key);
    const suggestions = typeof key === 'string' ? t.closest(key) : [];
    addError(rt, `unknown ${t.label} '${k}'${at ? ` at ${at}` : ''}${suggestions.length ? ` (closest: ${suggestions.join(', ')})` : ''}`, {
      source: at,
      suggestions,
      lookup: { table: t.name, key: k },
    });
    return undefined;
  },
  /** True when the key resolves (no error recorded either way). */
  inTable(rt, _site, table, key) {
    const t = rt.lookups[String(table)];
    return t ? t.get(key) !== undefined : false;
  },
  /** Like $table, but a miss is only a warning (optional codes such as the ship-via code). */
  tableOrWarn(rt, site, table, key) {
    const t = rt.lookups[String(table)];
    if (!t) {
      addError(rt, `no lookup table named "${String(table)}"`);
      return undefined;
    }
    const v = t.get(key);
    if (v === undefined && !isBlank(key)) addWarning(rt, `no ${t.label} for ${t.pii ? 'this record' : `'${String(key)}'`} in table "${t.name}"; left out`, srcOf(rt, site, 1));
    return v;
  },

  // ---- currency ----
  rate(rt, site, from, to, date) {
    const r = findRate(rt, site, from, to, date);
    return r ? decString(r.rate) : undefined;
  },
  /** Converts and rounds once to the target currency's minor units; records the rate applied. */
  convert(rt, site, amount, from, to, date) {
    if (isBlank(amount)) return undefined;
    if (from === to && isCurrency(to)) {
      // Same currency: no rate to find, only rounding to the currency's minor units.
      const f = toFixedPoint(amount);
      const fast = f ? fixedRound(f, minorUnits(to)) : undefined;
      if (fast !== undefined) return fast;
    }
    const x = dec(rt, site, amount, 0, '$convert');
    if (!x) return undefined;
    const r = findRate(rt, site, from, to, date);
    return r ? convertAmount(x, r, String(to)) : undefined;
  },
  minor(rt, site, currency) {
    if (!isCurrency(currency)) {
      addError(rt, `unknown currency ${JSON.stringify(currency)}`, { source: srcOf(rt, site, 0) });
      return undefined;
    }
    return minorUnits(currency);
  },

  // ---- addresses, phones ----
  street(rt, _site, s, casing) {
    const v = str(s);
    if (v === undefined) return undefined;
    return streetMemo(v, typeof casing === 'string' ? casing : 'keep');
  },
  /** Address parts → at most `count` lines of `width` characters, with a warning when text is cut. */
  lines(rt, _site, parts, count, width) {
    const ps = list(parts).map(str).filter((p): p is string => p !== undefined);
    const { lines, truncated } = splitLines(ps, Number(count) || 1, Number(width) || 60);
    if (truncated) addWarning(rt, `address did not fit ${count} line(s) of ${width} characters and was truncated: "${ps.join(', ')}"`);
    return lines;
  },
  state(rt, site, s, country) {
    const v = str(s);
    if (v === undefined || v === '') return undefined;
    const c = typeof country === 'string' ? countryAlpha2(country) : undefined;
    const code = stateCode(v, c);
    if (code === undefined) {
      addWarning(rt, `unknown state or province '${v}' for ${c}; passed through unchanged`, srcOf(rt, site, 0));
      return v.trim();
    }
    return code;
  },
  postal(rt, site, s, country) {
    const v = str(s);
    if (v === undefined || v.trim() === '') return undefined;
    const c = typeof country === 'string' ? countryAlpha2(country) : undefined;
    const r = formatPostal(v, c);
    if (!r.ok) addWarning(rt, `postal code '${v}' does not look like a ${c ?? 'valid'} postal code; passed through unchanged`, srcOf(rt, site, 0));
    return r.value;
  },
  country2: countryFn(countryAlpha2),
  country3: countryFn(countryAlpha3),
  countryName: countryFn(countryName),
  /** E.164 ("+15035550100"); an unparseable number is left out with a warning, never guessed. */
  e164(rt, site, phone, country) {
    const v = str(phone);
    if (v === undefined || v.trim() === '') return undefined;
    const c = typeof country === 'string' ? countryAlpha2(country) : undefined;
    const p = parsePhone(v, c ?? '');
    if (p === null) {
      addWarning(rt, `'${v}' is not a valid phone number${c ? ` for ${c}` : ''}; left out`, srcOf(rt, site, 0));
      return undefined;
    }
    return p;
  },
  /** Cuts text to `n` characters with a warning naming the field (never silently). */
  truncate(rt, _site, s, n) {
    const v = str(s);
    if (v === undefined) return undefined;
    const max = Number(n);
    if (v.length <= max) return v;
    addWarning(rt, `truncated to ${max} characters (was ${v.length}): "${v}"`);
    return v.slice(0, max);
  },

  // ---- dates ----
  /** $date(value, 'YYYY-MM-DD' | 'YYYYMMDD' | 'ISO' | 'DATETIME', timeZone?) */
  date(rt, site, v, format, tz) {
    if (isBlank(v)) return undefined;
    const d = parseInstant(v);
    const zone = typeof tz === 'string' && tz ? tz : 'UTC';
    if (!d) {
      const at = srcOf(rt, site, 0);
      addError(rt, `${JSON.stringify(v)} is not a date${at ? ` (at ${at})` : ''}`, { source: at });
      return undefined;
    }
    if (!isTimeZone(zone)) {
      addError(rt, `unknown time zone ${JSON.stringify(tz)}`);
      return undefined;
    }
    return formatDate(d, ((format as DateFormat) ?? 'YYYY-MM-DD'), zone);
  },
  now(rt, _site, format, tz) {
    return formatDate(rt.now, (format as DateFormat) ?? 'ISO', typeof tz === 'string' ? tz : 'UTC');
  },

  // ---- strings ----
  digits(_rt, _site, s) {
    const v = str(s);
    return v === undefined ? undefined : v.replace(/\D/g, '');
  },
  /** A stable code of `n` characters (0-9 A-Z) from the SHA-256 of the text: a key that fits a short target field. */
  hashCode(_rt, _site, s, n) {
    const v = str(s);
    if (v === undefined) return undefined;
    return BigInt(`0x${createHash('sha256').update(v).digest('hex')}`).toString(36).toUpperCase().slice(0, Math.max(1, Math.min(40, Number(n) || 0)));
  },
  /** First non-blank argument. */
  coalesce(_rt, _site, ...args) {
    for (const a of args) if (!isBlank(a)) return a;
    return undefined;
  },
  /** Records a validation error when the condition holds, e.g. $fail(qty <= 0, 'quantity must be positive'). */
  fail(rt, _site, cond, message) {
    if (cond === true) addError(rt, String(message));
    return undefined;
  },
  warn(rt, _site, cond, message) {
    if (cond === true) addWarning(rt, String(message));
    return undefined;
  },
};

function countryFn(fn: (v: string) => string | undefined): BuiltinFn {
  return (rt, site, v) => {
    const s = str(v);
    if (s === undefined || s.trim() === '') return undefined;
    const out = fn(s);
    if (out === undefined) {
      const at = srcOf(rt, site, 0);
      addError(rt, `unknown country '${s}'${at ? ` at ${at}` : ''}`, { source: at });
    }
    return out;
  };
}

function findRate(rt: Runtime, site: CallSite | undefined, from: unknown, to: unknown, date: unknown) {
  if (!isCurrency(from)) {
    addError(rt, `unknown currency ${JSON.stringify(from)}`, { source: srcOf(rt, site, 0) });
    return undefined;
  }
  if (!isCurrency(to)) {
    addError(rt, `unknown currency ${JSON.stringify(to)}`, { source: srcOf(rt, site, 1) });
    return undefined;
  }
  const instant = date === undefined ? rt.now : parseInstant(date);
  if (!instant) {
    addError(rt, `${JSON.stringify(date)} is not a date for the exchange rate`, { source: srcOf(rt, site, 3) });
    return undefined;
  }
  const day = formatDate(instant, 'YYYY-MM-DD');
  if (from === to) return { rate: new D(1), effective: day, from, to };
  if (!rt.rates) {
    addError(rt, `no exchange-rate table: cannot convert ${from} to ${to}`);
    return undefined;
  }
  const r = rt.rates.find(from, to, day);
  if (!r) {
    addError(rt, `no ${from}→${to} exchange rate in force on ${day} in table "${rt.rates.name}"`);
    return undefined;
  }
  const rateText = decString(r.rate);
  if (!rt.applied.some((a) => a.from === from && a.to === to && a.rate === rateText && a.effective === r.effective)) {
    rt.applied.push({ from, to, rate: rateText, effective: r.effective });
  }
  return r;
}
