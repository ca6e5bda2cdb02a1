// Turns a MappingSpec into a CompiledMapping: every expression is parsed once (syntax errors here,
// with file/line/column when loaded from a file), compiled to a closure where possible, and the
// field tree is walked per record. The walk is a generator so one implementation serves both the
// all-compiled synchronous path (no promise per field) and specs that need jsonata's evaluator.
import { bugError, SynclineError, userError } from '../core/errors.js';
import { asBudgetExceeded, Budget, budgetError, budgetLimits, type BudgetLimits, UncheckedBudget } from './budget.js';
import { compileExpr, type CompiledExpr, type ExprLocation, type Scope, setOwn, truthy } from './expr.js';
import { builtins, joinPath, RuntimeState, type Runtime } from './functions.js';
import type { RateTable } from './transforms/currency.js';
import type { CompiledMapping, FieldObject, FieldSpec, LookupTables, MappingContext, MappingResult, MappingSpec } from './types.js';
import { type TargetField, type TargetSchema, unknownTargetField, validateTarget } from './validate.js';

export interface CompileSource {
  file?: string;
  /** Maps a spec location (`fields.X.expr`) and an offset in its text to a file position. */
  locate?: (where: string, offset: number) => { line: number; column: number } | undefined;
  lookups?: LookupTables;
  rates?: RateTable;
  target?: TargetSchema;
  /** Evaluate every expression with jsonata-js (the baseline the benchmark compares against). */
  interpretOnly?: boolean;
  /** Limits per record (budget.ts); default DEFAULT_BUDGET. */
  budget?: Partial<BudgetLimits>;
  /** Compiled code's time/size checks do nothing (only for the benchmark, which measures their cost). */
  unbudgeted?: boolean;
}

type Gen<T> = Generator<Promise<unknown>, T, unknown>;

interface ValueNode {
  kind: 'value';
  expr?: CompiledExpr;
  const?: unknown;
  default?: unknown;
  when?: CompiledExpr;
  required: boolean;
}
interface ObjectNode {
  kind: 'object';
  fields: Array<[string, Node]>;
  when?: CompiledExpr;
  required: boolean;
}
interface EachNode {
  kind: 'each';
  each: CompiledExpr;
  body: Node;
  when?: undefined;
  required: boolean;
}
interface ConcatNode {
  kind: 'concat';
  parts: Array<EachNode | ObjectNode | ValueNode>;
  when?: CompiledExpr;
  required: boolean;
}
type Node = ValueNode | ObjectNode | EachNode | ConcatNode;

/**
 * Every node gets every property (undefined when unused), in one order, so all nodes share one
 * hidden class and the walk's property reads stay monomorphic.
 */
function shape<T extends Node>(n: T): T {
  const a = n as unknown as Record<string, unknown>;
  return { kind: a.kind, expr: a.expr, const: a.const, default: a.default, when: a.when, required: a.required, fields: a.fields, each: a.each, body: a.body, parts: a.parts } as unknown as T;
}

const FIELD_KEYS = new Set(['expr', 'const', 'default', 'when', 'required', 'fields', 'each', 'concat', 'description']);
const SPEC_KEYS = new Set(['id', 'version', 'description', 'source', 'target', 'lookups', 'rates', 'options', 'let', 'fields', 'checks', '$schema', 'docs']);

