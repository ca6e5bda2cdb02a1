// The labelled set of the mapping suggester, read from the shipped mapping templates: for each
// target field, the source fields its expression reads (let-variables resolved, `$options`, `xref`
// and filter predicates left out). Forward pairs come from the templates; reverse pairs invert them.
import { readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import { parse as parseYaml } from 'yaml';
import { catalogue, type Field } from './catalogue.js';

export interface LabelledPair {
  /** Template id, plus `#reverse` for an inverted one. */
  template: string;
  source: string; // SYSTEM.ENTITY
  target: string;
  /** source path → every target path an expression reading it feeds (first-read field only). */
  labels: Record<string, string[]>;
  /** One source record (from the template's first case), for value profiling. */
  sample?: unknown;
}

type Ast = { type: string; value?: unknown; steps?: Ast[]; [k: string]: unknown };
const IGNORED_VARS = new Set(['options', 'source', 'output', 'now']);

/** Helpers whose other arguments are context (a country for a phone number, a currency for an
 * amount, a length, a date format): only the listed argument positions carry the value. */
const CARRIED: Record<string, number[]> = {
  e164: [0], convert: [0], money: [0], truncate: [0], dround: [0], round: [0], date: [0], substring: [0], trim: [0],
  uppercase: [0], lowercase: [0], string: [0], number: [0], digits: [0], dabs: [0], dneg: [0], table: [1],
  rate: [], exists: [], dcmp: [], boolean: [], count: [],
};
const concatParts = (n: Ast): Ast[] => (n.type === 'binary' && n.value === '&' ? [...concatParts(n.lhs as Ast), ...concatParts(n.rhs as Ast)] : [n]);

/** Source paths an expression reads, in the order it reads them (as arrays of names). */
function readPaths(expr: string, lets: Record<string, string[][]>): string[][] {
  let ast: Ast;
  try {
    ast = jsonata(expr).ast() as Ast;
  } catch {
    return [];
  }
  const out: string[][] = [];
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const node = n as Ast;
    if (node.type === 'path' && node.steps?.length) {
      const [first, ...rest] = node.steps;
      const names = rest.filter((s) => s.type === 'name').map((s) => String(s.value));
      if (first.type === 'name') (first.value !== 'undefined' && out.push([String(first.value), ...names]));
      else if (first.type === 'variable' && !IGNORED_VARS.has(String(first.value))) {
        for (const p of lets[String(first.value)] ?? []) out.push([...p, ...names]);
      } else visit(first);
      for (const s of node.steps) visitArgs(s);
      return;
    }
    // `undefined` is JSONata's idiom for "no value": a name nothing has.
    if (node.type === 'name') return void (node.value !== 'undefined' && out.push([String(node.value)]));
    // A ternary whose branches read data only tests its condition: the branches are carried. One
    // that chooses between constants (status = 'D' ? 'Inactive' : 'Active') maps its condition's value.
    if (node.type === 'condition') {
      const before = out.length;
      visit(node.then);
      visit(node.else);
      if (out.length === before) visit(node.condition);
      return;
    }
    // Text composed around a worded literal ('X-Cart order #' & order_number) quotes fields in a
    // sentence; a free-text description is not fed by any one of them. Separators (' ', '/') are not words.
    if (node.type === 'binary' && node.value === '&' && concatParts(node).some((x) => x.type === 'string' && /[A-Za-z]/.test(String(x.value)))) return;
    if (node.type === 'function' && (node.procedure as Ast | undefined)?.type === 'variable') {
      const carried = CARRIED[String((node.procedure as Ast).value)];
      if (carried) return void (node.arguments as Ast[]).forEach((a, i) => carried.includes(i) && visit(a));
    }
    if (node.type === 'variable') {
      if (IGNORED_VARS.has(String(node.value))) return;
      const all = lets[String(node.value)] ?? [];
      // `$addrLines[1]` is the second of the paths the let packed (AddressLine2), when it packed several.
      const pred = (node.predicate as Ast[] | undefined)?.[0]?.expr as Ast | undefined;
      const i = pred?.type === 'number' ? Number(pred.value) : -1;
      for (const p of i >= 0 && all.length > i ? [all[i]] : all) out.push(p);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'stages' && k !== 'predicate' && k !== 'position' && k !== 'group') visit(v);
  };
  // Function calls inside a path step (`OrderItems.$dmul(...)`) still read data.
  const visitArgs = (s: Ast): void => {
    if (s.type === 'function') visit(s.arguments);
  };
  visit(ast);
  return out.filter((p) => p[0] !== 'xref');
}

