// Expressions are JSONata. jsonata-js parses them (so the syntax, and its error positions, are the
// real thing), then this module compiles the common subset — paths, filters, constants, arithmetic,
// comparisons, conditions, string concatenation, variables, and calls to our built-ins and to the
// usual JSONata string/number functions — into plain synchronous JS closures. Anything else falls
// back to jsonata's own evaluator (asynchronous). A differential test runs every shipped template's
// expressions both ways on its cases and on random input, and requires identical results.
import jsonata from 'jsonata';
import { userError } from '../core/errors.js';
import { BUDGET_BINDING, type BudgetLimits, DEFAULT_BUDGET, guardJsonata, jsonataOptions, re2Problem } from './budget.js';
import { builtins, type CallSite, type Runtime } from './functions.js';

export interface Scope {
  root: unknown;
  vars: Record<string, unknown>;
  rt: Runtime;
}

export type Evaluator = (ctx: unknown, scope: Scope) => unknown;

export interface CompiledExpr {
  text: string;
  /** Synchronous compiled closure, or undefined when the expression needs jsonata. */
  fast: Evaluator | undefined;
  /** Always available: jsonata's evaluator bound to the same built-ins (returns a promise). */
  slow: (ctx: unknown, scope: Scope) => Promise<unknown>;
  /** Why the fast path was not possible (shown by `mapping test --verbose`). */
  fallbackReason?: string;
  /** The expression's text when it is a plain path such as `items` or `shipping_address.zipcode`. */
  path?: string;
}

/** Thrown by compiled code for the same type errors jsonata raises (caught per field by the runner). */
export class ExprError extends Error {}

class Unsupported extends Error {}

// jsonata AST nodes are loosely typed; this is the part we read.
interface Node {
  type: string;
  value?: unknown;
  position?: number;
  steps?: Node[];
  stages?: Node[];
  expr?: Node;
  lhs?: Node | Node[][];
  rhs?: Node;
  expression?: Node;
  expressions?: Node[];
  arguments?: Node[];
  procedure?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  [k: string]: unknown;
}

export interface ExprLocation {
  /** e.g. `fields.OrderDetails.concat[0].fields.Item` */
  where: string;
  /** Maps an offset inside the expression text to "line:column" in the file, when loaded from one. */
  locate?: (offset: number) => { line: number; column: number } | undefined;
  file?: string;
}

/** Binding name of the run's Runtime for the built-ins registered on jsonata (unwritable: a space). */
const RUNTIME_BINDING = 'syncline runtime';

export function compileExpr(text: string, loc: ExprLocation, limits: BudgetLimits = DEFAULT_BUDGET): CompiledExpr {
  let expr: jsonata.Expression;
  const syntaxError = (message: string, position: number | undefined) => {
    const pos = typeof position === 'number' ? loc.locate?.(Math.max(0, position - 1)) : undefined;
    const at = loc.file ? `${loc.file}${pos ? `:${pos.line}:${pos.column}` : ''}: ` : '';
    return userError('MAPPING_SYNTAX', `${at}${loc.where}: ${message} in \`${text}\``, {
      details: { file: loc.file, line: pos?.line, column: pos?.column, field: loc.where, expression: text, position },
    });
  };
  try {
    expr = jsonata(text, jsonataOptions(limits));
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    throw syntaxError(`JSONata syntax error: ${err.message ?? String(e)}`, err.position);
  }
  const ast = expr.ast() as unknown as Node;
  // Every regex is a literal in the AST: refuse, at load, any that RE2 cannot run in linear time.
  for (const r of regexLiterals(ast)) {
    const problem = re2Problem(r.value);
    if (problem) throw syntaxError(`regular expression ${problem}`, r.position);
  }
  guardJsonata(expr);
  // The built-ins are registered once per expression and find the run's state through a binding,
  // instead of a fresh closure per built-in on every call.
  for (const [name, fn] of Object.entries(builtins)) {
    expr.registerFunction(name, function (this: { environment: { lookup(n: string): unknown } }, ...args: unknown[]) {
      return fn(this.environment.lookup(RUNTIME_BINDING) as Runtime, undefined, ...args);
    });
  }
  let fast: Evaluator | undefined;
  let fallbackReason: string | undefined;
  try {
    fast = compileNode(ast);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    fallbackReason = e.message;
  }
  const slow = async (ctx: unknown, scope: Scope): Promise<unknown> => {
    const bindings: Record<string, unknown> = { ...scope.vars };
    // `$$` must be the record, not the line being mapped: jsonata binds it to the input, so the
    // fallback evaluates against the line and passes the root explicitly.
    bindings.root = scope.root;
    bindings[RUNTIME_BINDING] = scope.rt;
    bindings[BUDGET_BINDING] = scope.rt.budget;
    scope.rt.budget.startClock();
    return expr.evaluate(ctx, bindings);
  };
  const path = plainPath(ast);
  return { text, fast, slow, ...(fallbackReason !== undefined ? { fallbackReason } : {}), ...(path ? { path } : {}) };
}

