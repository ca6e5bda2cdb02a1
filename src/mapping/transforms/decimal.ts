// Money is decimal, never float: every amount is parsed into decimal.js from the source's string or
// number form, computed exactly, and written out as a string rounded once at the end.
import { Decimal } from 'decimal.js';

// 40 significant digits: far above any ledger amount, so intermediate results are exact in practice.
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal from a JSON number or a decimal string; undefined for anything else (the caller reports it). */
export function toDecimal(v: unknown): Dec | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? new D(String(v)) : undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    return DECIMAL_TEXT.test(s) ? new D(s) : undefined;
  }
  if (v instanceof D) return v as Dec;
  return undefined;
}

/** Fixed-point text without exponent, e.g. "12.50" for places=2. */
export function decString(d: Dec, places?: number): string {
  if (places === undefined) {
    const s = d.toFixed();
    return s === '-0' ? '0' : s;
  }
  const s = d.toDecimalPlaces(places, D.ROUND_HALF_UP).toFixed(places);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}
