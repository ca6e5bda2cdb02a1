// Lookup tables are data (mappings/lookups/*.yaml), indexed once at load so a lookup costs one
// normalisation and one Map probe whatever the table's size. Harmonisation rules (case, whitespace,
// prefixes, Sage 300 formatted vs unformatted segments) are data too: they apply to the table's keys
// when it is indexed and to every probe, so "a1 1002 blk", "A11002BLK" and "A1-1002-BLK" meet.
import { distance } from 'fastest-levenshtein';
import { userError } from '../core/errors.js';

export type NormalizeRule =
  | 'trim'
  | 'upper'
  | 'lower'
  | 'collapseWhitespace'
  | { remove: string }
  | { stripPrefix: string[] }
  | { stripSuffix: string[] };

export interface LookupTableSpec {
  name: string;
  kind?: 'map';
  /** What a key is called in messages ("SKU", "payment method"). */
  label?: string;
  description?: string;
  normalize?: NormalizeRule[];
  entries: Record<string, unknown>;
  /** Extra keys that resolve to an existing entry's key. */
  aliases?: Record<string, string>;
  /** Value for a key that is not in the table; without it a miss is a validation error. */
  default?: unknown;
  /**
   * The keys are personal data (e-mails, phones, names): a miss never quotes the key nor suggests
   * other keys, which would be other people's data in a log line. Default: guessed (piiTable).
   */
  pii?: boolean;
}

export interface LookupTable {
  readonly name: string;
  readonly label: string;
  readonly size: number;
  readonly hasDefault: boolean;
  readonly default: unknown;
  /** Keys are personal data: errors name the table and the field, never a key. */
  readonly pii: boolean;
  /** undefined when the key does not resolve (and the table has no default). */
  get(key: unknown): unknown;
  normalize(key: string): string;
  /** Closest keys by edit distance (on normalised forms), for error messages. Only called on a miss. */
  closest(key: string, n?: number): string[];
}

const WS = /\s+/g;

function compileRules(rules: NormalizeRule[], table: string): (s: string) => string {
  const steps: Array<(s: string) => string> = [];
  for (const r of rules) {
    if (r === 'trim') steps.push((s) => s.trim());
    else if (r === 'upper') steps.push((s) => s.toUpperCase());
    else if (r === 'lower') steps.push((s) => s.toLowerCase());
    else if (r === 'collapseWhitespace') steps.push((s) => s.replace(WS, ' '));
    else if (typeof r === 'object' && r && 'remove' in r && typeof r.remove === 'string') {
      const re = new RegExp(`[${[...r.remove].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]`, 'gu');
      steps.push((s) => s.replace(re, ''));
    } else if (typeof r === 'object' && r && 'stripPrefix' in r && Array.isArray(r.stripPrefix)) {
      // Longest first, so "AMZ-FBA-" wins over "AMZ-".
      const prefixes = [...r.stripPrefix].sort((a, b) => b.length - a.length);
      steps.push((s) => {
        for (const p of prefixes) if (s.startsWith(p)) return s.slice(p.length);
        return s;
      });
    } else if (typeof r === 'object' && r && 'stripSuffix' in r && Array.isArray(r.stripSuffix)) {
      const suffixes = [...r.stripSuffix].sort((a, b) => b.length - a.length);
      steps.push((s) => {
        for (const p of suffixes) if (s.endsWith(p)) return s.slice(0, s.length - p.length);
        return s;
      });
    } else {
      throw userError('MAPPING_SYNTAX', `lookup table "${table}": unknown normalize rule ${JSON.stringify(r)}`, { details: { table, rule: r } });
    }
  }
  if (steps.length === 0) return (s) => s;
  return (s) => {
    for (const f of steps) s = f(s);
    return s;
  };
}

// What a table of people looks like: its name or label says so, or its keys are e-mail addresses or
// phone numbers. Codes, SKUs, accounts and statuses match none of these.
const PII_NAME = /customer|e-?mail|phone|mobile|buyer|person|people|contact|recipient|address|(^|[^a-z])(first|last|full|user)?names?([^a-z]|$)/i;
const EMAIL_KEY = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_KEY = /^\+?[\d\s().-]{10,}$/;