/** Every regex literal of an expression, wherever it sits in the AST. */
function regexLiterals(n: unknown, out: Array<{ value: RegExp; position: number | undefined }> = [], seen = new Set<unknown>()): Array<{ value: RegExp; position: number | undefined }> {
  // The AST can refer back to itself (parent slots of `%`): visit each object once.
  if (!n || typeof n !== 'object' || seen.has(n)) return out;
  seen.add(n);
  if (Array.isArray(n)) for (const x of n) regexLiterals(x, out, seen);
  else {
    const node = n as Node;
    if (node.type === 'regex' && node.value instanceof RegExp) out.push({ value: node.value, position: node.position });
    for (const [k, v] of Object.entries(node)) if (k !== 'value') regexLiterals(v, out, seen);
  }
  return out;
}

// ---------------------------------------------------------------- JSONata semantics we reproduce

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** jsonata's $boolean casting. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    if (v.length === 1) return truthy(v[0]);
    return v.some(truthy);
  }
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    case 'object':
      return Object.keys(v as object).length > 0;
    default:
      return true;
  }
}

/** `o[k] = v`, but a key named __proto__ becomes an own property (as in jsonata's results), never the prototype. */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** jsonata's keys(): an object's own keys; of an array, the union of its items' keys (nested arrays too). */
function keysOf(v: unknown): string[] {
  if (Array.isArray(v)) {
    const union: Record<string, true> = {};
    for (const x of v) for (const k of keysOf(x)) union[k] = true;
    return Object.keys(union);
  }
  return v !== null && typeof v === 'object' ? Object.keys(v) : [];
}

/** jsonata's fn.append: items of both sides (a side that is not an array is one item). */
function appendSeq(a: unknown, b: unknown): unknown[] {
  const out = Array.isArray(a) ? a.slice() : [a];
  if (Array.isArray(b)) for (const x of b) out.push(x);
  else out.push(b);
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** jsonata's $string: non-integers to 15 significant digits (integers as they are), objects as JSON. */
const numFix = (val: number) => (Number.isInteger(val) ? val : Number(val.toPrecision(15)));
export function jstring(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && !Number.isFinite(v)) throw new ExprError(`Attempting to invoke string function on Infinity or NaN`);
  return JSON.stringify(v, (_k, val) => (typeof val === 'number' && Number.isFinite(val) ? numFix(val) : val));
}

const NUMBER_TEXT = /^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;