/** Insert `[]` after every segment the catalogue knows as an array. */
function toFieldPath(names: string[], arrays: Set<string>): string {
  let p = '';
  for (const n of names) {
    p = p ? `${p}.${n}` : n;
    if (arrays.has(p)) p += '[]';
  }
  return p;
}

type Spec = string | { expr?: string; const?: unknown; each?: string; fields?: Record<string, Spec>; concat?: Spec[]; when?: string };

export function templateLabels(file: string): LabelledPair {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { id: string; source: string; target: string; let?: Record<string, string>; fields: Record<string, Spec> };
  const src = catalogue(doc.source, 'source');
  const tgt = catalogue(doc.target, 'target');
  const arrays = new Set(src.fields.filter((f) => f.type === 'array').map((f) => f.path));
  const srcPaths = new Set(src.fields.map((f) => f.path));
  const tgtPaths = new Set(tgt.fields.map((f) => f.path));
  const lets: Record<string, string[][]> = {};
  for (const [k, v] of Object.entries(doc.let ?? {})) lets[k] = readPaths(v, lets);
  const labels: Record<string, Set<string>> = {};
  const add = (s: string, t: string): void => void (labels[s] ??= new Set()).add(t);

  const walk = (fields: Record<string, Spec>, tPrefix: string, sPrefix: string[]): void => {
    for (const [name, spec] of Object.entries(fields)) {
      const obj = typeof spec === 'string' ? { expr: spec } : spec;
      const tObj = tPrefix ? `${tPrefix}.${name}` : name;
      const tArr = `${tObj}[]`;
      if (obj.fields || obj.concat || obj.each) {
        const parts: Spec[] = obj.concat ?? [obj];
        for (const part of parts) {
          const p = typeof part === 'string' ? { expr: part } : part;
          const inArray = !!obj.concat || !!p.each || [...tgtPaths].some((x) => x.startsWith(`${tArr}.`));
          let sp = sPrefix;
          if (p.each) sp = readPaths(p.each, lets)[0] ?? sPrefix;
          if (p.fields) walk(p.fields, inArray ? tArr : tObj, p.each ? sp : sPrefix);
          else if (p.expr) leaf(p.expr, obj.concat ? tObj : tObj, sPrefix);
        }
        continue;
      }
      if (obj.expr) leaf(obj.expr, tObj, sPrefix);
    }
  };
  const leaf = (expr: string, tPath: string, sPrefix: string[]): void => {
    if (!tgtPaths.has(tPath)) return;
    // Sage 300 optional-field slots: what a `Value` means is the code the template writes beside it
    // (OptionalField: SRCTOTAL), not a field name: no name-based suggestion can be right or wrong.
    if (/OptionalField[^.]*\[\]\.Value$/.test(tPath)) return;
    const first = readPaths(expr, lets)
      .map((names) => {
        const rel = sPrefix.length ? toFieldPath([...sPrefix, ...names], arrays) : '';
        const abs = toFieldPath(names, arrays);
        return srcPaths.has(rel) ? rel : srcPaths.has(abs) ? abs : undefined;
      })
      .find((p): p is string => !!p && !arrays.has(p.replace(/\[\]$/, '')));
    if (first) add(first, tPath);
  };
  walk(doc.fields, '', []);
  return {
    template: doc.id,
    source: doc.source.replace('/', '.'),
    target: doc.target.replace('/', '.'),
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, [...v].sort()])),
  };
}

/** The inverse: each target field becomes a source field labelled with what fed it. */
export function reverse(p: LabelledPair): LabelledPair {
  const inv: Record<string, Set<string>> = {};
  // A field read from a list (`addresses[].city`) is written through the target schema's own block
  // (`address.city`) when that is how the target takes it: both count.
  const writable = catalogue(p.source, 'target').fields.filter((f) => !f.origin).map((f) => f.path);
  // The write schema may also wrap the record in an object named for the entity (X-Cart's POST
  // /api/profiles takes `profile.status` for the `status` it returns): the same field.
  const wrapper = `${p.source.split('.').pop()!.toLowerCase()}.`;
  const shape = (x: string): string => {
    const sh = x.replace(/\[\]/g, '').toLowerCase().split('.').map((g) => g.replace(/sses$/, 'ss').replace(/([^s])s$/, '$1')).join('.');
    return sh.startsWith(wrapper) ? sh.slice(wrapper.length) : sh;
  };
  for (const [s, ts] of Object.entries(p.labels))
    for (const t of ts) {
      const set = (inv[t] ??= new Set());
      set.add(s);
      for (const w of writable) if (w !== s && shape(w) === shape(s)) set.add(w);
    }
  return { template: `${p.template}#reverse`, source: p.target, target: p.source, labels: Object.fromEntries(Object.entries(inv).map(([k, v]) => [k, [...v].sort()])) };
}

export type { Field };
