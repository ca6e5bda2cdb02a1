// Currency conversion with an effective-dated rate table (decimal.js only), rounding once to the
// target currency's ISO 4217 minor units, and the rate used reported back so the delivery records it.
import { userError } from '../../core/errors.js';
import { D, type Dec, decString, toDecimal } from './decimal.js';

// ISO 4217 minor units where they differ from 2 (list of 2024-06; CLDR's display digits differ for
// a few, e.g. HUF and IDR, so Intl is not used for this).
const MINOR: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};
let known: Set<string> | undefined;

export function isCurrency(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return known.has(code) || code in MINOR;
}

export function minorUnits(code: string): number {
  return MINOR[code] ?? 2;
}

export interface RateEntry {
  from: string;
  to: string;
  rate: string;
  /** First day (YYYY-MM-DD) the rate applies to. */
  effective: string;
}

export interface RateTableSpec {
  name: string;
  kind: 'rates';
  description?: string;
  rates: RateEntry[];
}

export interface ResolvedRate {
  /** The rate shown and recorded (for an inverted quote, 1/rate to 10 significant digits). */
  rate: Dec;
  effective: string;
  from: string;
  to: string;
  /** Set when only the opposite pair is quoted: convert by dividing by it, exactly. */
  divideBy?: Dec;
}

export interface RateTable {
  readonly name: string;
  /** The rate in force on `date` (YYYY-MM-DD), or undefined when none is. */
  find(from: string, to: string, date: string): ResolvedRate | undefined;
}

export function createRateTable(spec: RateTableSpec): RateTable {
  if (!Array.isArray(spec.rates)) throw userError('MAPPING_SYNTAX', `rate table "${spec.name}" needs a "rates" list`, { details: { table: spec.name } });
  // pair → entries sorted by effective date descending, so the first one ≤ date wins.
  const byPair = new Map<string, Array<{ effective: string; rate: Dec }>>();
  for (const [i, r] of spec.rates.entries()) {
    const rate = toDecimal(r.rate);
    const eff = String(r.effective ?? '');
    if (!isCurrency(r.from) || !isCurrency(r.to) || !rate || rate.lte(0) || !/^\d{4}-\d{2}-\d{2}$/.test(eff)) {
      throw userError('MAPPING_SYNTAX', `rate table "${spec.name}": entry ${i} needs from/to ISO 4217 codes, a positive rate and effective: YYYY-MM-DD`, {
        details: { table: spec.name, entry: r },
      });
    }
    const key = `${r.from}>${r.to}`;
    const list = byPair.get(key) ?? [];
    list.push({ effective: eff, rate });
    byPair.set(key, list);
  }
  for (const list of byPair.values()) list.sort((a, b) => (a.effective < b.effective ? 1 : -1));
  const pick = (key: string, date: string) => byPair.get(key)?.find((e) => e.effective <= date);
  return {
    name: spec.name,
    find(from, to, date) {
      if (from === to) return { rate: new D(1), effective: date, from, to };
      const direct = pick(`${from}>${to}`, date);
      if (direct) return { rate: direct.rate, effective: direct.effective, from, to };
      // Only the opposite pair is quoted: use its inverse, kept to 10 significant digits like a bank.
      const inverse = pick(`${to}>${from}`, date);
      // The displayed rate is rounded; the conversion itself divides by the quoted rate, so a large
      // amount does not inherit the rounding of the displayed rate.
      if (inverse) return { rate: new D(1).div(inverse.rate).toSignificantDigits(10), effective: inverse.effective, from, to, divideBy: inverse.rate };
      return undefined;
    },
  };
}

/** amount × rate (or ÷ the quoted opposite rate), rounded once to the target currency's minor units. */
export function convertAmount(amount: Dec, rate: ResolvedRate, to: string): string {
  return decString(rate.divideBy ? amount.div(rate.divideBy) : amount.mul(rate.rate), minorUnits(to));
}