// Standard JSONata functions we compile; their results match jsonata for the arguments they accept
// and throw (as jsonata does) on the rest.
const std: Record<string, (...a: unknown[]) => unknown> = {
  string: (v) => jstring(v),
  number: (v) => {
    if (v === undefined) return undefined;
    if (isNumber(v)) return v;
    if (typeof v === 'string' && NUMBER_TEXT.test(v.trim()) ) return Number(v.trim());
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new ExprError(`Unable to cast value to a number: ${JSON.stringify(v)}`);
  },
  uppercase: (v) => (v === undefined ? undefined : needString(v, 'uppercase').toUpperCase()),
  lowercase: (v) => (v === undefined ? undefined : needString(v, 'lowercase').toLowerCase()),
  trim: (v) => (v === undefined ? undefined : needString(v, 'trim').replace(/[ \t\n\r]+/g, ' ').trim()),
  length: (v) => (v === undefined ? undefined : [...needString(v, 'length')].length),
  exists: (v) => v !== undefined,
  // jsonata's $lookup: the key's value in an object (own keys only), or in each object of an array.
  lookup: (o, k) => {
    if (k === undefined) return undefined;
    const key = needString(k, 'lookup');
    const one = (x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.hasOwn(x, key) ? (x as Record<string, unknown>)[key] : undefined);
    if (!Array.isArray(o)) return one(o);
    const hits = o.map(one).filter((v) => v !== undefined);
    return hits.length === 0 ? undefined : hits.length === 1 ? hits[0] : hits;
  },
  count: (v) => (v === undefined ? 0 : Array.isArray(v) ? v.length : 1),
  not: (v) => (v === undefined ? undefined : !truthy(v)),
  boolean: (v) => (v === undefined ? undefined : truthy(v)),
  contains: (s, p) => {
    if (s === undefined) return undefined;
    if (typeof p !== 'string') throw new Unsupported('$contains with a regex');
    return needString(s, 'contains').includes(p);
  },
  join: (v, sep) => {
    if (v === undefined) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    if (!arr.every((x) => typeof x === 'string')) throw new ExprError('Argument 1 of function "join" must be an array of strings');
    return arr.join(sep === undefined ? '' : needString(sep, 'join'));
  },
  substring: (s, start, len) => {
    if (s === undefined) return undefined;
    const chars = [...needString(s, 'substring')];
    if (!isNumber(start) || (len !== undefined && !isNumber(len))) throw new ExprError('substring: start and length must be numbers');
    let st = start < 0 ? Math.max(0, chars.length + start) : start;
    if (len === undefined) return chars.slice(st).join('');
    if (len <= 0) return '';
    return chars.slice(st, st + len).join('');
  },
  // Float sum, in order, as jsonata does (for quantities; money uses $dsum).
  sum: (v) => {
    if (v === undefined) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    let total = 0;
    for (const x of arr) {
      if (!isNumber(x)) throw new ExprError('Argument 1 of function "sum" must be an array of "numbers"');
      total += x;
    }
    return total;
  },
  // jsonata's $merge: later objects' keys win; a single object is taken as a list of one.
  merge: (v) => {
    if (v === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const o of Array.isArray(v) ? v : [v]) {
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ExprError('Argument 1 of function "merge" must be an array of "objects"');
      for (const k in o) setOwn(out, k, (o as Record<string, unknown>)[k]);
    }
    return out;
  },
  // jsonata's $split with a string separator (a regex one stays with jsonata).
  split: (v, sep, limit) => {
    if (v === undefined) return undefined;
    const str = needString(v, 'split');
    if (typeof sep !== 'string') throw new ExprError('Argument 2 of function "split" does not match function signature');
    if (limit !== undefined && (!isNumber(limit) || limit < 0)) throw new ExprError('Third argument of split function must evaluate to a positive number');
    const parts = str.split(sep);
    return limit === undefined ? parts : parts.slice(0, limit);
  },
  // jsonata's $keys: an object's keys, or the union of the keys of an array's objects; a sequence
  // (none → nothing, one → that key).
  keys: (v) => {
    const out = keysOf(v);
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  },
  // jsonata's $append: either side missing gives the other; otherwise one array of both.
  append: (a, b) => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return (Array.isArray(a) ? a : [a]).concat(Array.isArray(b) ? b : [b]);
  },
  abs: (v) => (v === undefined ? undefined : Math.abs(needNumber(v, 'abs'))),
  floor: (v) => (v === undefined ? undefined : Math.floor(needNumber(v, 'floor'))),
  ceil: (v) => (v === undefined ? undefined : Math.ceil(needNumber(v, 'ceil'))),
};

