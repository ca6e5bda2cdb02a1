// Error triage: dead letters clustered by a normalised error signature (code + message with ids,
// numbers, SKUs, e-mails and quoted values replaced), a suggested fix per cluster, and one action that
// applies a data fix (a lookup entry) so the whole cluster can be replayed.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

export interface DeadLetterError {
  code?: string;
  message?: string;
  details?: { errors?: Array<{ path: string; message: string; source?: string; suggestions?: string[] }>; [k: string]: unknown };
}
export interface DeadLetter {
  id: number;
  queue?: string;
  lastError?: DeadLetterError | null;
}

export type FixKind = 'lookup-entry' | 'unknown-key' | 'too-long' | 'fiscal-period' | 'other';

export interface Fix {
  kind: FixKind;
  /** What a person should do, in one sentence. */
  text: string;
  /** For lookup fixes: the table and the entries the one action would add (key → value). */
  table?: string;
  entries?: Record<string, string>;
  /** Keys the action cannot map with confidence (a brand-new SKU needs a person). */
  unresolved?: string[];
}

export interface Cluster {
  signature: string;
  code: string;
  count: number;
  ids: number[];
  example: string;
  fix: Fix;
}

/** One problem of a dead letter: the first mapping issue, or the error itself. */
function problems(e: DeadLetterError): Array<{ message: string; suggestions?: string[] }> {
  const issues = e.details?.errors;
  if (Array.isArray(issues) && issues.length) return issues.map((i) => ({ message: `${i.path}: ${i.message}`, suggestions: i.suggestions }));
  return [{ message: e.message ?? '' }];
}

/** The message with everything that differs between occurrences of the same problem replaced. */
export function normalise(message: string): string {
  return message
    .replace(/\(closest: [^)]*\)/g, '(closest: …)')
    .replace(/'[^']*'|"[^"]*"|«[^»]*»/g, '<v>')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/\b\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?\b/g, '<date>')
    .replace(/\b\d{3}-\d{7}-\d{7}\b/g, '<order>')
    .replace(/\[\d+\]/g, '[]')
    .replace(/\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(-[A-Z0-9]+)+\b/g, '<sku>')
    .replace(/-?\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

export function signature(e: DeadLetterError): string {
  return `${e.code ?? 'UNKNOWN'} ${normalise(problems(e)[0].message)}`;
}

const LOOKUP_MISS = /unknown (.+?) '([^']*)'(?: at [^ ]+)?(?: \(closest: ([^)]*)\))?/;

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

const canon = (s: string): string => s.toUpperCase().replace(/[-/. _]/g, '');

/** The table a lookup label belongs to (`SKU` → `sku`), from the labels the caller knows. */
export type TableOf = (label: string) => string | undefined;

function suggestFix(code: string, letters: DeadLetter[], tableOf: TableOf): Fix {
  const msgs = letters.flatMap((l) => problems(l.lastError ?? {}));
  const first = msgs[0]?.message ?? '';
  const miss = LOOKUP_MISS.exec(first);
  if (miss) {
    const label = miss[1];
    const table = tableOf(label) ?? label.toLowerCase();
    const entries: Record<string, string> = {};
    const unresolved = new Set<string>();
    for (const m of msgs) {
      const x = LOOKUP_MISS.exec(m.message);
      if (!x || x[1] !== label) continue;
      const key = x[2];
      if (key in entries || unresolved.has(key)) continue;
      const closest = m.suggestions ?? (x[3] ? x[3].split(', ') : []);
      // Confident only when one near key is clearly nearest: a typo or a changed separator, not a new item.
      const ranked = closest.map((c) => ({ c, d: levenshtein(canon(key), canon(c)) })).sort((a, b) => a.d - b.d);
      if (ranked.length && ranked[0].d <= 2 && (ranked.length === 1 || ranked[1].d > ranked[0].d)) entries[key] = ranked[0].c;
      else unresolved.add(key);
    }
    const n = Object.keys(entries).length;
    return {
      kind: n ? 'lookup-entry' : 'unknown-key',
      text: n
        ? `add ${n} entr${n === 1 ? 'y' : 'ies'} to lookup table "${table}" (each unknown ${label} → its closest known one${unresolved.size ? `; ${unresolved.size} have no close match and need a person` : ''}), then replay`
        : `${unresolved.size} unknown ${label}(s) with no close match: create them in the ERP or add them to lookup table "${table}", then replay`,
      table,
      entries,
      unresolved: [...unresolved],
    };
  }
  if (/too long|should have \d+ characters? or less|exceeds the maximum length/i.test(first)) {
    const field = /propertyPath[":\s]*([\w.[\]]+)|^([\w.[\]]+):/.exec(first);
    const max = /(\d+) characters?/.exec(first)?.[1];
    return { kind: 'too-long', text: `a value is too long for ${field?.[1] ?? field?.[2] ?? 'its target field'}${max ? ` (max ${max})` : ''}: wrap it in $truncate(…, ${max ?? 'N'}) in the mapping, or shorten the source record, then replay` };
  }
  if (/fiscal period|period is closed|closed period|not in a valid (fiscal )?period/i.test(first)) {
    return { kind: 'fiscal-period', text: 'the document date falls in a closed or missing fiscal period: open or create the period in the ERP (or post to the current period), then replay the cluster' };
  }
  return { kind: 'other', text: `no known fix for ${code}; see the example and docs/errors.md` };
}

/** Dead letters → clusters by signature, largest first, each with its suggested fix. */
export function triage(letters: DeadLetter[], tableOf: TableOf = () => undefined): Cluster[] {
  const groups = new Map<string, DeadLetter[]>();
  for (const l of letters) {
    const sig = signature(l.lastError ?? {});
    const g = groups.get(sig) ?? [];
    g.push(l);
    groups.set(sig, g);
  }
  return [...groups.entries()]
    .map(([sig, g]) => {
      const code = g[0].lastError?.code ?? 'UNKNOWN';
      return { signature: sig, code, count: g.length, ids: g.map((l) => l.id), example: problems(g[0].lastError ?? {})[0].message, fix: suggestFix(code, g, tableOf) };
    })
    .sort((a, b) => b.count - a.count || a.signature.localeCompare(b.signature));
}

/** Adds a cluster's lookup entries to the table's YAML file, keeping its comments; returns how many. */
export function applyLookupFix(file: string, fix: Fix): number {
  if (fix.kind !== 'lookup-entry' || !fix.entries) return 0;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  let n = 0;
  for (const [k, v] of Object.entries(fix.entries)) {
    if (doc.hasIn(['entries', k])) continue;
    // The value of the closest key, so object-valued tables (surcharge codes) get the same shape.
    const existing = doc.getIn(['entries', v]);
    doc.setIn(['entries', k], existing !== undefined ? existing : v);
    n++;
  }
  writeFileSync(file, doc.toString());
  return n;
}
