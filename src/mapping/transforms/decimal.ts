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

// ---- exact fixed-point fast path ----------------------------------------------------------------
// Most amounts on the hot path are short decimals ("89.95" × 2). Held as a safe integer and a scale
// they add, multiply and round exactly with plain integer arithmetic; decimal.js takes over as
// soon as a value or a result would leave the safe-integer range (2^53), so results never differ.

export interface Fixed {
  /** value = n / 10^s, n a safe integer */
  n: number;
  s: number;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const FIXED_TEXT = /^(-?)(\d{1,15})(?:\.(\d{1,15}))?$/;

export function toFixedPoint(v: unknown): Fixed | undefined {
  let t: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    // The fewest decimals s with round(v·10^s)/10^s === v is the decimal the JSON source wrote
    // (shortest round-trip, as String(v) would give), found without building a string.
    if (Math.abs(v) < 1e9) {
      for (let s = 0; s <= 6; s++) {
        const n = Math.round(v * POW10[s]!);
        if (n / POW10[s]! === v) return { n, s };
      }
    }
    // String(v) is the shortest text that round-trips, i.e. what the JSON source said.
    t = String(v);
  } else if (typeof v === 'string') {
    // Hand-rolled for the common "-123.45" form (no regex, no substring); anything unusual — spaces,
    // exponent, more than 15 digits — goes through the regex below.
    let i = 0;
    let neg = false;
    const len = v.length;
    if (len > 0 && v.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
    }
    let n = 0;
    let digits = 0;
    let scale = -1;
    let ok = i < len;
    for (; i < len; i++) {
      const c = v.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        n = n * 10 + (c - 48);
        digits++;
        if (scale >= 0) scale++;
      } else if (c === 46 && scale < 0 && digits > 0) scale = 0;
      else {
        ok = false;
        break;
      }
    }
    if (ok && digits > 0 && digits <= 15 && scale !== 0) return { n: neg ? -n : n, s: scale < 0 ? 0 : scale };
    t = v.trim();
  } else return undefined;
  const m = FIXED_TEXT.exec(t);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  if (m[2]!.length + frac.length > 15) return undefined;
  const n = Number(m[2]! + frac);
  return { n: m[1] ? -n : n, s: frac.length };
}

/** Minimal text like decimal.js toFixed(): no trailing zeros, no "-0". */
export function fixedString(f: Fixed): string {
  let { n, s } = f;
  while (s > 0 && n % 10 === 0) {
    n /= 10;
    s--;
  }
  return fixedText(n, s);
}

function fixedText(n: number, s: number): string {
  if (n === 0) return s === 0 ? '0' : `0.${'0'.repeat(s)}`;
  const neg = n < 0;
  let digits = String(Math.abs(n));
  if (s > 0) {
    if (digits.length <= s) digits = '0'.repeat(s - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
  }
  return neg ? `-${digits}` : digits;
}

/** Half-up (away from zero) to `places`, padded: like decString(d, places). Undefined if unsafe. */
export function fixedRound(f: Fixed, places: number): string | undefined {
  if (places > 15) return undefined;
  if (f.s <= places) {
    const n = f.n * POW10[places - f.s]!;
    if (!Number.isSafeInteger(n)) return undefined;
    return fixedText(n, places);
  }
  const p = POW10[f.s - places]!;
  const q = Math.trunc(f.n / p);
  const r = Math.abs(f.n - q * p);
  const n = r * 2 >= p ? q + (f.n < 0 ? -1 : 1) : q;
  return fixedText(n, places);
}

export function fixedAdd(a: Fixed, b: Fixed): Fixed | undefined {
  const s = Math.max(a.s, b.s);
  const n = a.n * POW10[s - a.s]! + b.n * POW10[s - b.s]!;
  return Number.isSafeInteger(n) && Number.isSafeInteger(a.n * POW10[s - a.s]!) && Number.isSafeInteger(b.n * POW10[s - b.s]!) ? { n, s } : undefined;
}

export function fixedMul(a: Fixed, b: Fixed): Fixed | undefined {
  const n = a.n * b.n;
  return Number.isSafeInteger(n) && a.s + b.s <= 15 ? { n, s: a.s + b.s } : undefined;
}