function needString(v: unknown, fn: string): string {
  if (typeof v !== 'string') throw new ExprError(`Argument 1 of function "${fn}" does not match function signature`);
  return v;
}
function needNumber(v: unknown, fn: string): number {
  if (!isNumber(v)) throw new ExprError(`Argument 1 of function "${fn}" does not match function signature`);
  return v;
}

// ---------------------------------------------------------------- the compiler

/** A path's text when it is a plain chain of names (for messages: "items[2].sku"). */
function plainPath(n: Node): string | undefined {
  if (n.type !== 'path' || !n.steps) return undefined;
  const names: string[] = [];
  for (const s of n.steps) {
    if (s.type !== 'name' || s.stages?.length) return undefined;
    names.push(String(s.value));
  }
  return names.join('.');
}

/** Result of evaluating a path: a single value, or a sequence (array marked as one). */
type Seq = unknown[];
const seq = (): Seq => [];

// AST properties the compiler understands. Any other (grouping `{}`, `@` focus, `#` index, parent
// `%`, sort `^`, tuples…) sends the expression to jsonata rather than being silently ignored.
const KNOWN_KEYS = new Set(['type', 'value', 'position', 'steps', 'stages', 'predicate', 'expr', 'lhs', 'rhs', 'expression', 'expressions', 'arguments', 'procedure', 'condition', 'then', 'else', 'consarray']);

function compileNode(n: Node): Evaluator {
  for (const k of Object.keys(n)) {
    const v = n[k];
    if (!KNOWN_KEYS.has(k) && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) throw new Unsupported(`jsonata feature "${k}"`);
  }
  if (Array.isArray(n.predicate) && n.predicate.length && n.type !== 'path') {
    // `$lines[0]`, `(expr)[cond]`: filters over the node's whole result.
    const base = compileNode({ ...n, predicate: undefined });
    const filters = compileFilters(n.predicate as Node[]);
    return (ctx, s) => unwrap(applyFilters(base(ctx, s), filters, s));
  }
  switch (n.type) {
    case 'string':
    case 'number':
    case 'value': {
      const v = n.value;
      return () => v;
    }
    case 'variable':
      return compileVariable(String(n.value));
    case 'path':
      return compilePath(n);
    case 'name':
      return compilePath({ type: 'path', steps: [n] });
    case 'block': {
      const exprs = (n.expressions ?? []).map(compileNode);
      if (exprs.length === 1) return exprs[0]!;
      throw new Unsupported('block with several expressions');
    }
    case 'condition': {
      const c = compileNode(n.condition!);
      const t = compileNode(n.then!);
      const e = n.else ? compileNode(n.else) : undefined;
      return (ctx, s) => (truthy(c(ctx, s)) ? t(ctx, s) : e ? e(ctx, s) : undefined);
    }
    case 'unary':
      return compileUnary(n);
    case 'binary':
      return compileBinary(n);
    case 'function':
      return compileCall(n, []);
    case 'apply': {
      // `x ~> $f(a)` is `$f(x, a)`; `x ~> $f` is `$f(x)`.
      const rhs = n.rhs!;
      if (rhs.type === 'function') return compileCall(rhs, [n.lhs as Node]);
      if (rhs.type === 'variable') return compileCall({ type: 'function', procedure: rhs, arguments: [] }, [n.lhs as Node]);
      throw new Unsupported('~> to a non-function');
    }
    default:
      throw new Unsupported(`${n.type} expressions`);
  }
}

function compileVariable(name: string): Evaluator {
  if (name === '') return (ctx) => ctx;
  // `$$` is jsonata's evaluation input, which for a line is the line itself; leave it to jsonata and
  // offer `$root` (the whole record) in both paths instead.
  if (name === '$') throw new Unsupported('$$ (use $root)');
  if (name in builtins || name in std) throw new Unsupported('a function used as a value');
  return (_ctx, s) => s.vars[name];
}

