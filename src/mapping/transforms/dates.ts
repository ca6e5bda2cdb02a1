// Dates between the systems' formats: X-Cart ISO 8601 (or Unix seconds), Amazon ISO 8601 with offsets
// and settlement "YYYY-MM-DD HH:MM:SS UTC" / "DD.MM.YYYY", Sage 300 "YYYY-MM-DD", X3 "YYYYMMDD".
// A calendar date is taken in a named time zone: an order placed at 02:00Z on 1 January is a
// 31 December order for a merchant in America/Los_Angeles, and its ERP date must say so.

/** Parses a source date; undefined when it is not one. */
export function parseInstant(v: unknown): Date | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Unix seconds (X-Cart's integer `date`), or milliseconds when clearly so.
    return new Date(v > 1e11 ? v : v * 1000);
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^(\d{4})(\d{2})(\d{2})$/))) return utcDate(+m[1]!, +m[2]!, +m[3]!);
  if ((m = s.match(/^(\d{4})-(\d{2})-(\d{2})$/))) return utcDate(+m[1]!, +m[2]!, +m[3]!);
  if ((m = s.match(/^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2}):(\d{2}))?(?:\s*UTC)?$/))) {
    return utcDate(+m[3]!, +m[2]!, +m[1]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  }
  if ((m = s.match(/^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/))) {
    const zone = m[8];
    const base = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), Math.round(Number(m[7] ?? 0) * 1000));
    if (Number.isNaN(base) || !validYmd(+m[1]!, +m[2]!, +m[3]!)) return undefined;
    if (!zone || zone === 'Z' || zone === 'UTC' || zone === 'GMT') return new Date(base);
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return new Date(base - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  return undefined;
}

function validYmd(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
function utcDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date | undefined {
  return validYmd(y, mo, d) ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(date: Date, tz: string): { y: string; m: string; d: string; h: string; mi: string; s: string } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

const zones = new Map<string, boolean>();
export function isTimeZone(tz: string): boolean {
  let ok = zones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (zones.size < 1000) zones.set(tz, ok);
  }
  return ok;
}

export type DateFormat = 'YYYY-MM-DD' | 'YYYYMMDD' | 'ISO' | 'DATETIME';

/** Formats an instant as the target wants it, the calendar day taken in `tz` (default UTC). */
// Intl's formatToParts costs microseconds; a batch of orders repeats the same few instants.
const recent = new Map<string, string>();

export function formatDate(date: Date, format: DateFormat, tz = 'UTC'): string {
  if (format === 'ISO') return date.toISOString().replace('.000Z', 'Z');
  if (tz === 'UTC') {
    const iso = date.toISOString();
    if (format === 'YYYYMMDD') return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
    if (format === 'DATETIME') return iso.slice(0, 19);
    return iso.slice(0, 10);
  }
  const key = `${date.getTime()}|${tz}|${format}`;
  const hit = recent.get(key);
  if (hit !== undefined) return hit;
  const out = formatZoned(date, format, tz);
  if (recent.size > 5000) recent.clear();
  recent.set(key, out);
  return out;
}

function formatZoned(date: Date, format: DateFormat, tz: string): string {
  const p = partsIn(date, tz);
  if (format === 'YYYYMMDD') return `${p.y}${p.m}${p.d}`;
  if (format === 'DATETIME') return `${p.y}-${p.m}-${p.d}T${p.h}:${p.mi}:${p.s}`;
  return `${p.y}-${p.m}-${p.d}`;
}