/** Whether a table's keys are personal data, when its spec does not say (`pii: true|false`). */
export function piiTable(spec: Pick<LookupTableSpec, 'name' | 'label' | 'entries' | 'pii'>): boolean {
  if (typeof spec.pii === 'boolean') return spec.pii;
  if (PII_NAME.test(spec.name) || (spec.label !== undefined && PII_NAME.test(spec.label))) return true;
  let n = 0;
  for (const k of Object.keys(spec.entries)) {
    if (EMAIL_KEY.test(k) || (PHONE_KEY.test(k) && (k.match(/\d/g)?.length ?? 0) >= 10)) return true;
    if (++n >= 200) break; // a sample is enough: a table of people has such keys throughout
  }
  return false;
}

function keyString(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  if (typeof key === 'boolean') return String(key);
  return undefined;
}

export function createLookupTable(spec: LookupTableSpec): LookupTable {
  if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string' || !spec.entries || typeof spec.entries !== 'object' || Array.isArray(spec.entries)) {
    throw userError('MAPPING_SYNTAX', `a lookup table needs a "name" and an "entries" object`, { details: { table: spec?.name } });
  }
  const norm = compileRules(spec.normalize ?? [], spec.name);
  const index = new Map<string, unknown>();
  const origin = new Map<string, string>();
  const add = (rawKey: string, value: unknown) => {
    const k = norm(rawKey);
    const prev = origin.get(k);
    if (prev !== undefined && prev !== rawKey) {
      throw userError('MAPPING_SYNTAX', `lookup table "${spec.name}": keys "${prev}" and "${rawKey}" are the same after normalisation ("${k}")`, {
        details: { table: spec.name, keys: [prev, rawKey] },
      });
    }
    origin.set(k, rawKey);
    index.set(k, value);
  };
  for (const [k, v] of Object.entries(spec.entries)) add(k, v);
  for (const [alias, target] of Object.entries(spec.aliases ?? {})) {
    const t = norm(String(target));
    if (!index.has(t)) throw userError('MAPPING_SYNTAX', `lookup table "${spec.name}": alias "${alias}" points to "${target}", which is not a key`, { details: { table: spec.name, alias } });
    add(alias, index.get(t));
  }
  const hasDefault = Object.prototype.hasOwnProperty.call(spec, 'default');
  if (spec.pii !== undefined && typeof spec.pii !== 'boolean') throw userError('MAPPING_SYNTAX', `lookup table "${spec.name}": pii must be true or false`, { details: { table: spec.name } });
  const pii = piiTable(spec);
  let keyList: string[] | undefined;
  const seen = new Map<string, string>();
  return {
    name: spec.name,
    label: spec.label ?? spec.name,
    size: index.size,
    hasDefault,
    default: spec.default,
    pii,
    normalize: norm,
    get(key) {
      const s = keyString(key);
      if (s === undefined) return hasDefault ? spec.default : undefined;
      // Normalisation runs once per distinct probe text; the memo is bounded, so memory does not
      // grow with the catalog or the traffic.
      let k = seen.get(s);
      if (k === undefined) {
        k = norm(s);
        if (seen.size >= 10_000) seen.clear();
        seen.set(s, k);
      }
      const v = index.get(k);
      return v === undefined && hasDefault ? spec.default : v;
    },
    closest(key, n = 3) {
      if (pii) return [];
      keyList ??= [...origin.keys()];
      const probe = norm(key);
      const scored = keyList.map((k) => [distance(probe, k), k] as const);
      scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
      // Far-off keys are noise, not suggestions: keep those within half the key's length.
      const limit = Math.max(2, Math.ceil(probe.length / 2));
      return scored.filter(([d]) => d <= limit).slice(0, n).map(([, k]) => origin.get(k)!);
    },
  };
}