function compileUnary(n: Node): Evaluator {
  if (n.value === '-') {
    const e = compileNode(n.expression!);
    return (ctx, s) => {
      const v = e(ctx, s);
      if (v === undefined) return undefined;
      if (!isNumber(v)) throw new ExprError(`Cannot negate a non-numeric value: ${JSON.stringify(v)}`);
      return -v;
    };
  }
  if (n.value === '[') {
    // jsonata: an item that is itself an array constructor is kept as one element; any other item's
    // array result is spliced in (fn.append); undefined items are skipped.
    const items = (n.expressions ?? []).map((i) => ({ nested: i.type === 'unary' && i.value === '[', f: compileNode(i) }));
    return (ctx, s) => {
      const out: unknown[] = [];
      for (const { nested, f } of items) {
        const v = f(ctx, s);
        if (v === undefined) continue;
        if (!nested && Array.isArray(v)) for (const x of v) out.push(x);
        else out.push(v);
      }
      s.rt.budget.tick(out.length);
      return out;
    };
  }
  if (n.value === '{') {
    const pairs = ((n.lhs as Node[][]) ?? []).map(([k, v]) => ({ constKey: k!.type === 'string' ? String(k!.value) : undefined, key: compileNode(k!), value: compileNode(v!) }));
    if (pairs.every((p) => p.constKey !== undefined)) {
      return (ctx, s) => {
        const o: Record<string, unknown> = {};
        for (const { constKey, value } of pairs) {
          const v = value(ctx, s);
          if (v !== undefined) setOwn(o, constKey!, v);
        }
        return o;
      };
    }
    // Computed keys (`items.{ sku: price }`): jsonata groups the context's items by the key each pair
    // gives, then evaluates a group's value against its items; two pairs giving one key is D1009.
    return (ctx, s) => {
      const items = Array.isArray(ctx) ? (ctx.length ? ctx : [undefined]) : [ctx];
      const groups = new Map<string, { data: unknown; pair: number }>();
      s.rt.budget.tick(items.length * pairs.length);
      for (const item of items) {
        for (let i = 0; i < pairs.length; i++) {
          const key = pairs[i]!.key(item, s);
          if (key === undefined) continue;
          if (typeof key !== 'string') throw new ExprError(`Key in object structure must evaluate to a string; got: ${jstring(key)}`);
          const g = groups.get(key);
          if (!g) groups.set(key, { data: item, pair: i });
          else if (g.pair !== i) throw new ExprError(`Multiple key definitions evaluate to same key: ${JSON.stringify(key)}`);
          else g.data = appendSeq(g.data, item);
        }
      }
      const o: Record<string, unknown> = {};
      // jsonata's groups are an object: integer-like keys come first, in numeric order.
      const order: Record<string, true> = Object.create(null);
      for (const k of groups.keys()) order[k] = true;
      for (const key of Object.keys(order)) {
        const g = groups.get(key)!;
        const v = pairs[g.pair]!.value(g.data, s);
        if (v !== undefined) setOwn(o, key, v);
      }
      return o;
    };
  }
  throw new Unsupported(`unary ${String(n.value)}`);
}

function compileBinary(n: Node): Evaluator {
  const op = String(n.value);
  const l = compileNode(n.lhs as Node);
  const r = compileNode(n.rhs!);
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (ctx, s) => {
        const a = l(ctx, s);
        const b = r(ctx, s);
        if ((a !== undefined && !isNumber(a)) || (b !== undefined && !isNumber(b))) {
          throw new ExprError(`The ${a !== undefined && !isNumber(a) ? 'left' : 'right'} side of the "${op}" operator must evaluate to a number`);
        }
        if (a === undefined || b === undefined) return undefined;
        const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
        if (!Number.isFinite(v)) throw new ExprError(`Number out of range: ${v}`);
        return v;
      };
    case '=':
    case '!=':
      return (ctx, s) => {
        const a = l(ctx, s);
        const b = r(ctx, s);
        if (a === undefined || b === undefined) return false;
        const eq = deepEqual(a, b);
        return op === '=' ? eq : !eq;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (ctx, s) => {
        const a = l(ctx, s);
        const b = r(ctx, s);
        const okA = a === undefined || isNumber(a) || typeof a === 'string';
        const okB = b === undefined || isNumber(b) || typeof b === 'string';
        if (!okA || !okB || (a !== undefined && b !== undefined && typeof a !== typeof b)) {
          throw new ExprError(`The expressions either side of operator "${op}" must evaluate to numeric or string values of the same type`);
        }
        if (a === undefined || b === undefined) return undefined;
        const x = a as number | string;
        const y = b as number | string;
        return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
      };
    case '&':
      return (ctx, s) => {
        const v = (jstring(l(ctx, s)) ?? '') + (jstring(r(ctx, s)) ?? '');
        s.rt.budget.string(v);
        return v;
      };
    case 'and':
      return (ctx, s) => truthy(l(ctx, s)) && truthy(r(ctx, s));
    case 'or':
      return (ctx, s) => truthy(l(ctx, s)) || truthy(r(ctx, s));
    case 'in':
      return (ctx, s) => {
        const a = l(ctx, s);
        const b = r(ctx, s);
        if (a === undefined || b === undefined) return false;
        return (Array.isArray(b) ? b : [b]).some((x) => deepEqual(x, a));
      };
    default:
      throw new Unsupported(`operator ${op}`);
  }
}