export function compileMapping(spec: MappingSpec, source: CompileSource = {}): CompiledMapping {
  const file = source.file;
  const bad = (where: string, message: string): never => {
    const pos = source.locate?.(where, 0);
    throw userError('MAPPING_SYNTAX', `${file ? `${file}${pos ? `:${pos.line}:${pos.column}` : ''}: ` : ''}${where ? `${where}: ` : ''}${message}`, {
      details: { file, line: pos?.line, column: pos?.column, field: where },
    });
  };
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) bad('', 'a mapping spec must be an object');
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k)) bad(k, `unknown key "${k}" (expected one of ${[...SPEC_KEYS].join(', ')})`);
  if (typeof spec.id !== 'string' || !spec.id) bad('id', 'a mapping needs an id');
  if (!Number.isInteger(spec.version) || spec.version < 1) bad('version', 'version must be a whole number ≥ 1');
  if (!spec.fields || typeof spec.fields !== 'object') bad('fields', 'a mapping needs fields');

  const limits = budgetLimits(source.budget);
  const stats = { compiled: 0, interpreted: 0 };
  const fallbacks: Array<{ where: string; expression: string; reason: string }> = [];
  const expr = (text: unknown, where: string): CompiledExpr => {
    if (typeof text !== 'string' || !text.trim()) bad(where, 'expected a JSONata expression (text)');
    const loc: ExprLocation = { where, ...(file ? { file } : {}), ...(source.locate ? { locate: (o: number) => source.locate!(where, o) } : {}) };
    const c0 = compileExpr(text as string, loc, limits);
    const c = source.interpretOnly && c0.fast ? { ...c0, fast: undefined, fallbackReason: 'interpretOnly' } : c0;
    if (c.fast) stats.compiled++;
    else {
      stats.interpreted++;
      fallbacks.push({ where, expression: c.text, reason: c.fallbackReason ?? '' });
    }
    return c;
  };

  let exprWritesStructure = false;
  const field = (f: FieldSpec, where: string, target: TargetField | undefined): Node => {
    const structured = !target || target.type === 'object' || target.type === 'array' || target.type === 'any';
    if (typeof f === 'string') {
      if (structured) exprWritesStructure = true;
      return shape({ kind: 'value', expr: expr(f, where), required: false });
    }
    if (typeof f === 'number' || typeof f === 'boolean' || f === null) return shape({ kind: 'value', const: f, required: false });
    if (typeof f !== 'object' || Array.isArray(f)) return bad(where, 'a field is an expression (text) or an object with expr/const/fields/each/concat');
    for (const k of Object.keys(f)) if (!FIELD_KEYS.has(k)) bad(`${where}.${k}`, `unknown key "${k}" (expected one of ${[...FIELD_KEYS].join(', ')})`);
    const required = f.required === true;
    const when = f.when !== undefined ? expr(f.when, `${where}.when`) : undefined;
    const kinds = ['expr' in f || 'const' in f, 'fields' in f && !('each' in f), 'each' in f, 'concat' in f].filter(Boolean).length;
    if (kinds !== 1) bad(where, 'a field needs exactly one of: expr/const, fields, each (with fields or expr), concat');
    if (f.concat !== undefined) {
      if (!Array.isArray(f.concat)) bad(`${where}.concat`, 'concat is a list of parts');
      const itemTarget = target?.items;
      const parts = f.concat.map((p, i) => {
        const n = field(p, `${where}.concat[${i}]`, p && typeof p === 'object' && 'each' in p ? target : itemTarget);
        if (n.kind === 'concat') bad(`${where}.concat[${i}]`, 'concat parts cannot nest concat');
        return n as EachNode | ObjectNode | ValueNode;
      });
      return shape({ kind: 'concat', parts, required, ...(when ? { when } : {}) });
    }
    if (f.each !== undefined) {
      const each = expr(f.each, `${where}.each`);
      const itemTarget = target?.items;
      if (f.fields === undefined && (!itemTarget || itemTarget.type === 'object' || itemTarget.type === 'array')) exprWritesStructure = true;
      const body: Node = f.fields !== undefined ? objectNode(f.fields, `${where}.fields`, itemTarget, undefined, false) : f.expr !== undefined ? shape({ kind: 'value', expr: expr(f.expr, `${where}.expr`), required: false }) : bad(where, 'each needs fields or expr');
      // On an `each`, `when` filters lines: it is evaluated with each line as its context.
      if (when) (body as ObjectNode | ValueNode).when = when;
      return shape({ kind: 'each', each, body, required });
    }
    if (f.fields !== undefined) return objectNode(f.fields, `${where}.fields`, target, when, required);
    const node = shape<ValueNode>({ kind: 'value', required });
    if ('expr' in f) {
      node.expr = expr(f.expr, `${where}.expr`);
      if (structured) exprWritesStructure = true;
    }
    if ('const' in f) node.const = f.const;
    if ('default' in f) node.default = f.default;
    if (when) node.when = when;
    return node;
  };

  const objectNode = (fields: Record<string, FieldSpec>, where: string, target: TargetField | undefined, when: CompiledExpr | undefined, required: boolean): ObjectNode => {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) bad(where, 'fields must be an object of target field → expression');
    const out: Array<[string, Node]> = [];
    for (const [k, f] of Object.entries(fields)) {
      const problem = unknownTargetField(target, k);
      if (problem) bad(`${where}.${k}`, problem);
      out.push([k, field(f, `${where}.${k}`, target?.fields?.[k])]);
    }
    return shape({ kind: 'object', fields: out, required, ...(when ? { when } : {}) });
  };

  const lets: Array<[string, CompiledExpr]> = Object.entries(spec.let ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || ['root', 'options', 'index', 'source', 'output'].includes(k)) bad(`let.${k}`, `"${k}" cannot be a variable name`);
    if (k in builtins) bad(`let.${k}`, `"${k}" is the name of a built-in function ($${k}); choose another name`);
    return [k, expr(v, `let.${k}`)];
  });
  const root = objectNode(spec.fields, 'fields', source.target?.root, undefined, false);
  const checks = (spec.checks ?? []).map((c, i) => ({ assert: expr(c.assert, `checks[${i}].assert`), message: String(c.message ?? `check ${i} failed`), path: c.path ?? '' }));
  const sync = stats.interpreted === 0;
  const target = source.target;
  // When no expression writes an object or a list into a target field, every object key in the
  // output came from the spec's `fields`, already checked against the target at load.
  const keysChecked = !exprWritesStructure;

  function* evalE(e: CompiledExpr, ctx: unknown, scope: Scope): Gen<unknown> {
    try {
      if (e.fast) return e.fast(ctx, scope);
      return yield e.slow(ctx, scope);
    } catch (err) {
      overBudget(err, e, scope);
      // A runtime failure names the field and the expression; the record goes on being mapped so
      // every problem is reported at once.
      const msg = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
      scope.rt.errors.push({ path: scope.rt.path || '(record)', message: `expression \`${e.text}\` failed: ${msg}` });
      return undefined;
    }
  }

  const blank = (v: unknown) => v === undefined || v === null || v === '';

  /** Over budget: the whole record stops with MAPPING_BUDGET_EXCEEDED naming the field and expression. */
  function overBudget(err: unknown, e: CompiledExpr, scope: Scope): void {
    const over = asBudgetExceeded(err);
    if (!over) return;
    const field = scope.rt.path || '(record)';
    throw budgetError(over, { what: `mapping ${spec.id} v${spec.version}`, field, expression: e.text, details: { mapping: spec.id, version: spec.version } }, limits);
  }
  const newBudget = (): Budget => (source.unbudgeted ? new UncheckedBudget(limits) : new Budget(limits));

  function* evalNode(n: Node, ctx: unknown, scope: Scope, path: string): Gen<unknown> {
    const rt = scope.rt;
    if (n.when) {
      rt.path = path;
      if (!truthy(yield* evalE(n.when, ctx, scope))) return undefined;
    }
    switch (n.kind) {
      case 'value': {
        rt.path = path;
        let v = n.expr ? yield* evalE(n.expr, ctx, scope) : n.const;
        if (blank(v) && n.default !== undefined) v = n.default;
        if (blank(v) && n.required) {
          rt.errors.push({ path, message: `required${n.expr ? `: \`${n.expr.text}\` gave nothing` : ''}`, ...(n.expr?.path && rt.srcBase !== undefined ? { source: rt.srcBase ? `${rt.srcBase}.${n.expr.path}` : n.expr.path } : {}) });
        }
        return v;
      }
      case 'object': {
        const o: Record<string, unknown> = {};
        for (const [k, f] of n.fields) {
          const v = yield* evalNode(f, ctx, scope, path ? `${path}.${k}` : k);
          if (v !== undefined) o[k] = v;
        }
        return o;
      }
      case 'each': {
        const out: unknown[] = [];
        yield* evalEach(n, ctx, scope, path, out);
        if (out.length === 0 && n.required) rt.errors.push({ path, message: `required: \`${n.each.text}\` gave no lines` });
        return out;
      }
      case 'concat': {
        const out: unknown[] = [];
        for (const p of n.parts) {
          if (p.kind === 'each') yield* evalEach(p, ctx, scope, path, out);
          else {
            const v = yield* evalNode(p, ctx, scope, `${path}[${out.length}]`);
            if (v !== undefined) out.push(v);
          }
        }
        if (out.length === 0 && n.required) rt.errors.push({ path, message: 'required: no lines' });
        return out;
      }
    }
  }

  function* evalEach(n: EachNode, ctx: unknown, scope: Scope, path: string, out: unknown[]): Gen<void> {
    const rt = scope.rt;
    rt.path = path;
    const listV = yield* evalE(n.each, ctx, scope);
    if (listV === undefined || listV === null) return;
    const items = Array.isArray(listV) ? listV : [listV];
    const savedBase = rt.srcBase;
    const savedIndex = scope.vars.index;
    const base = n.each.path && savedBase !== undefined ? (savedBase ? `${savedBase}.${n.each.path}` : n.each.path) : undefined;
    rt.budget.tick(items.length);
    for (let i = 0; i < items.length; i++) {
      rt.srcBase = base ? `${base}[${i}]` : undefined;
      scope.vars.index = i;
      // The line's own `when` is checked inside evalNode with the line as context.
      const v = yield* evalNode(n.body, items[i], scope, `${path}[${out.length}]`);
      if (v !== undefined) out.push(v);
    }
    rt.srcBase = savedBase;
    scope.vars.index = savedIndex;
  }

  function* runGen(input: unknown, ctx: MappingContext): Gen<MappingResult> {
    const rt: Runtime = {
      lookups: ctx.lookups ? mergeOwn(source.lookups, ctx.lookups) : (source.lookups ?? {}),
      rates: ctx.rates ?? source.rates,
      now: ctx.now ?? new Date(),
      options: ctx.options ? mergeOwn(spec.options, ctx.options) : (spec.options ?? {}),
      warnings: [],
      errors: [],
      applied: [],
      path: '',
      srcBase: '',
      budget: newBudget(),
    };
    const vars: Record<string, unknown> = { root: input, options: rt.options };
    const scope: Scope = { root: input, vars, rt };
    for (const [name, e] of lets) {
      rt.path = `$${name}`;
      vars[name] = yield* evalE(e, input, scope);
    }
    const output = yield* evalNode(root, input, scope, '');
    if (target) validateTarget(output, target.root, '', rt.errors, undefined, keysChecked);
    if (checks.length) {
      vars.source = input;
      vars.output = output;
      rt.srcBase = undefined;
      for (const c of checks) {
        rt.path = c.path;
        const ok = yield* evalE(c.assert, { source: input, output }, scope);
        if (!truthy(ok)) rt.errors.push({ path: c.path || '(record)', message: c.message });
      }
    }
    return { output, warnings: rt.warnings, errors: dedupe(rt.errors), rates: rt.applied };
  }

  // The same walk without generators, for specs whose expressions all compiled: no generator object
  // per field, which is most of the cost of the generic walk. Kept line-for-line parallel to the
  // generator version above; the case tests run both (run() and runSync()).
  function evalES(e: CompiledExpr, ctx: unknown, scope: Scope): unknown {
    if (!e.fast) throw bugError('MAPPING_NEEDS_ASYNC', `mapping ${spec.id} v${spec.version} uses expressions that need jsonata; call run(), not runSync()`);
    try {
      return e.fast(ctx, scope);
    } catch (err) {
      overBudget(err, e, scope);
      // A runtime failure names the field and the expression; the record goes on being mapped so
      // every problem is reported at once.
      const msg = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
      scope.rt.errors.push({ path: scope.rt.path || '(record)', message: `expression \`${e.text}\` failed: ${msg}` });
      return undefined;
    }
  }


  // Target paths are passed as (parent path, own key) and joined only where needed (a problem, or
  // entering an object or list): most fields of most records have nothing to report.
  function evalNodeS(n: Node, ctx: unknown, scope: Scope, base: string, key: string | number | undefined): unknown {
    const rt = scope.rt as RuntimeState;
    if (n.when) {
      rt.pathBase = base;
      rt.pathKey = key;
      if (!truthy(evalES(n.when, ctx, scope))) return undefined;
    }
    switch (n.kind) {
      case 'value': {
        rt.pathBase = base;
        rt.pathKey = key;
        let v = n.expr ? evalES(n.expr, ctx, scope) : n.const;
        if (blank(v) && n.default !== undefined) v = n.default;
        if (blank(v) && n.required) {
          const src = rt.srcBase;
          rt.errors.push({ path: joinPath(base, key), message: `required${n.expr ? `: \`${n.expr.text}\` gave nothing` : ''}`, ...(n.expr?.path && src !== undefined ? { source: src ? `${src}.${n.expr.path}` : n.expr.path } : {}) });
        }
        return v;
      }
      case 'object': {
        const here = joinPath(base, key);
        const o: Record<string, unknown> = {};
        for (const [k, f] of n.fields) {
          const v = evalNodeS(f, ctx, scope, here, k);
          if (v !== undefined) o[k] = v;
        }
        return o;
      }
      case 'each': {
        const here = joinPath(base, key);
        const out: unknown[] = [];
        evalEachS(n, ctx, scope, here, out);
        if (out.length === 0 && n.required) rt.errors.push({ path: here, message: `required: \`${n.each.text}\` gave no lines` });
        return out;
      }
      case 'concat': {
        const here = joinPath(base, key);
        const out: unknown[] = [];
        for (const p of n.parts) {
          if (p.kind === 'each') evalEachS(p, ctx, scope, here, out);
          else {
            const v = evalNodeS(p, ctx, scope, here, out.length);
            if (v !== undefined) out.push(v);
          }
        }
        if (out.length === 0 && n.required) rt.errors.push({ path: here, message: 'required: no lines' });
        return out;
      }
    }
  }

  function evalEachS(n: EachNode, ctx: unknown, scope: Scope, here: string, out: unknown[]): void {
    const rt = scope.rt as RuntimeState;
    rt.path = here;
    const listV = evalES(n.each, ctx, scope);
    if (listV === undefined || listV === null) return;
    const items = Array.isArray(listV) ? listV : [listV];
    const savedBase = rt.srcBase;
    const savedIndex = scope.vars.index;
    const base = n.each.path && savedBase !== undefined ? (savedBase ? `${savedBase}.${n.each.path}` : n.each.path) : undefined;
    rt.budget.tick(items.length);
    for (let i = 0; i < items.length; i++) {
      rt.srcRoot = base;
      rt.srcIndex = base === undefined ? undefined : i;
      scope.vars.index = i;
      // The line's own `when` is checked inside evalNode with the line as context.
      const v = evalNodeS(n.body, items[i], scope, here, out.length);
      if (v !== undefined) out.push(v);
    }
    rt.srcBase = savedBase;
    scope.vars.index = savedIndex;
  }

  function runS(input: unknown, ctx: MappingContext): MappingResult {
    const rt = new RuntimeState(
      ctx.lookups ? mergeOwn(source.lookups, ctx.lookups) : (source.lookups ?? {}),
      ctx.rates ?? source.rates,
      ctx.now ?? new Date(),
      ctx.options ? mergeOwn(spec.options, ctx.options) : (spec.options ?? {}),
      newBudget(),
    );
    const vars: Record<string, unknown> = { root: input, options: rt.options };
    const scope: Scope = { root: input, vars, rt };
    for (const [name, e] of lets) {
      rt.path = `$${name}`;
      vars[name] = evalES(e, input, scope);
    }
    const output = evalNodeS(root, input, scope, '', undefined);
    if (target) validateTarget(output, target.root, '', rt.errors, undefined, keysChecked);
    if (checks.length) {
      vars.source = input;
      vars.output = output;
      rt.srcBase = undefined;
      for (const c of checks) {
        rt.path = c.path;
        const ok = evalES(c.assert, { source: input, output }, scope);
        if (!truthy(ok)) rt.errors.push({ path: c.path || '(record)', message: c.message });
      }
    }
    return { output, warnings: rt.warnings, errors: dedupe(rt.errors), rates: rt.applied };
  }

  return {
    id: spec.id,
    version: spec.version,
    ...(spec.description ? { description: spec.description } : {}),
    stats,
    fallbacks,
    sync,
    lookups: source.lookups ?? {},
    run(input, ctx = {}) {
      return onceMoreIfSlow(() => (sync ? runS(input, ctx) : drive(runGen(input, ctx))));
    },
    runSync(input, ctx = {}) {
      return runS(input, ctx);
    },
    runGeneric(input, ctx = {}) {
      return onceMoreIfSlow(() => drive(runGen(input, ctx)));
    },
  };
}

