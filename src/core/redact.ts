// PII redaction for stored run payloads and logs: names, emails, addresses, phone numbers are masked
// unless the operator turns it off (SYNCLINE_REDACT_PII=false), e.g. on a test system.

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
    return v;
  };
  return walk(value, false, '') as T;
}

function mask(s: string): string {
  if (s.length === 0) return s;
  return `${s[0]}***[redacted]`;
}