function compileCall(n: Node, prefix: Node[]): Evaluator {
  const proc = n.procedure;
  if (!proc || proc.type !== 'variable') throw new Unsupported('call of a computed function');
  const name = String(proc.value);
  const argNodes = [...prefix, ...(n.arguments ?? [])];
  if (argNodes.some((a) => a.type === 'placeholder' || a.type === 'lambda')) throw new Unsupported('partial application or lambda');
  const args = argNodes.map(compileNode);
  const custom = builtins[name];
  if (custom) {
    const site: CallSite = { argPaths: argNodes.map(plainPath) };
    // Fixed-arity closures: no argument array and no spread call per evaluation.
    switch (args.length) {
      case 0:
        return (_ctx, s) => custom(s.rt, site);
      case 1: {
        const [a0] = args as [Evaluator];
        return (ctx, s) => custom(s.rt, site, a0(ctx, s));
      }
      case 2: {
        const [a0, a1] = args as [Evaluator, Evaluator];
        return (ctx, s) => custom(s.rt, site, a0(ctx, s), a1(ctx, s));
      }
      case 3: {
        const [a0, a1, a2] = args as [Evaluator, Evaluator, Evaluator];
        return (ctx, s) => custom(s.rt, site, a0(ctx, s), a1(ctx, s), a2(ctx, s));
      }
      case 4: {
        const [a0, a1, a2, a3] = args as [Evaluator, Evaluator, Evaluator, Evaluator];
        return (ctx, s) => custom(s.rt, site, a0(ctx, s), a1(ctx, s), a2(ctx, s), a3(ctx, s));
      }
    }
    return (ctx, s) => {
      const vals = new Array(args.length);
      for (let i = 0; i < args.length; i++) vals[i] = args[i]!(ctx, s);
      return custom(s.rt, site, ...vals);
    };
  }
  if (name === 'distinct') return compileDistinct(argNodes);
  const f = std[name];
  if (!f) throw new Unsupported(`function $${name}`);
  if ((name === 'contains' || name === 'split') && argNodes[1] && argNodes[1].type === 'regex') throw new Unsupported(`$${name} with a regex`);
  if (name === 'round') throw new Unsupported(`$${name}`);
  if (args.length === 1) {
    const a0 = args[0]!;
    return (ctx, s) => f(a0(ctx, s));
  }
  if (args.length === 2) {
    const [a0, a1] = args as [Evaluator, Evaluator];
    return (ctx, s) => f(a0(ctx, s), a1(ctx, s));
  }
  if (args.length === 3) {
    const [a0, a1, a2] = args as [Evaluator, Evaluator, Evaluator];
    return (ctx, s) => f(a0(ctx, s), a1(ctx, s), a2(ctx, s));
  }
  return (ctx, s) => f(...args.map((a) => a(ctx, s)));
}

/**
 * jsonata's $distinct keeps the kind of list it was given: of a path's sequence of values
 * (`items.sku`) one distinct value is that value, of an array it is an array of one. The compiled
 * path marks the sequences it returns for this call only (SEQUENCES), since plain arrays carry no mark.
 */
