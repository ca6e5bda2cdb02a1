// The OData query options the Sage 300 Web API accepts (SDK DeveloperReference; go-sage300, ODOO):
// $filter with eq ne gt ge lt le, and/or/not, parentheses, substringof/startswith/endswith/length
// (plus tolower/toupper/contains, which the ASP.NET OData stack underneath also knows), literals
// 'text' ('' escapes a quote), 99.99m, true/false/null, datetime'2015-12-31T12:00' and bare v4
// dates (2016-12-31T12:00:00Z, 2023-01-01). Malformed input fails with the ASP.NET OData wording.
import { invalidParameters } from './errors.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'collection';
export type Row = Record<string, unknown>;
export type Predicate = (row: Row) => boolean;

type Node =
  | { k: 'lit'; v: unknown; t: FieldType | 'null' }
  | { k: 'field'; name: string }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'call'; fn: string; args: Node[] };

type Tok = { t: 'str' | 'num' | 'date' | 'id' | 'punct'; v: string; pos: number };

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

function syntax(text: string, pos: number): never {
  throw invalidParameters(`The query specified in the URI is not valid. Syntax error at position ${pos} in '${text}'.`);
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { toks.push({ t: 'punct', v: c, pos: i }); i++; continue; }
    if (c === "'") {
      let j = i + 1; let s = '';
      for (;;) {
        if (j >= text.length) throw invalidParameters(`The query specified in the URI is not valid. There is an unterminated string literal at position ${i} in '${text}'.`);
        if (text[j] === "'") { if (text[j + 1] === "'") { s += "'"; j += 2; continue; } break; }
        s += text[j]; j++;
      }
      toks.push({ t: 'str', v: s, pos: i }); i = j + 1; continue;
    }
    const date = DATE_RE.exec(text.slice(i));
    if (date && /\d{4}-/.test(text.slice(i, i + 5))) { toks.push({ t: 'date', v: date[0], pos: i }); i += date[0].length; continue; }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDlLfF]?/.exec(text.slice(i));
    if (num && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) { toks.push({ t: 'num', v: num[0].replace(/[mMdDlLfF]$/, ''), pos: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) {
      // datetime'…' is one literal token.
      if (id[0] === 'datetime' && text[i + id[0].length] === "'") {
        const end = text.indexOf("'", i + 9);
        if (end < 0) syntax(text, i);
        const v = text.slice(i + 9, end);
        if (!DATE_RE.test(v) || DATE_RE.exec(v)![0] !== v) throw invalidParameters(`The query specified in the URI is not valid. Unrecognized 'Edm.DateTime' literal 'datetime'${v}'' at '${i}' in '${text}'.`);
        toks.push({ t: 'date', v, pos: i }); i = end + 1; continue;
      }
      toks.push({ t: 'id', v: id[0], pos: i }); i += id[0].length; continue;
    }
    syntax(text, i);
  }
  return toks;
}

const COMPARISON = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: Record<string, number> = { substringof: 2, startswith: 2, endswith: 2, contains: 2, length: 1, tolower: 1, toupper: 1, trim: 1 };

