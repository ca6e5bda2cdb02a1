// PII redaction for stored run payloads and logs: names, emails, addresses, phone numbers are masked
// unless the operator turns it off (SYNCLINE_REDACT_PII=false), e.g. on a test system. Fields are
// recognised by name; free text anywhere else (order notes, error messages) is scanned for e-mail
// addresses and phone numbers (libphonenumber-js), so "call me at +1 415 555 0131" is masked too.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Field names (lower-cased, separators removed) that hold personal data, across X-Cart, Sage 300, Amazon and X3. */
const PII_PARTS = ['firstname', 'lastname', 'fullname', 'buyername', 'contact', 'shiptoname', 'billtoname', 'customername', 'recipientname',
  'email', 'phone', 'telephone', 'fax', 'mobile', 'street', 'address', 'city', 'zip', 'postal', 'postcode', 'addlig', 'poscod', 'bpcnam', 'bpanam'];
const PII_EXACT = new Set(['name', 'tel', 'cty', 'addr', 'addresses']);
/** Keys that contain a PII word but are not personal data. */
const NOT_PII = /(product|item|sku|itm|file|host|queue|flow|step|carrier|emailtemplate|addresstype)/;

/** Containers whose plain `name` is a product's, not a person's (order lines, catalog items). */
const PRODUCT_CONTAINER = /(item|product|line|detail|sku|variant|catalog)/;

// Payloads repeat the same few hundred field names: decide each (parent, key) pair once.
const decided = new Map<string, boolean>();

export const isPiiKey = (key: string, parent = ''): boolean => {
  const id = `${parent}\u0000${key}`;
  let pii = decided.get(id);
  if (pii === undefined) {
    pii = decide(key, parent);
    if (decided.size < 10_000) decided.set(id, pii);
  }
  return pii;
};

function decide(key: string, parent: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (NOT_PII.test(k)) return false;
  if (k === 'name' && PRODUCT_CONTAINER.test(parent.toLowerCase())) return false;
  return PII_EXACT.has(k) || PII_PARTS.some((p) => k.includes(p));
}

export interface RedactionPolicy {
  enabled: boolean;
  /** Decides which keys hold personal data; default isPiiKey. */
  isPii?: (key: string, parent: string) => boolean;
}

export function redact<T>(value: T, policy: RedactionPolicy = { enabled: true }): T {
  if (!policy.enabled) return value;
  const isPii = policy.isPii ?? isPiiKey;
  const walk = (v: unknown, pii: boolean, parent: string): unknown => {
    if (v === null || v === undefined) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, pii, parent));
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, pii || isPii(k, parent), k);
      return out;
    }
    if (pii && (typeof v === 'string' || typeof v === 'number')) return mask(String(v));
    if (typeof v === 'string') return redactText(v);
    return v;
  };
  return walk(value, false, '') as T;
}

function mask(s: string): string {
  if (s.length === 0) return s;
  return `${s[0]}***[redacted]`;
}

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
export const EMAIL_MASK = '[e-mail redacted]';
export const PHONE_MASK = '[phone redacted]';

/**
 * Region for phone numbers written without a country code ("(415) 555-0131"); numbers written with
 * one ("+49 30 1234567") are found whatever it is.
 */
let phoneRegion: CountryCode = 'US';
export function setPhoneRegion(region: CountryCode): void {
  phoneRegion = region;
}

/** A run of digits and separators that could be a phone number; bounded, so the scan is linear. */
const MAX_CONFIRMED = 50;
const PHONE_CANDIDATE = /(?<![\w+])(?:\+|\()?\d[\d\s().\/-]{5,22}\d(?!\w)/g;

/**
 * Masks e-mail addresses and phone numbers inside free text. Cheap checks first: only text with an
 * "@" is searched for e-mails, and only text with 7+ digits that reads like prose or an international
 * number (a space, or a leading "+") for phones, so identifiers such as SKUs, versions and amounts
 * cost nothing on the hot path (every step's input in a run). Candidates come from a bounded regular
 * expression and each is confirmed by libphonenumber-js (a valid number for its country):
 * libphonenumber's own text scanner takes seconds on long digit-dense text, which a sender controls.
 */
export function redactText(text: string): string {
  let out = text;
  if (out.includes('@')) out = out.replace(EMAIL, EMAIL_MASK);
  if (out.length >= 7 && (out.includes(' ') || out.startsWith('+')) && digitCount(out) >= 7) {
    // Each confirmation costs ~0.1 ms: past MAX_CONFIRMED candidates in one text, mask without asking.
    let confirmed = 0;
    out = out.replace(PHONE_CANDIDATE, (c) => {
      if (digitCount(c) < 7) return c;
      if (++confirmed > MAX_CONFIRMED) return PHONE_MASK;
      return parsePhoneNumberFromString(c.trim(), phoneRegion)?.isValid() ? PHONE_MASK : c;
    });
  }
  return out;
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** True when a text holds an e-mail address or a phone number (e.g. a lookup key not to be suggested to others). */
export const looksPersonal = (text: string): boolean => redactText(text) !== text;