function compileDistinct(argNodes: Node[]): Evaluator {
  if (argNodes.length !== 1) throw new Unsupported('$distinct with other than one argument');
  const arg = argNodes[0]!;
  const a0 = arg.type === 'path' ? compilePath(arg, true) : compileNode(arg);
  return (ctx, s) => {
    const v = a0(ctx, s);
    if (!Array.isArray(v) || v.length <= 1) return v;
    s.rt.budget.tick(v.length);
    const out: unknown[] = [];
    for (const x of v) {
      let seen = false;
      for (const y of out) {
        if (deepEqual(x, y)) {
          seen = true;
          break;
        }
      }
      if (!seen) out.push(x);
    }
    return SEQUENCES.has(v) && out.length === 1 ? out[0] : out;
  };
}
const SEQUENCES = new WeakSet<unknown[]>();

type StepFn = (item: unknown, s: Scope) => unknown;
interface Filter {
  index?: number;
  pred?: Evaluator;
}

function compileFilters(stages: Node[]): Filter[] {
  const filters = stages.map((stage): Filter => {
    if (stage.type !== 'filter' || !stage.expr) throw new Unsupported('path stage other than a filter');
    if (stage.expr.type === 'number') return { index: Number(stage.expr.value) };
    if (stage.expr.type === 'unary' && stage.expr.value === '-' && stage.expr.expression?.type === 'number') return { index: -Number(stage.expr.expression.value) };
    return { pred: compileNode(stage.expr) };
  });
  if (filters.some((f) => f.index !== undefined && !Number.isInteger(f.index))) throw new Unsupported('fractional index');
  return filters;
}

function applyFilters(v: unknown, filters: Filter[], s: Scope): Seq {
  let cur: unknown[] = v === undefined ? [] : Array.isArray(v) ? v : [v];
  for (const f of filters) {
    if (f.index !== undefined) {
      const i = f.index < 0 ? cur.length + f.index : f.index;
      cur = i >= 0 && i < cur.length ? [cur[i]] : [];
    } else {
      const out: unknown[] = [];
      // Nested filters over the record (`items[sku in $root.items[…].sku]`) grow with the square of
      // the data: every predicate evaluation counts against the time budget.
      s.rt.budget.tick(cur.length);
      for (const item of cur) {
        const p = f.pred!(item, s);
        // A predicate that computes a number is an index in jsonata; we only compile literal indexes.
        if (isNumber(p)) throw new ExprError('a filter that computes a number (an index) is not supported here; use a literal index');
        if (truthy(p)) out.push(item);
      }
      cur = out;
    }
  }
  return cur === v ? cur.slice() : cur;
}

function unwrap(q: unknown[]): unknown {
  if (q.length === 0) return undefined;
  if (q.length === 1) return q[0];
  return Array.from(q);
}