/** The same issue can be found twice (a lookup miss, then the field's `required`): report it once per path. */
function dedupe(errors: MappingResult['errors']): MappingResult['errors'] {
  if (errors.length < 2) return errors;
  const seen = new Set<string>();
  const out: MappingResult['errors'] = [];
  const lookupPaths = new Set(errors.filter((e) => !e.message.startsWith('required')).map((e) => e.path));
  for (const e of errors) {
    // A field already reported for a reason (unknown SKU) need not also say "required", and the
    // spec's `required` and the target schema's say the same thing once.
    if (e.message.startsWith('required') && lookupPaths.has(e.path)) continue;
    const key = e.message.startsWith('required') ? `${e.path}\u0000required` : `${e.path}\u0000${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/**
 * A mapping is a pure function of its input, so a time overrun may be tried once more: time is the one
 * limit the machine moves (the jsonata path awaits between steps, and whatever else runs in the
 * thread then is on the clock too). A runaway expression overruns twice — twice the budget, bounded —
 * and its record is dead-lettered; a record that was only unlucky under load is not.
 */
async function onceMoreIfSlow<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof SynclineError && e.code === 'MAPPING_BUDGET_EXCEEDED' && e.details.limit === 'time')) throw e;
    return run();
  }
}

function drive<T>(g: Gen<T>): T | Promise<T> {
  const r = g.next();
  if (r.done) return r.value;
  return continueAsync(g, r.value);
}

async function continueAsync<T>(g: Gen<T>, first: Promise<unknown>): Promise<T> {
  let pending = first;
  for (;;) {
    let r: IteratorResult<Promise<unknown>, T>;
    try {
      const v = await pending;
      r = g.next(v);
    } catch (e) {
      r = g.throw(e);
    }
    if (r.done) return r.value;
    pending = r.value;
  }
}

/**
 * `{ ...a, ...b }` without V8's slow path for spreads (~1.5 µs in Node 20, twice per run): own keys
 * copied one by one, a key named __proto__ kept as an own property, as a spread keeps it.
 */
function mergeOwn<T extends object>(a: T | undefined, b: T): T {
  const out = {} as Record<string, unknown>;
  for (const o of [a, b]) {
    if (!o) continue;
    for (const k of Object.keys(o)) setOwn(out, k, (o as Record<string, unknown>)[k]);
  }
  return out as T;
}