/** Nesting beyond this is refused rather than risking the stack on a hostile filter. */
const MAX_DEPTH = 64;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly text: string, private readonly toks: Tok[], private readonly fields: ReadonlyMap<string, FieldType>, private readonly typeName: string) {}

  parse(): Node {
    if (this.toks.length === 0) syntax(this.text, 0);
    const e = this.or();
    if (this.i < this.toks.length) syntax(this.text, this.toks[this.i]!.pos);
    return e;
  }
  private peek(): Tok | undefined { return this.toks[this.i]; }
  private isWord(w: string): boolean { const t = this.peek(); return t?.t === 'id' && t.v === w; }
  private or(): Node {
    let l = this.and();
    while (this.isWord('or')) { this.i++; l = { k: 'bin', op: 'or', l, r: this.and() }; }
    return l;
  }
  private and(): Node {
    let l = this.unary();
    while (this.isWord('and')) { this.i++; l = { k: 'bin', op: 'and', l, r: this.unary() }; }
    return l;
  }
  private unary(): Node {
    if (this.isWord('not')) {
      this.i++;
      if (++this.depth > MAX_DEPTH) throw invalidParameters(`The query specified in the URI is not valid. The $filter expression is nested more than ${MAX_DEPTH} levels deep.`);
      const e = this.unary();
      this.depth--;
      return { k: 'not', e };
    }
    const l = this.primary();
    const t = this.peek();
    if (t?.t === 'id' && COMPARISON.has(t.v)) {
      this.i++;
      const r = this.primary();
      this.checkTypes(t.v, l, r, t.pos);
      return { k: 'bin', op: t.v, l, r };
    }
    return l;
  }
  private primary(): Node {
    const t = this.peek();
    if (!t) syntax(this.text, this.text.length);
    this.i++;
    if (t.t === 'punct' && t.v === '(') {
      if (++this.depth > MAX_DEPTH) throw invalidParameters(`The query specified in the URI is not valid. The $filter expression is nested more than ${MAX_DEPTH} levels deep.`);
      const e = this.or();
      this.depth--;
      const close = this.peek();
      if (!close || close.v !== ')') syntax(this.text, close?.pos ?? this.text.length);
      this.i++;
      return e;
    }
    if (t.t === 'str') return { k: 'lit', v: t.v, t: 'string' };
    if (t.t === 'num') return { k: 'lit', v: Number(t.v), t: 'number' };
    if (t.t === 'date') return { k: 'lit', v: parseDate(t.v), t: 'date' };
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true', t: 'boolean' };
      if (t.v === 'null') return { k: 'lit', v: null, t: 'null' };
      const next = this.peek();
      if (next?.v === '(' && next.t === 'punct') {
        const arity = FUNCTIONS[t.v];
        if (arity === undefined) throw invalidParameters(`The query specified in the URI is not valid. An unknown function with name '${t.v}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
        this.i++;
        const args: Node[] = [];
        if (this.peek()?.v !== ')') {
          args.push(this.or());
          while (this.peek()?.v === ',') { this.i++; args.push(this.or()); }
        }
        const close = this.peek();
        if (!close || close.v !== ')') syntax(this.text, close?.pos ?? this.text.length);
        this.i++;
        if (args.length !== arity) throw invalidParameters(`The query specified in the URI is not valid. No function signature for the function with name '${t.v}' matches the specified arguments.`);
        return { k: 'call', fn: t.v, args };
      }
      if (COMPARISON.has(t.v) || t.v === 'and' || t.v === 'or') syntax(this.text, t.pos);
      if (!this.fields.has(t.v)) throw invalidParameters(`The query specified in the URI is not valid. Could not find a property named '${t.v}' on type '${this.typeName}'.`);
      if (this.fields.get(t.v) === 'collection') throw invalidParameters(`The query specified in the URI is not valid. The parent value for a property access of a property '${t.v}' is not a single value. Property access can only be applied to a single value.`);
      return { k: 'field', name: t.v };
    }
    return syntax(this.text, t.pos);
  }
  private typeOf(n: Node): FieldType | 'null' | 'any' {
    if (n.k === 'lit') return n.t;
    if (n.k === 'field') return this.fields.get(n.name) ?? 'any';
    if (n.k === 'call') return n.fn === 'length' ? 'number' : n.fn === 'tolower' || n.fn === 'toupper' || n.fn === 'trim' ? 'string' : 'boolean';
    return 'boolean';
  }
  private checkTypes(op: string, l: Node, r: Node, pos: number): void {
    const a = this.typeOf(l);
    const b = this.typeOf(r);
    if (a === 'null' || b === 'null' || a === 'any' || b === 'any' || a === b) return;
    // A date column compared with a quoted date string is what many clients send; ASP.NET OData v3 promotes it.
    if ((a === 'date' && b === 'string' && r.k === 'lit' && DATE_RE.test(String(r.v))) || (b === 'date' && a === 'string' && l.k === 'lit' && DATE_RE.test(String(l.v)))) return;
    const edm = (t: string) => ({ string: 'Edm.String', number: 'Edm.Decimal', boolean: 'Edm.Boolean', date: 'Edm.DateTimeOffset', collection: 'Collection' })[t] ?? t;
    const kind = ({ eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' } as Record<string, string>)[op];
    void pos;
    throw invalidParameters(`The query specified in the URI is not valid. A binary operator with incompatible types was detected. Found operand types '${edm(a)}' and '${edm(b)}' for operator kind '${kind}'.`);
  }
}

function parseDate(v: string): number {
  const iso = /T/.test(v) ? (/(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`) : `${v}T00:00:00Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw invalidParameters(`The query specified in the URI is not valid. Unrecognized date literal '${v}'.`);
  return ms;
}

type Val = (row: Row) => unknown;

function compile(n: Node, fields: ReadonlyMap<string, FieldType>): Val {
  switch (n.k) {
    case 'lit': { const v = n.v; return () => v; }
    case 'field': {
      const name = n.name;
      if (fields.get(name) === 'date') return (row) => { const v = row[name]; return typeof v === 'string' && v !== '' ? Date.parse(v) : null; };
      return (row) => row[name];
    }
    case 'not': { const e = compile(n.e, fields); return (row) => !e(row); }
    case 'call': {
      const a = n.args.map((x) => compile(x, fields));
      const s = (f: Val, row: Row) => { const v = f(row); return v === null || v === undefined ? '' : String(v); };
      switch (n.fn) {
        case 'substringof': return (row) => s(a[1]!, row).includes(s(a[0]!, row));
        case 'contains': return (row) => s(a[0]!, row).includes(s(a[1]!, row));
        case 'startswith': return (row) => s(a[0]!, row).startsWith(s(a[1]!, row));
        case 'endswith': return (row) => s(a[0]!, row).endsWith(s(a[1]!, row));
        case 'length': return (row) => s(a[0]!, row).length;
        case 'tolower': return (row) => s(a[0]!, row).toLowerCase();
        case 'toupper': return (row) => s(a[0]!, row).toUpperCase();
        default: return (row) => s(a[0]!, row).trim();
      }
    }
    case 'bin': {
      const l = compile(n.l, fields);
      const r = compile(n.r, fields);
      if (n.op === 'and') return (row) => Boolean(l(row)) && Boolean(r(row));
      if (n.op === 'or') return (row) => Boolean(l(row)) || Boolean(r(row));
      // Quoted date strings compared with a date column: compare as instants.
      const dateSide = (x: Node) => x.k === 'field' && fields.get(x.name) === 'date';
      const lit = (x: Node, f: Val): Val => (x.k === 'lit' && typeof x.v === 'string' && (dateSide(n.l) || dateSide(n.r)) ? () => parseDate(x.v as string) : f);
      const L = lit(n.l, l);
      const R = lit(n.r, r);
      const cmp = (row: Row): number | null => {
        const a = L(row); const b = R(row);
        if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null) ? 0 : null;
        if (typeof a === 'number' && typeof b === 'number') return a - b;
        if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : 1;
        const x = String(a); const y = String(b);
        return x < y ? -1 : x > y ? 1 : 0;
      };
      switch (n.op) {
        case 'eq': return (row) => cmp(row) === 0;
        case 'ne': return (row) => cmp(row) !== 0;
        case 'gt': return (row) => { const c = cmp(row); return c !== null && c > 0; };
        case 'ge': return (row) => { const c = cmp(row); return c !== null && c >= 0; };
        case 'lt': return (row) => { const c = cmp(row); return c !== null && c < 0; };
        default: return (row) => { const c = cmp(row); return c !== null && c <= 0; };
      }
    }
  }
}

/** `Field eq 'literal'` terms joined by `and` at the top of the filter: candidates for an index. */
function equalities(n: Node, out: Array<[string, unknown]>): void {
  if (n.k === 'bin' && n.op === 'and') { equalities(n.l, out); equalities(n.r, out); return; }
  if (n.k === 'bin' && n.op === 'eq') {
    if (n.l.k === 'field' && n.r.k === 'lit' && typeof n.r.v === 'string') out.push([n.l.name, n.r.v]);
    else if (n.r.k === 'field' && n.l.k === 'lit' && typeof n.l.v === 'string') out.push([n.r.name, n.l.v]);
  }
}

/** Parses and compiles a $filter against a resource's property types (unknown property → error). */
export function compileFilter(text: string, fields: ReadonlyMap<string, FieldType>, typeName: string, eq?: Array<[string, unknown]>): Predicate {
  const ast = new Parser(text, tokenize(text), fields, typeName).parse();
  if (eq) equalities(ast, eq);
  if (ast.k === 'lit' || ast.k === 'field' && fields.get(ast.name) !== 'boolean') {
    throw invalidParameters(`The query specified in the URI is not valid. The $filter expression must evaluate to a single boolean value.`);
  }
  const f = compile(ast, fields);
  return (row) => Boolean(f(row));
}

export interface QueryOptions {
  filter?: Predicate;
  /** Top-level `Field eq 'x'` terms (the filter still applies in full). */
  eq: Array<[string, unknown]>;
  select?: string[];
  top?: number;
  skip: number;
  count: boolean;
  /** The raw options to carry into @odata.nextLink. */
  raw: Record<string, string>;
}

const KNOWN = new Set(['$filter', '$select', '$top', '$skip', '$count', '$inlinecount', '$format', '$orderby', '$expand']);

/** Reads $filter/$select/$top/$skip/$count from the raw query string (each may appear once). */
export function parseQueryOptions(rawQuery: string, fields: ReadonlyMap<string, FieldType>, typeName: string): QueryOptions {
  const seen: Record<string, string> = {};
  if (rawQuery) {
    for (const part of rawQuery.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      let key: string; let value: string;
      try {
        key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
        value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
      } catch {
        throw invalidParameters(`The query specified in the URI is not valid. The query string is not correctly encoded.`);
      }
      if (!key.startsWith('$')) continue;
      if (!KNOWN.has(key)) throw invalidParameters(`The query parameter '${key}' is not supported.`);
      if (key in seen) throw invalidParameters(`The query specified in the URI is not valid. Query option '${key.slice(1)}' was specified more than once, but it must be specified at most once.`);
      seen[key] = value;
    }
  }
  const opts: QueryOptions = { skip: 0, count: false, raw: seen, eq: [] };
  if (seen.$filter !== undefined) opts.filter = compileFilter(seen.$filter, fields, typeName, opts.eq);
  if (seen.$select !== undefined) {
    const names = seen.$select.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw invalidParameters(`The query specified in the URI is not valid. Syntax error in $select.`);
    for (const n of names) {
      if (n !== '*' && !fields.has(n)) throw invalidParameters(`The query specified in the URI is not valid. Could not find a property named '${n}' on type '${typeName}'.`);
    }
    if (!names.includes('*')) opts.select = names;
  }
  const int = (name: string, v: string) => {
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw invalidParameters(`The query specified in the URI is not valid. Invalid value '${v}' for $${name} query option found. The $${name} query option requires a non-negative integer value.`);
    return Number(v);
  };
  if (seen.$top !== undefined) opts.top = int('top', seen.$top);
  if (seen.$skip !== undefined) opts.skip = int('skip', seen.$skip);
  if (seen.$count !== undefined) {
    if (seen.$count !== 'true' && seen.$count !== 'false') throw invalidParameters(`The query specified in the URI is not valid. '${seen.$count}' is not a valid count option.`);
    opts.count = seen.$count === 'true';
  }
  if (seen.$inlinecount === 'allpages') opts.count = true;
  if (seen.$orderby !== undefined) throw invalidParameters(`The query specified in the URI is not valid. Query option 'OrderBy' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`);
  return opts;
}

export function project(row: Row, select: string[] | undefined): Row {
  if (!select) return row;
  const out: Row = {};
  for (const s of select) out[s] = row[s];
  return out;
}