function compilePath(n: Node, markSequences = false): Evaluator {
  const steps = n.steps ?? [];
  if (n.keepSingletonArray) throw new Unsupported('[] (keep array)');
  const fns: Array<{ fn: StepFn; filters: Array<{ index?: number; pred?: Evaluator }> }> = [];
  for (const [i, st] of steps.entries()) {
    if (st.tuple || st.focus || st.index || st.group || st.keepArray) throw new Unsupported('#, @, grouping or [] in a path');
    for (const k of Object.keys(st)) {
      const v = st[k];
      if (!KNOWN_KEYS.has(k) && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) throw new Unsupported(`jsonata feature "${k}" in a path step`);
    }
    let fn: StepFn;
    if (st.type === 'name') {
      const key = String(st.value);
      fn = (item) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>)[key] : undefined);
    } else if (st.type === 'variable' && i === 0) {
      const v = compileVariable(String(st.value));
      fn = (item, s) => v(item, s);
    } else if (st.type === 'block' || st.type === 'function' || (i > 0 && ['binary', 'condition', 'string', 'number', 'value', 'apply'].includes(st.type)) || (i > 0 && st.type === 'unary' && st.value === '{')) {
      const e = compileNode(st);
      fn = (item, s) => e(item, s);
    } else {
      throw new Unsupported(`path step of type ${st.type}`);
    }
    const filters = compileFilters([...(st.stages ?? []), ...((st.predicate as Node[] | undefined) ?? [])]);
    fns.push({ fn, filters });
  }
  if (fns.length === 0) throw new Unsupported('empty path');
  const firstIsName = steps[0]!.type === 'name';

  // Fast shapes for the paths that make up most of a mapping (`price`, `shipping_address.city`,
  // `$options.location`): plain property reads when every value on the way is a single object;
  // anything else (an array on the way) takes the general loop below.
  const plainNames = steps.every((st) => st.type === 'name' && !st.stages?.length && !st.predicate);
  if (plainNames && steps.length <= 3) {
    const keys = steps.map((st) => String(st.value));
    const general = generalPath(fns, steps, firstIsName, markSequences);
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (keys.length === 1) {
      const [k0] = keys as [string];
      return (ctx, s) => (isObj(ctx) ? (Array.isArray(ctx[k0]) ? ctx[k0] : ctx[k0]) : general(ctx, s));
    }
    if (keys.length === 2) {
      const [k0, k1] = keys as [string, string];
      return (ctx, s) => {
        if (isObj(ctx)) {
          const a = ctx[k0];
          if (a === undefined || a === null || typeof a !== 'object') return undefined;
          if (!Array.isArray(a)) return (a as Record<string, unknown>)[k1];
        }
        return general(ctx, s);
      };
    }
  }
  const varThenNames = steps[0]!.type === 'variable' && !steps[0]!.predicate && steps.slice(1).every((st) => st.type === 'name' && !st.stages?.length && !st.predicate);
  if (varThenNames && steps.length === 2 && String(steps[0]!.value) !== '' && String(steps[0]!.value) !== '$') {
    const v = String(steps[0]!.value);
    const k1 = String(steps[1]!.value);
    const general = generalPath(fns, steps, firstIsName, markSequences);
    return (ctx, s) => {
      const a = s.vars[v];
      if (a !== null && typeof a === 'object' && !Array.isArray(a)) return (a as Record<string, unknown>)[k1];
      return general(ctx, s);
    };
  }
  return generalPath(fns, steps, firstIsName, markSequences);
}

function generalPath(fns: Array<{ fn: StepFn; filters: Filter[] }>, steps: Node[], firstIsName: boolean, markSequences = false): Evaluator {
  return (ctx, s) => {
    // The first step runs against the context; a context that is an array is mapped over (jsonata).
    let cur: unknown;
    let isSeq = false;
    for (let i = 0; i < fns.length; i++) {
      const { fn, filters } = fns[i]!;
      const input = cur;
      const inputs: unknown[] | undefined = i === 0 ? (firstIsName && Array.isArray(ctx) ? ctx : undefined) : Array.isArray(input) ? input : undefined;
      if (inputs === undefined) {
        const one = i === 0 ? ctx : input;
        if (i > 0 && one === undefined) return undefined;
        let v = fn(one, s);
        if (filters.length) {
          v = applyFilters(v, filters, s);
          isSeq = true;
        }
        cur = v;
      } else if (inputs.length === 1) {
        // jsonata hands back a one-item mapping's result as it is (an empty array stays []).
        let v = fn(inputs[0], s);
        if (filters.length) v = applyFilters(v, filters, s);
        cur = v;
        isSeq = filters.length > 0;
      } else {
        const out = seq();
        s.rt.budget.tick(inputs.length);
        for (const item of inputs) {
          let v = fn(item, s);
          if (filters.length) v = applyFilters(v, filters, s);
          if (v === undefined) continue;
          if (Array.isArray(v)) for (const x of v) out.push(x);
          else out.push(v);
        }
        cur = out;
        isSeq = true;
      }
    }
    if (!(isSeq && Array.isArray(cur))) return cur;
    const out = unwrap(cur);
    if (markSequences && Array.isArray(out)) SEQUENCES.add(out);
    return out;
  };
}
